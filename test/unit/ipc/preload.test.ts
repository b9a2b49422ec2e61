// Seam: the preload module with `electron` mocked: what it exposes and how it filters names.
import { beforeAll, describe, expect, it, vi } from 'vitest';

const exposed = new Map<string, unknown>();
const ipcListeners = new Map<string, Set<(...a: unknown[]) => void>>();
const invoke = vi.fn(async (name: string, input: unknown) => ({ ok: true, value: { name, input } }));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke,
    on: (name: string, fn: (...a: unknown[]) => void) => {
      const set = ipcListeners.get(name) ?? new Set();
      set.add(fn);
      ipcListeners.set(name, set);
    },
    removeListener: (name: string, fn: (...a: unknown[]) => void) => {
      ipcListeners.get(name)?.delete(fn);
    },
  },
}));

type Bridge = { call(n: unknown, i?: unknown): Promise<unknown>; on(n: unknown, l: unknown): () => void };
let bridge: Bridge;

beforeAll(async () => {
  await import('../../../src/preload/index');
  bridge = exposed.get('perch') as Bridge;
});

describe('preload bridge', () => {
  it('exposes only window.perch with exactly call and on', () => {
    expect([...exposed.keys()]).toEqual(['perch']);
    expect(Object.keys(bridge)).toEqual(['call', 'on']);
  });

  it('forwards contract commands and refuses others without touching IPC', async () => {
    expect(await bridge.call('settings:get')).toEqual({ ok: true, value: { name: 'settings:get', input: undefined } });
    invoke.mockClear();
    for (const name of ['shell:exec', 'ELECTRON_BROWSER_REQUIRE', 42, 'app:notice']) {
      expect(await bridge.call(name, {})).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('subscribes to contract events only, passes the payload alone, and unsubscribes the same listener', () => {
    const seen: unknown[][] = [];
    const off = bridge.on('app:notice', (...args: unknown[]) => seen.push(args));
    expect(ipcListeners.get('app:notice')?.size).toBe(1);
    for (const fn of ipcListeners.get('app:notice') ?? []) fn({ sender: 'secret-event-object' }, { id: 'n' });
    expect(seen).toEqual([[{ id: 'n' }]]);
    off();
    expect(ipcListeners.get('app:notice')?.size).toBe(0);
    expect(() => bridge.on('settings:get', () => undefined)).toThrow(/Unknown event/);
    expect(() => bridge.on('app:notice', 'not a function')).toThrow(TypeError);
  });
});
