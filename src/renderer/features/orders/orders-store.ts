/**
 * The orders part of the renderer's state: open orders (live from orders:open), the outcomes of
 * the orders placed from this window (live from orders:outcome), the history sync's progress and
 * the watched symbol's quote. Like the app store it is wired once, outside React.
 *
 * The store is also the last guard of "one confirmation, one order": a confirmation token is
 * submitted at most once (a second call returns the first call's promise), and while one submit
 * is on its way no other is sent.
 */
import type { ConfirmedOrder, MarketQuote, OpenOrdersEvent, OrderOutcomeView, SyncProgress } from '../../../shared/domain/orders';
import type { PerchBridge } from '../../../shared/ipc/bridge';
import type { Result } from '../../../shared/ipc/result';
import { classifySubmitError, unknownOutcomeView } from './submit-error';
import { createViewStore } from '../../app/view-store';
import { isSettledStatus } from '../../../shared/domain/order-status';

export interface OrdersState {
  readonly open: OpenOrdersEvent | null;
  /** Outcomes of orders placed from this window, newest first. */
  readonly outcomes: readonly OrderOutcomeView[];
  readonly sync: SyncProgress | null;
  readonly market: { readonly symbol: string; readonly quote: MarketQuote } | null;
  /** The token being submitted now (the submit control stays locked while set). */
  readonly submitting: string | null;
  readonly openError: string | null;
}

const INITIAL: OrdersState = { open: null, outcomes: [], sync: null, market: null, submitting: null, openError: null };
const MAX_OUTCOMES = 20;
const POLL_MS = 3_000;

/**
 * Which of two views of the same intent to keep: a known state never falls back to
 * "unknown"/"sending", and among known states the later one wins.
 */
export function mergeOutcome(prev: OrderOutcomeView | undefined, next: OrderOutcomeView): OrderOutcomeView {
  if (prev === undefined) return next;
  if (isSettledStatus(prev.status) && !isSettledStatus(next.status)) return prev;
  if (isSettledStatus(prev.status) === isSettledStatus(next.status) && next.at < prev.at) return prev;
  return next;
}

export interface OrdersStore {
  get(): OrdersState;
  subscribe(listener: () => void): () => void;
  start(): void;
  stop(): void;
  refreshOpen(): Promise<void>;
  /** Send a confirmed order once. The same token again returns the first call's answer. */
  /** `acknowledgePossibleDuplicate`: the person ticked the 'possible-duplicate' acknowledgement. */
  submit(
    token: string,
    order: ConfirmedOrder,
    options?: { readonly acknowledgePossibleDuplicate?: boolean },
  ): Promise<Result<OrderOutcomeView>>;
  outcomeOf(clientOrderId: string): OrderOutcomeView | undefined;
  /** Watch a symbol's book ticker (null stops); the quote arrives in viewState.get().market. */
  watch(symbol: string | null): void;
}

export function createOrdersStore(bridge: PerchBridge, opts: { pollMs?: number } = {}): OrdersStore {
  const viewState = createViewStore<OrdersState>(INITIAL);
  const unsubscribers: Array<() => void> = [];
  const submits = new Map<string, Promise<Result<OrderOutcomeView>>>();
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let watched: string | null = null;
  let started = false;

  const set = viewState.set;

  const putOutcome = (view: OrderOutcomeView, create: boolean): void => {
    const i = viewState.get().outcomes.findIndex((o) => o.clientOrderId === view.clientOrderId);
    if (i < 0) {
      // Outcomes of intents this window did not submit (e.g. recovered after a restart) are shown too.
      if (!create && !submits.has(view.clientOrderId) && !isSettledStatus(view.status)) return;
      set({ outcomes: [view, ...viewState.get().outcomes].slice(0, MAX_OUTCOMES) });
    } else {
      const merged = mergeOutcome(viewState.get().outcomes[i], view);
      if (merged === viewState.get().outcomes[i]) return;
      const outcomes = viewState.get().outcomes.slice();
      outcomes[i] = merged;
      set({ outcomes });
    }
    syncPolling();
  };

  // Events are the main path; a slow poll covers an event lost while the connection was down.
  const syncPolling = (): void => {
    const pending = viewState.get().outcomes.some((o) => !isSettledStatus(o.status));
    if (pending && pollTimer === null && started) {
      pollTimer = setInterval(() => {
        for (const o of viewState.get().outcomes) {
          if (isSettledStatus(o.status)) continue;
          // symbol and kind: a token the main process never journaled is answered "not sent" (it stops here).
          void bridge.call('orders:outcome', { clientOrderId: o.clientOrderId, symbol: o.symbol, kind: o.kind }).then((res) => {
            if (res.ok && res.value !== null) putOutcome(res.value, false);
          });
        }
      }, opts.pollMs ?? POLL_MS);
    } else if (!pending && pollTimer !== null) {
      clearInterval(pollTimer);
      pollTimer = null;
    }
  };

  const refreshOpen = async (): Promise<void> => {
    const res = await bridge.call('orders:listOpen');
    if (res.ok) set({ open: res.value, openError: null });
    else set({ openError: res.error.message });
  };

  const store: OrdersStore = {
    get: viewState.get,
    subscribe: viewState.subscribe,
    start() {
      if (started) return;
      started = true;
      unsubscribers.push(
        bridge.on('orders:open', (open) => {
          const shown = viewState.get().open;
          if (shown === null || open.asOf >= shown.asOf) set({ open, openError: null });
        }),
        bridge.on('orders:outcome', (view) => putOutcome(view, false)),
        bridge.on('orders:syncProgress', (sync) => set({ sync })),
        bridge.on('orders:market', (m) => {
          if (m.symbol === watched) set({ market: m });
        }),
      );
      void refreshOpen();
    },
    stop() {
      started = false;
      for (const u of unsubscribers.splice(0)) u();
      if (pollTimer !== null) clearInterval(pollTimer);
      pollTimer = null;
      if (watched !== null) void bridge.call('orders:watchMarket', { symbol: null });
      watched = null;
    },
    refreshOpen,
    submit(token, order, options) {
      const first = submits.get(token);
      if (first !== undefined) return first;
      if (viewState.get().submitting !== null) {
        // Refused here, before anything left this window: provably not sent.
        return Promise.resolve({
          ok: false,
          error: { code: 'not-allowed', message: 'Another order is being sent; wait for its outcome.' },
        });
      }
      set({ submitting: token });
      const ack = options?.acknowledgePossibleDuplicate === true ? { acknowledgePossibleDuplicate: true as const } : {};
      const p = bridge.call('orders:submit', { token, order, confirmed: true, ...ack }).then((res) => {
        // A refused token is never sent again from here: the person reviews the order anew.
        if (res.ok) putOutcome(res.value, true);
        // An error that does not prove the order stayed here: show it as unknown and keep following it.
        else if (classifySubmitError(res.error) === 'unknown') putOutcome(unknownOutcomeView(token, order, res.error, Date.now()), true);
        set({ submitting: null });
        return res;
      });
      submits.set(token, p);
      return p;
    },
    outcomeOf: (id) => viewState.get().outcomes.find((o) => o.clientOrderId === id),
    watch(symbol) {
      if (symbol === watched) return;
      watched = symbol;
      set({ market: null });
      void bridge.call('orders:watchMarket', { symbol }).then((res) => {
        if (res.ok && res.value !== null && symbol !== null && watched === symbol && viewState.get().market === null) {
          set({ market: { symbol, quote: res.value } });
        }
      });
    },
  };
  return store;
}
