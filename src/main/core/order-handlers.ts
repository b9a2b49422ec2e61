/**
 * The orders:* commands as the core answers them: each goes to the current session's orders
 * service once it is ready; a submit with no session to send it is "not sent" (provably), an
 * outcome of an earlier session's order is read from the journal, and each window's order form
 * names the one market whose book it watches.
 */
import { exchangeName } from '../../shared/domain/exchange-name';
import type { OrderOutcomeView } from '../../shared/domain/orders';
import type { CommandName } from '../../shared/ipc/channels';
import type { OrderCommandName } from '../../shared/ipc/orders-contract';
import { AppError } from '../../shared/ipc/result';
import type { CommandContext, CommandHandler, CommandHandlers, CommandSender } from '../ipc/command-router';
import type { ServiceCommandName } from '../orders/orders-service';
import { createOrdersRepository, type OrdersRepository } from '../storage/orders-repository';
import type { CorePorts } from './ports';
import type { SessionOrders, SessionOrdersOptions } from './session-orders';
import type { SessionSwitch } from './session-switch';

const ORDERS_NOT_READY = 'Perch is still connecting to the exchange (unfinished orders are checked first); try again in a moment.';
/** Order forms open at once, across windows; the oldest is dropped beyond this. */
const MAX_BOOK_WATCHERS = 8;

/** Commands the orders service answers that need the exchange loaded and intents reconciled. */
const ORDER_COMMANDS_NEEDING_READY: ReadonlySet<ServiceCommandName> = new Set<ServiceCommandName>([
  'orders:cancel',
  'orders:cancelAll',
  'orders:history',
  'orders:syncHistory',
  'orders:symbols',
  'orders:preflight',
  'orders:submit',
]);

/** One key per window (Electron) or per page origin (web host): its order form's watched symbol. */
function senderKey(sender: CommandSender): string {
  return `${sender.transport}:${sender.webContentsId ?? sender.frameUrl ?? ''}`;
}

export interface OrderHandlersDeps {
  readonly ports: Pick<CorePorts, 'settings'>;
  readonly now: () => number;
  readonly sessions: Pick<SessionSwitch, 'orders' | 'idleReason' | 'ownedInBackground' | 'unresolvedOrders'>;
  readonly database: () => SessionOrdersOptions['database'];
}

export interface OrderHandlers {
  readonly handlers: { [C in OrderCommandName]: CommandHandlers[C] };
  /** The order forms' watched symbols go to the current session's orders feature. */
  applyBookWatch(): void;
}

