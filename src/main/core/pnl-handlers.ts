/**
 * The pnl:* commands: answered by the current session's P&L feature, and pnl:saveCsv by the
 * desktop's save dialog (without one, in the web host, the window downloads the file itself).
 */
import type { PnlCommandName } from '../../shared/ipc/pnl-contract';
import { AppError } from '../../shared/ipc/result';
import type { CommandHandlers } from '../ipc/command-router';
import type { CorePorts } from './ports';
import type { SessionPnl } from './session-pnl';

const NOT_CONNECTED = 'Perch is still connecting to the exchange; your history is read once it is connected.';

export function createPnlHandlers(deps: { readonly pnl: () => SessionPnl | null; readonly ports: Pick<CorePorts, 'shell'> }): {
  [C in PnlCommandName]: CommandHandlers[C];
} {
  const current = (): SessionPnl['handlers'] => {
    const p = deps.pnl();
    if (p === null) throw new AppError('not-available', NOT_CONNECTED);
    return p.handlers;
  };
  return {
    'pnl:overview': async (input) => current()['pnl:overview'](input),
    'pnl:trades': async (input) => current()['pnl:trades'](input),
    'pnl:asset': async (input) => current()['pnl:asset'](input),
    'pnl:sync': async (input) => current()['pnl:sync'](input),
    'pnl:cancelSync': async (input) => current()['pnl:cancelSync'](input),
    'pnl:addSymbol': async (input) => current()['pnl:addSymbol'](input),
    'pnl:exportCsv': async (input) => current()['pnl:exportCsv'](input),
    'pnl:deposits': async (input) => current()['pnl:deposits'](input),
    'pnl:setDepositCost': async (input) => current()['pnl:setDepositCost'](input),
    'pnl:saveCsv': async ({ kind, method }) => {
      const shell = deps.ports.shell;
      const save = shell?.saveTextFile;
      if (save === undefined) return { status: 'unavailable' as const, path: null };
      const file = await current()['pnl:exportCsv']({ kind, method });
      const r = await save.call(shell, { defaultName: file.filename, content: file.csv });
      return { status: r.saved ? ('saved' as const) : ('cancelled' as const), path: r.path };
    },
  };
}
