/**
 * The sandboxed preload: built as ONE CommonJS file whose only require is 'electron' (a
 * sandboxed preload cannot load ESM or other modules). It exposes exactly `call` and `on`, and
 * only for the contract's channel names, so the page never gets ipcRenderer, process or env.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMMAND_NAMES, EVENT_NAMES } from '../shared/ipc/channels';

const commandNames = new Set<string>(COMMAND_NAMES);
const eventNames = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('perch', {
  call(name: unknown, input?: unknown): Promise<unknown> {
    if (typeof name !== 'string' || !commandNames.has(name)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown-command', message: `Unknown command "${String(name).slice(0, 64)}".` } });
    }
    return ipcRenderer.invoke(name, input);
  },
  on(name: unknown, listener: unknown): () => void {
    if (typeof name !== 'string' || !eventNames.has(name)) throw new Error(`Unknown event "${String(name).slice(0, 64)}".`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    // Only the payload crosses: the IpcRendererEvent (sender, ports) stays in the preload.
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => {
      (listener as (payload: unknown) => void)(payload);
    };
    ipcRenderer.on(name, wrapped);
    // contextBridge does not keep function identity (electron/electron#33328): unsubscribing
    // must use this closure, not the page's listener.
    return () => {
      ipcRenderer.removeListener(name, wrapped);
    };
  },
});
