import { COMMAND_NAMES, isCommandName, type CommandName } from '../../shared/ipc/channels';
import { commands, type CommandInput, type CommandOutput } from '../../shared/ipc/contract';
import { err, isPublicError, ok, type Result } from '../../shared/ipc/result';
import { describeInvalidInput } from './input-messages';
import { PEM_BLOCK } from '../core/redacting-logger';

/**
 * Who sent a command. The Electron adapter fills frameUrl/webContentsId from the IPC event;
 * the web host fills frameUrl with the page origin it authenticated by token.
 */
export interface CommandSender {
  readonly transport: 'electron' | 'websocket' | 'test';
  readonly frameUrl: string | null;
  readonly webContentsId: number | null;
}

export interface CommandContext {
  readonly sender: CommandSender;
}

export type CommandHandler<C extends CommandName> = (
  input: CommandInput<C>,
  ctx: CommandContext,
) => Promise<CommandOutput<C>> | CommandOutput<C>;

/** One handler per command; a missing or extra one is a type error. */
export type CommandHandlers = { [C in CommandName]: CommandHandler<C> };

export interface CommandRouterOptions {
  readonly handlers: CommandHandlers;
  readonly isTrustedSender: (sender: CommandSender) => boolean;
  /** validate handler outputs against the contract (dev and tests; costs time in production) */
  readonly validateOutput?: boolean;
  /** receives unexpected errors for the log; the Result carries only a generic message */
  readonly onInternalError?: (command: string, error: unknown) => void;
  /**
   * The one place a handler's error becomes a public one (an exchange error → its Result code and
   * a person's message): handlers just throw. What it returns is still checked for a public code.
   */
  readonly toPublicError?: (error: unknown) => unknown;
}

export interface CommandRouter {
  readonly names: readonly CommandName[];
  dispatch(name: string, rawInput: unknown, sender: CommandSender): Promise<Result<unknown>>;
}

const MAX_MESSAGE = 400;
const INTERNAL_MESSAGE = 'Perch hit an internal error. Details are in the log file; please try again.';

/**
 * Never let something that looks like a signature, a signed query or a PEM block through in a
 * message, even if a lower layer put it there by mistake.
 */
export function scrubMessage(message: string): string {
  const scrubbed = message
    // a key body only: Perch's own hint quoting the BEGIN line stays readable
    .replace(PEM_BLOCK, '[redacted key]')
    .replace(/\b(signature|apiKey|secret|X-MBX-APIKEY)\s*[:=]\s*["']?[A-Za-z0-9+/=_-]+/gi, '$1=[redacted]')
    .replace(/https?:\/\/\S*\?\S*/g, '[url redacted]');
  return scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE)}…` : scrubbed;
}

/** For the log only (output contract breaks): paths and zod's messages, never values. */
function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  // Paths and zod's messages only: the rejected values may be secrets and are never echoed.
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function createCommandRouter(options: CommandRouterOptions): CommandRouter {
  const { handlers, isTrustedSender, validateOutput = false, onInternalError, toPublicError } = options;

  async function run<C extends CommandName>(name: C, rawInput: unknown, sender: CommandSender): Promise<Result<unknown>> {
    const schema = commands[name];
    const parsed = schema.input.safeParse(rawInput);
    // What a person reads: the field in the form's words, what is wrong, what to do (never the
    // channel, the schema path or the validator's wording).
    if (!parsed.success) return err('invalid-input', describeInvalidInput(parsed.error.issues, rawInput));
    let value: unknown;
    try {
      const handler = handlers[name] as CommandHandler<C>;
      value = await handler(parsed.data as CommandInput<C>, { sender });
    } catch (thrown) {
      const e = toPublicError !== undefined ? toPublicError(thrown) : thrown;
      if (isPublicError(e)) return err(e.code, scrubMessage(e.message));
      onInternalError?.(name, thrown);
      return err('internal', INTERNAL_MESSAGE);
    }
    if (validateOutput) {
      const out = schema.output.safeParse(value);
      if (!out.success) {
        onInternalError?.(name, new Error(`output of ${name} broke the contract: ${describeIssues(out.error.issues)}`));
        return err('internal', INTERNAL_MESSAGE);
      }
      return ok(out.data);
    }
    return ok(value);
  }

  return {
    names: COMMAND_NAMES,
    async dispatch(name, rawInput, sender) {
      // Sender first: an untrusted page learns nothing, not even whether the name exists.
      let trusted = false;
      try {
        trusted = isTrustedSender(sender);
      } catch (e) {
        onInternalError?.(name, e);
      }
      if (!trusted) return err('untrusted-sender', 'This request did not come from the Perch window and was ignored.');
      if (!isCommandName(name)) return err('unknown-command', `Unknown command "${String(name).slice(0, 64)}".`);
      return run(name, rawInput, sender);
    },
  };
}
