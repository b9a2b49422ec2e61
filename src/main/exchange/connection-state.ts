/**
 * Observable connection state for the UI's freshness indicators (B19). Every socket of the
 * client reports here; the UI reads `get()` when it renders and subscribes to status changes.
 * Message arrival only stamps a time (no notification): it happens on the hot path, and the
 * age is computed when someone asks.
 */
import type { Clock } from './backoff';
import { systemClock } from './backoff';

export type ConnectionStatus = 'connecting' | 'live' | 'stale' | 'reconnecting' | 'resyncing' | 'offline';

export interface ConnectionInfo {
  readonly id: string;
  readonly status: ConnectionStatus;
  /** Since when the connection has this status, epoch ms. */
  readonly since: number;
  /** Last inbound frame (data, pong or ping), epoch ms; null before the first. */
  readonly lastMessageAt: number | null;
  /** ms since lastMessageAt at the time of get(); null before the first. */
  readonly ageMs: number | null;
  readonly reconnectCount: number;
  /** Message of the last failure, secrets removed; null if none yet. */
  readonly lastError: string | null;
}

export interface RestInfo {
  /** Last REQUEST_WEIGHT used in the current minute, as reported by the governor. */
  readonly weightUsed: number | null;
  /** Server time minus local time, ms, from the time sync. */
  readonly clockOffsetMs: number | null;
}

export interface ConnectionStateSnapshot {
  readonly at: number;
  readonly connections: readonly ConnectionInfo[];
  readonly rest: RestInfo;
}

/** What a connection uses to report; one per socket slot. */
export interface ConnectionReporter {
  readonly id: string;
  setStatus(status: ConnectionStatus): void;
  status(): ConnectionStatus;
  /** Hot path: only stamps the time. */
  messageAt(time: number): void;
  error(error: unknown): void;
  reconnected(): void;
  info(): ConnectionInfo;
  /** Remove this connection from the registry. */
  release(): void;
}

export interface ConnectionStateRegistry {
  register(id: string, initial?: ConnectionStatus): ConnectionReporter;
  get(): ConnectionStateSnapshot;
  connection(id: string): ConnectionInfo | undefined;
  /** Called on every status change and new error; returns unsubscribe. */
  subscribe(listener: (snapshot: ConnectionStateSnapshot) => void): () => void;
  listenerCount(): number;
}

export interface ConnectionStateOptions {
  readonly clock?: Pick<Clock, 'now'>;
  /** Readers of the REST side; the composition root wires the governor and the time sync. */
  readonly weightUsed?: () => number | null;
  readonly clockOffsetMs?: () => number | null;
}

const SECRET_PATTERNS: readonly RegExp[] = [
  /(signature|apiKey|api_key|secret|X-MBX-APIKEY)(["']?\s*[=:]\s*["']?)[^&"'\s,}]+/gi,
  // Long hex or base64 runs look like keys or signatures; no legitimate message needs them.
  /\b[0-9a-f]{40,}\b/gi,
  /[A-Za-z0-9+/]{40,}={0,2}/g,
];

/** Error text safe for the UI and logs: no key, secret or signature. */
export function redactSecrets(message: string): string {
  let out = message;
  out = out.replace(SECRET_PATTERNS[0] as RegExp, (_m, name: string, sep: string) => `${name}${sep}[redacted]`);
  for (const pattern of SECRET_PATTERNS.slice(1)) out = out.replace(pattern, '[redacted]');
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return redactSecrets(error.message);
  if (typeof error === 'string') return redactSecrets(error);
  return 'unknown error';
}

export function createConnectionState(options: ConnectionStateOptions = {}): ConnectionStateRegistry {
  const clock = options.clock ?? systemClock;
  const entries = new Map<
    string,
    {
      status: ConnectionStatus;
      since: number;
      lastMessageAt: number | null;
      reconnectCount: number;
      lastError: string | null;
    }
  >();
  const listeners = new Set<(snapshot: ConnectionStateSnapshot) => void>();

  const infoOf = (id: string, now: number): ConnectionInfo | undefined => {
    const e = entries.get(id);
    if (e === undefined) return undefined;
    return {
      id,
      status: e.status,
      since: e.since,
      lastMessageAt: e.lastMessageAt,
      ageMs: e.lastMessageAt === null ? null : Math.max(0, now - e.lastMessageAt),
      reconnectCount: e.reconnectCount,
      lastError: e.lastError,
    };
  };

  const snapshot = (): ConnectionStateSnapshot => {
    const now = clock.now();
    const connections: ConnectionInfo[] = [];
    for (const id of entries.keys()) connections.push(infoOf(id, now) as ConnectionInfo);
    return {
      at: now,
      connections,
      rest: { weightUsed: options.weightUsed?.() ?? null, clockOffsetMs: options.clockOffsetMs?.() ?? null },
    };
  };

  const notify = (): void => {
    if (listeners.size === 0) return;
    const snap = snapshot();
    for (const listener of [...listeners]) {
      try {
        listener(snap);
      } catch {
        // A failing UI listener must not break a connection's state machine.
      }
    }
  };

  return {
    register(id, initial = 'offline'): ConnectionReporter {
      if (entries.has(id)) throw new Error(`connection id already registered: ${id}`);
      const entry = {
        status: initial,
        since: clock.now(),
        lastMessageAt: null as number | null,
        reconnectCount: 0,
        lastError: null as string | null,
      };
      entries.set(id, entry);
      let released = false;
      notify();
      return {
        id,
        setStatus(status) {
          if (released || entry.status === status) return;
          entry.status = status;
          entry.since = clock.now();
          notify();
        },
        status: () => entry.status,
        messageAt(time) {
          entry.lastMessageAt = time;
        },
        error(error) {
          if (released) return;
          entry.lastError = errorMessage(error);
          notify();
        },
        reconnected() {
          if (released) return;
          entry.reconnectCount += 1;
        },
        info: () =>
          infoOf(id, clock.now()) ?? {
            id,
            status: entry.status,
            since: entry.since,
            lastMessageAt: entry.lastMessageAt,
            ageMs: null,
            reconnectCount: entry.reconnectCount,
            lastError: entry.lastError,
          },
        release() {
          if (released) return;
          released = true;
          entries.delete(id);
          notify();
        },
      };
    },
    get: snapshot,
    connection: (id) => infoOf(id, clock.now()),
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    listenerCount: () => listeners.size,
  };
}
