/**
 * Keeps checking the orders of a session that is gone. When the person switches environment or
 * key while an order's outcome is unknown (or a "probably not placed" is still being followed
 * up), the old session's orders service stops, but the question "did this order reach Binance?"
 * is still open on the exchange it was sent to, under the key that sent it. This checker asks
 * that exchange with that key (its own REST client, read-only requests), records every answer
 * in the journal and raises the same notices as the session would, and stops when nothing is
 * left to find out.
 *
 * Why a background checker and not "finish the checks before switching": an unknown outcome
 * can take minutes to resolve (90 s grace, then ten minutes of follow-up); holding the switch
 * that long would make the app look frozen, and cancelling the checks silently is the bug this
 * fixes. While it runs, it owns its intents: the next session of the same environment leaves
 * them alone (see OrdersServiceDeps.ownedElsewhere), so no intent is checked twice at once.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { EnvironmentId } from '../../shared/domain/environment';
import type { Notice } from '../../shared/domain/notice';
import { ConfirmedOrder as ConfirmedOrderSchema } from '../../shared/domain/orders';
import type { BackoffOptions, Clock } from '../exchange/backoff';
import { systemClock } from '../exchange/backoff';
import { notPlacedReason } from '../exchange/order-outcome';
import { createOrderStateStore } from '../exchange/order-state';
import { createReconciler, DEFAULT_FOLLOW_UP_MS } from '../exchange/reconciler';
import type { RestClient } from '../exchange/rest-client';
import type { OrderIntent, OrderIntentRepository } from '../storage/database';
import { createOrdersRepository } from '../storage/orders-repository';
import { createOcoPlacer } from './oco';
import { journalState, ocoOutcomeView, orderOutcomeView, outcomeNotice } from './order-views';
import type { OrderOutcomeView } from '../../shared/domain/orders';
import { z } from 'zod';
import { isSettledStatus } from '../../shared/domain/order-status';

export interface BackgroundReconcilerDeps {
  readonly environment: EnvironmentId;
  /** How the person knows this environment ("Spot Testnet"), for the notices. */
  readonly environmentLabel: string;
  /** A REST client of the environment the intents were sent to, signing with the key that sent them. */
  readonly rest: Pick<RestClient, 'request' | 'requestWithMeta'>;
  readonly database: { readonly db: DatabaseSync; readonly orderIntents: OrderIntentRepository };
  readonly notify: (notice: Omit<Notice, 'at'>) => void;
  /** Called once, when every intent is settled and every follow-up window is over (or on stop). */
  readonly onDone?: () => void;
  readonly clock?: Clock;
  readonly tuning?: {
    readonly graceMs?: number;
    readonly backoff?: BackoffOptions;
    readonly followUpMs?: number;
    readonly followUpBackoff?: BackoffOptions;
    readonly ocoGraceMs?: number;
    readonly ocoBackoff?: BackoffOptions;
  };
}

export interface BackgroundReconciler {
  readonly environment: EnvironmentId;
  /** The intents it is checking (clientOrderId / listClientOrderId). */
  owns(clientOrderId: string): boolean;
  /** How many intents are still open (unknown, or "not placed" inside the follow-up window). */
  openCount(): number;
  /** Resolves when it is done (see onDone). */
  done(): Promise<void>;
  stop(): void;
}

const IntentPayload = z.object({ kind: z.enum(['order', 'oco']), order: z.record(z.string(), z.unknown()) }).passthrough();

/** The intents of this environment whose outcome is still being found out. */
export function openIntents(
  intents: OrderIntentRepository,
  environment: EnvironmentId,
  now: number,
  followUpMs = DEFAULT_FOLLOW_UP_MS,
): OrderIntent[] {
  return [...intents.listUnfinished(environment), ...intents.listNotPlacedSince(environment, now - followUpMs)];
}

