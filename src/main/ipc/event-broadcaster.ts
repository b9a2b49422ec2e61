import type { EventName } from '../../shared/ipc/channels';
import { events, type EventPayload } from '../../shared/ipc/contract';

/** Anything that can receive events: an Electron webContents, a WebSocket client. */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: EventName, payload: unknown): void;
}

export type Broadcast = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/**
 * Sends plain data to every live target. Coalescing (latest per key, a few Hz) is the caller's
 * job; this only fans out, skips destroyed targets, and in dev/test checks the contract.
 */
export function createEventBroadcaster(options: {
  readonly targets: () => Iterable<EventTarget>;
  readonly validate?: boolean;
  readonly onError?: (event: EventName, error: unknown) => void;
}): Broadcast {
  return (name, payload) => {
    if (options.validate) {
      const res = events[name].safeParse(payload);
      if (!res.success) {
        options.onError?.(name, new Error(`payload of ${name} broke the contract: ${res.error.issues[0]?.message ?? ''}`));
        return;
      }
    }
    for (const target of options.targets()) {
      if (target.isDestroyed()) continue;
      try {
        target.send(name, payload);
      } catch (e) {
        options.onError?.(name, e);
      }
    }
  };
}
