import { defaultSettings, SettingsPatch, type Settings } from '../../../src/shared/domain';
import type { LogFields, LogLevel, SecretStorePort, SettingsPort } from '../../../src/main/core/ports';

/** A keychain in memory that can be locked like a real one. */
export function memorySecrets(): SecretStorePort & { readonly entries: Map<string, string>; lock(): void; unlock(): void } {
  const entries = new Map<string, string>();
  let locked = false;
  const guard = (): void => {
    if (locked) throw Object.assign(new Error('Your system keychain is locked. Unlock it and try again.'), { code: 'keychain-locked' });
  };
  return {
    entries,
    async get(a) {
      guard();
      return entries.get(a) ?? null;
    },
    async set(a, v) {
      guard();
      entries.set(a, v);
    },
    async delete(a) {
      guard();
      return entries.delete(a);
    },
    lock() {
      locked = true;
    },
    unlock() {
      locked = false;
    },
  };
}

export function memorySettings(initial: Partial<Settings> = {}): SettingsPort & { current(): Settings } {
  let s: Settings = { ...defaultSettings(), ...initial };
  return {
    get: () => s,
    update(patch) {
      s = { ...s, ...SettingsPatch.parse(patch) };
      return s;
    },
    current: () => s,
  };
}

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields?: LogFields;
}

export function memoryLogger(): {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  readonly lines: LogLine[];
  text(): string;
} {
  const lines: LogLine[] = [];
  return {
    lines,
    log(level, message, fields) {
      lines.push({ level, message, fields });
    },
    text: () => lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields ?? {})}`).join('\n'),
  };
}

export const testSender = { sender: { transport: 'test' as const, frameUrl: null, webContentsId: null } };

/**
 * A tiny stand-in for the handful of REST endpoints a key test calls (time, account,
 * apiRestrictions), answering through a fetch implementation: no socket at all.
 */
export function fakeExchangeFetch(opts: { readonly acceptApiKey: string; readonly restrictions?: Record<string, unknown> }): {
  fetch: typeof fetch;
  readonly calls: string[];
} {
  const calls: string[] = [];
  const json = (status: number, body: unknown): Response =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'x-mbx-used-weight-1m': '3' } });
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    calls.push(url.pathname);
    const headers = new Headers(init?.headers);
    if (url.pathname === '/api/v3/time') return json(200, { serverTime: Date.now() });
    if (headers.get('x-mbx-apikey') !== opts.acceptApiKey)
      return json(401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    if (url.pathname === '/api/v3/account') return json(200, { updateTime: Date.now(), balances: [], canTrade: true });
    if (url.pathname === '/sapi/v1/account/apiRestrictions') {
      return json(200, {
        ipRestrict: false,
        createTime: 1_700_000_000_000,
        enableReading: true,
        enableWithdrawals: false,
        enableSpotAndMarginTrading: false,
        enableInternalTransfer: false,
        ...opts.restrictions,
      });
    }
    return json(404, { code: -1, msg: 'not found' });
  };
  return { fetch: impl as typeof fetch, calls };
}