export function createBackgroundReconciler(deps: BackgroundReconcilerDeps, intentsToCheck: readonly OrderIntent[]): BackgroundReconciler {
  const clock = deps.clock ?? systemClock;
  const followUpMs = deps.tuning?.followUpMs ?? DEFAULT_FOLLOW_UP_MS;
  const store = createOrderStateStore();
  const reconciler = createReconciler({
    rest: deps.rest,
    orders: store,
    clock,
    followUpMs,
    ...(deps.tuning?.graceMs !== undefined ? { graceMs: deps.tuning.graceMs } : {}),
    ...(deps.tuning?.backoff !== undefined ? { backoff: deps.tuning.backoff } : {}),
    ...(deps.tuning?.followUpBackoff !== undefined ? { followUpBackoff: deps.tuning.followUpBackoff } : {}),
  });
  const oco = createOcoPlacer({
    rest: deps.rest,
    orders: store,
    clock,
    ...(deps.tuning?.ocoGraceMs !== undefined ? { graceMs: deps.tuning.ocoGraceMs } : {}),
    ...(deps.tuning?.ocoBackoff !== undefined ? { backoff: deps.tuning.ocoBackoff } : {}),
  });
  const repo = createOrdersRepository(deps.database.db);
  const owned = new Map<string, OrderIntent>();
  for (const i of intentsToCheck) owned.set(i.clientOrderId, i);
  const open = new Set(owned.keys());
  /** When each "not placed" stops being looked for. */
  const followUntil = new Map<string, number>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let resolveDone: () => void = () => undefined;
  const donePromise = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const finish = (): void => {
    if (stopped) return;
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    unsubscribeOrders();
    unsubscribeOco();
    reconciler.dispose();
    oco.dispose();
    deps.onDone?.();
    resolveDone();
  };

  /** Done when nothing is open; a "not placed" stays open until its follow-up window ends. */
  const check = (): void => {
    if (stopped) return;
    const t = clock.now();
    for (const [id, until] of followUntil)
      if (until <= t) {
        followUntil.delete(id);
        open.delete(id);
      }
    if (open.size === 0) {
      finish();
      return;
    }
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const next = Math.min(...[...followUntil.values()]);
    if (Number.isFinite(next)) timer = setTimeout(check, Math.max(0, next - t) + 1);
  };

  const record = (view: OrderOutcomeView, previous: string | undefined, inferred: boolean): void => {
    if (!owned.has(view.clientOrderId)) return;
    try {
      deps.database.orderIntents.updateState(view.clientOrderId, {
        state: journalState(view.status, inferred),
        at: clock.now(),
        lastError: view.status === 'rejected' || view.status === 'not-placed' ? view.message : null,
        exchangeOrderId: view.kind === 'order' ? (view.orders[0]?.orderId ?? null) : view.orderListId,
      });
      repo.putOutcome({
        clientOrderId: view.clientOrderId,
        environment: deps.environment,
        kind: view.kind,
        symbol: view.symbol,
        status: view.status,
        view,
        updatedAt: clock.now(),
      });
    } catch {
      // The notice below still tells the person; the journal keeps its last state.
    }
    const notice = outcomeNotice(view, previous);
    if (notice !== null) deps.notify({ ...notice, message: `${deps.environmentLabel}: ${notice.message}` });
    if (view.status === 'not-placed' && inferred) {
      followUntil.set(view.clientOrderId, clock.now() + followUpMs);
    } else if (isSettledStatus(view.status)) {
      followUntil.delete(view.clientOrderId);
      open.delete(view.clientOrderId);
    }
    check();
  };

  const unsubscribeOrders = reconciler.outcomes.subscribe((o, prev) =>
    record(orderOutcomeView(o), prev?.status, o.status === 'not-placed' && o.verified),
  );
  const lastOco = new Map<string, string>();
  const unsubscribeOco = oco.subscribe((o) => {
    const prev = lastOco.get(o.listClientOrderId);
    lastOco.set(o.listClientOrderId, o.status);
    record(ocoOutcomeView(o), prev, o.status === 'not-placed' && o.verified === true);
  });

  for (const i of owned.values()) {
    const parsed = IntentPayload.safeParse(i.payload);
    const kind = parsed.success ? parsed.data.kind : 'order';
    if (i.state === 'not-placed') {
      // Only plain orders have a follow-up to resume; an OCO "not placed" is final here.
      const resumed =
        kind === 'order' &&
        parsed.success &&
        ConfirmedOrderSchema.safeParse(parsed.data.order).success &&
        reconciler.resumeFollowUp(
          i.clientOrderId,
          i.symbol,
          i.updatedAt,
          i.lastError ?? notPlacedReason('order', i.updatedAt - i.createdAt),
        );
      if (resumed) followUntil.set(i.clientOrderId, i.updatedAt + followUpMs);
      else open.delete(i.clientOrderId);
      continue;
    }
    const work =
      kind === 'oco'
        ? oco.reconcile(i.clientOrderId, i.symbol, i.createdAt)
        : reconciler.reconcile(i.clientOrderId, i.symbol, 'restart', i.createdAt);
    void work.catch(() => undefined);
  }
  check();

  return {
    environment: deps.environment,
    owns: (id) => owned.has(id) && !stopped,
    openCount: () => (stopped ? 0 : open.size),
    done: () => donePromise,
    stop: finish,
  };
}