export function createOrderHandlers(deps: OrderHandlersDeps): OrderHandlers {
  const { ports, now, sessions } = deps;
  const bookWatchers = new Map<string, string>();
  /** Tokens an orders:submit is under way for (counted: a repeated submit of a token joins the first). */
  const submitsInFlight = new Map<string, number>();

  const applyBookWatch = (): void => {
    sessions.orders()?.watch(new Set(bookWatchers.values()));
  };

  let outcomesRepo: { readonly db: unknown; readonly repo: OrdersRepository } | null = null;
  /** The journal's recorded outcomes (for orders no session of now is following). */
  const journalOutcomes = (): OrdersRepository => {
    const db = deps.database().db;
    if (outcomesRepo === null || outcomesRepo.db !== db) outcomesRepo = { db, repo: createOrdersRepository(db) };
    return outcomesRepo.repo;
  };

  /** Whether the journal has an intent for this token; true when that cannot be read (it may). */
  const journaled = (token: string): boolean => {
    try {
      return deps.database().orderIntents.get(token) !== null;
    } catch {
      return true;
    }
  };

  /**
   * The answer for a token that was never journaled and is not being submitted: nothing left
   * Perch, and nothing will (the confirmation is gone with its session), so the asker can stop
   * checking. Null when the asker did not say what it shows (no symbol) or when it may exist.
   */
  const neverSent = (input: {
    readonly clientOrderId: string;
    readonly symbol?: string | undefined;
    readonly kind?: 'order' | 'oco' | undefined;
  }): OrderOutcomeView | null => {
    if (input.symbol === undefined || submitsInFlight.has(input.clientOrderId) || journaled(input.clientOrderId)) return null;
    return {
      clientOrderId: input.clientOrderId,
      kind: input.kind ?? 'order',
      symbol: input.symbol,
      status: 'not-placed',
      message:
        'Not sent: Perch has no record of sending this order, so nothing reached the exchange. Review it and place it again if you still want it.',
      binanceCode: null,
      binanceMessage: null,
      orders: [],
      orderListId: null,
      corrected: false,
      at: now(),
    };
  };

  const requireOrders = (name: ServiceCommandName): SessionOrders => {
    const o = sessions.orders();
    if (o === null) throw new AppError('not-available', sessions.idleReason() ?? ORDERS_NOT_READY);
    if (ORDER_COMMANDS_NEEDING_READY.has(name) && !o.isReady()) throw new AppError('not-available', ORDERS_NOT_READY);
    return o;
  };

  /** A command of the orders service; what it throws becomes public in the command router. */
  function orderHandler<C extends ServiceCommandName & CommandName>(name: C): CommandHandler<C> {
    return async (input) => requireOrders(name).service.handlers[name](input);
  }

  const handlers: OrderHandlers['handlers'] = {
    'orders:listOpen': orderHandler('orders:listOpen'),
    'orders:cancel': orderHandler('orders:cancel'),
    'orders:cancelAll': orderHandler('orders:cancelAll'),
    'orders:history': orderHandler('orders:history'),
    'orders:syncHistory': orderHandler('orders:syncHistory'),
    'orders:symbols': orderHandler('orders:symbols'),
    'orders:preflight': async (input, ctx) => {
      const o = requireOrders('orders:preflight');
      // The checks against the market need a current bid/ask: read it when no stream has it.
      await o.quote(input.draft.symbol);
      return orderHandler('orders:preflight')(input, ctx);
    },
    'orders:submit': async (input, ctx) => {
      const o = sessions.orders();
      // No session to send it yet, nothing journaled for this token and no submit of it under
      // way: provably not sent, so the person is told so (not "outcome unknown").
      if ((o === null || !o.isReady()) && !submitsInFlight.has(input.token) && !journaled(input.token)) {
        const env = ports.settings.get().environment;
        const idleReason = sessions.idleReason();
        throw new AppError(
          'not-sent',
          o === null && idleReason !== null
            ? `Nothing was sent. ${idleReason}`
            : `Perch is still connecting to ${exchangeName(env)}; nothing was sent. Try again in a moment.`,
        );
      }
      submitsInFlight.set(input.token, (submitsInFlight.get(input.token) ?? 0) + 1);
      try {
        return await orderHandler('orders:submit')(input, ctx);
      } finally {
        const n = (submitsInFlight.get(input.token) ?? 1) - 1;
        if (n > 0) submitsInFlight.set(input.token, n);
        else submitsInFlight.delete(input.token);
      }
    },
    'orders:outcome': async (input, ctx) => {
      // An order checked in the background (an earlier session's) is answered from the journal.
      if (sessions.ownedInBackground(input.clientOrderId) || sessions.orders() === null) {
        const stored = journalOutcomes().getOutcome(input.clientOrderId);
        if (stored !== null) return stored.view as OrderOutcomeView;
        if (sessions.orders() === null) return neverSent(input);
      }
      return (await orderHandler('orders:outcome')(input, ctx)) ?? neverSent(input);
    },

    'orders:unresolved': async () => sessions.unresolvedOrders(),

    'orders:watchMarket': async ({ symbol }, ctx: CommandContext) => {
      const key = senderKey(ctx.sender);
      bookWatchers.delete(key);
      if (symbol !== null) {
        bookWatchers.set(key, symbol);
        for (const k of bookWatchers.keys()) {
          if (bookWatchers.size <= MAX_BOOK_WATCHERS) break;
          bookWatchers.delete(k);
        }
      }
      applyBookWatch();
      const orders = sessions.orders();
      if (symbol === null || orders === null) return null;
      return orders.quote(symbol);
    },
  };

  return { handlers, applyBookWatch };
}
