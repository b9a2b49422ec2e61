/**
 * Shared set-up for the order API integration tests: a REST client against the simulator whose
 * fetch records every request (to count POSTs) and can, for chosen requests, forward them and then
 * replace the answer with a 503 -1007 (the request executed, the answer was lost).
 */
import { z } from 'zod';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { createOrderApi, type OrderApi, type OrderApiOptions, type OrderIntent } from '../../../src/main/exchange/order-api';
import { createRateLimitGovernor } from '../../../src/main/exchange/rate-limit';
import { createRestClient, type RestClient } from '../../../src/main/exchange/rest-client';
import { createTimeSync, type TimeSync } from '../../../src/main/exchange/time-sync';
import type { OrderDraft } from '../../../src/main/exchange/filters';
import type { Simulator } from '../../../src/main/sim/simulator';
import { dec, formatDecimal, snapToTick } from '../../../src/shared/money';
import { until } from '../../helpers/until';

export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
}

export interface Harness {
  readonly api: OrderApi;
  readonly rest: RestClient;
  readonly timeSync: TimeSync;
  readonly sent: SentRequest[];
  /**
   * Requests whose answer is lost after the simulator handled them: true/'503' -> a 503 -1007
   * instead, 'reset' -> the connection drops (ECONNRESET) before the answer is read.
   */
  loseAnswer: ((r: SentRequest) => boolean | '503' | 'reset') | null;
  posts(clientOrderId?: string): number;
  /** The simulator's orders on this symbol (optionally with this clientOrderId), read directly. */
  allOrders(symbol: string, clientOrderId?: string): Promise<readonly SimOrderRow[]>;
  dispose(): void;
}

const SimOrderRow = z.object({
  orderId: z.union([z.string(), z.number()]).transform(String),
  clientOrderId: z.string(),
  status: z.string(),
});
export type SimOrderRow = z.infer<typeof SimOrderRow>;

export function orderHarness(
  sim: Simulator,
  opts: Partial<OrderApiOptions> & { apiKey?: string; apiSecret?: string; restTimeoutMs?: number } = {},
): Harness {
  const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
  const sent: SentRequest[] = [];
  const harness: { loseAnswer: Harness['loseAnswer'] } = { loseAnswer: null };
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const params = new URLSearchParams(url.search);
    if (typeof init?.body === 'string') for (const [k, v] of new URLSearchParams(init.body)) params.append(k, v);
    const req: SentRequest = { method: init?.method ?? 'GET', path: url.pathname, params };
    sent.push(req);
    const res = await fetch(input, init);
    const lose = harness.loseAnswer?.(req) ?? false;
    if (lose === 'reset') {
      await res.text();
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    }
    if (lose) {
      await res.text();
      return new Response(
        JSON.stringify({
          code: -1007,
          msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
        }),
        {
          status: 503,
          headers: { 'Content-Type': 'application/json' },
        },
      );
    }
    return res;
  };
  const governor = createRateLimitGovernor();
  const timeSync = createTimeSync({ env, fetchImpl, governor });
  const rest = createRestClient({
    env,
    timeSync,
    governor,
    fetchImpl,
    timeoutMs: opts.restTimeoutMs ?? 15_000,
    credentials: createCredentials({ type: 'HMAC', apiKey: opts.apiKey ?? sim.apiKey, secret: opts.apiSecret ?? sim.apiSecret }),
  });
  const api = createOrderApi({
    rest,
    graceMs: 400,
    backoff: { baseMs: 40, capMs: 160, minMs: 20 },
    placeTimeoutMs: 2_000,
    cancelCheckMs: 3_000,
    cancelBackoff: { baseMs: 40, capMs: 160, minMs: 20 },
    ...opts,
  });
  return {
    api,
    rest,
    timeSync,
    sent,
    get loseAnswer() {
      return harness.loseAnswer;
    },
    set loseAnswer(v) {
      harness.loseAnswer = v;
    },
    posts: (id) =>
      sent.filter((r) => r.method === 'POST' && r.path === '/api/v3/order' && (id === undefined || r.params.get('newClientOrderId') === id))
        .length,
    async allOrders(symbol, clientOrderId) {
      const rows = await rest.request({
        method: 'GET',
        path: '/api/v3/allOrders',
        params: { symbol, limit: 1000 },
        security: 'USER_DATA',
        weight: 20,
        schema: z.array(SimOrderRow),
      });
      return clientOrderId === undefined ? rows : rows.filter((r) => r.clientOrderId === clientOrderId);
    },
    dispose: () => api.dispose(),
  };
}

/** A BUY LIMIT well under the market: it rests (status NEW). */
export function restingBuy(sim: Simulator, symbol = 'BTCUSDT', qty = '0.00100'): OrderDraft {
  const price = formatDecimal(snapToTick(dec(sim.market.lastPrice(symbol)).mul('0.8'), '0.01', 'down'));
  return { symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: qty, price };
}

/** A small MARKET BUY: it fills at once. */
export function marketBuy(symbol = 'BTCUSDT', quote = '20'): OrderDraft {
  return { symbol, side: 'BUY', type: 'MARKET', quoteOrderQty: quote };
}

export function intent(api: OrderApi, order: OrderDraft): OrderIntent {
  return { clientOrderId: api.newClientOrderId(), order };
}

// the shared poll-until helper (test/helpers), where the order tests import it from
export { until };
