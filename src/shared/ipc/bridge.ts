import type { CommandName, EventName } from './channels';
import type { CommandArgs, CommandOutput, EventPayload } from './contract';
import type { Result } from './result';

/**
 * The typed view of what the preload exposes as `window.perch` (exactly `call` and `on`).
 * The web host's WebSocket bridge implements the same interface.
 */
export interface PerchBridge {
  call<C extends CommandName>(name: C, ...args: CommandArgs<C>): Promise<Result<CommandOutput<C>>>;
  /** returns the unsubscribe function (kept in the preload: contextBridge loses function identity) */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

declare global {
  interface Window {
    perch: PerchBridge;
  }
}
