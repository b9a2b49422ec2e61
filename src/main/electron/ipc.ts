import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { CommandRouter, CommandSender } from '../ipc/command-router';

/**
 * Registers every contract command on ipcMain through the router (which checks the sender and
 * validates the input before any handler runs). Returns a function that removes them again.
 */
export function registerIpcCommands(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, router: CommandRouter): () => void {
  for (const name of router.names) {
    ipcMain.handle(name, (event: IpcMainInvokeEvent, input: unknown) => router.dispatch(name, input, senderOf(event)));
  }
  return () => {
    for (const name of router.names) ipcMain.removeHandler(name);
  };
}

/** The frame that sent the message, not the top page: a subframe must not borrow its parent's trust. */
export function senderOf(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): CommandSender {
  let frameUrl: string | null = null;
  try {
    frameUrl = event.senderFrame?.url ?? null;
  } catch {
    // a destroyed frame throws on access; treat it as unknown (untrusted)
  }
  return { transport: 'electron', frameUrl, webContentsId: event.sender?.id ?? null };
}
