/**
 * Placing over the WebSocket API (order.place) keeps the REST placement's safety rules: one send,
 * no retry, an unknown outcome (lost answer, dropped socket) reconciled by clientOrderId, a
 * rejection reported as such - against the simulator, whose order.place runs the same engine.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { createTimeSync } from '../../../src/main/exchange/time-sync';
import { createWsApiConnection, type WsApiConnection, type WsParams } from '../../../src/main/exchange/ws-api-connection';
import { createWsPlaceTransport } from '../../../src/main/exchange/ws-order-transport';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { intent, marketBuy, orderHarness, restingBuy, until, type Harness } from './orders-harness';

let sim: Simulator;
const open: Array<{ h: Harness; ws: WsApiConnection }> = [];

beforeAll(async () => {
  sim = await startSimulator({ seed: 11 });
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  for (const { h, ws } of open.splice(0)) {
    h.dispose();
    ws.dispose();
  }
  sim.faults.reset();
});

/** An order API that places over the WS API (and reconciles over REST), counting order.place sends. */
async function wsHarness(): Promise<{ h: Harness; places: () => number }> {
  const env = simulatorEnvironment({ restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl });
  const ws = createWsApiConnection({ url: env.wsApiUrl, backoff: { baseMs: 20, capMs: 100 } });
  ws.start();
  await until(async () => {
    try {
      await ws.request('ping');
      return true;
    } catch {
      return false;
    }
  }, 'the WebSocket API connection');
  let places = 0;
  const counting = {
    request: <T>(method: string, params?: WsParams, options?: Parameters<WsApiConnection['request']>[2]): Promise<T> => {
      if (method === 'order.place') places += 1;
      return ws.request<T>(method, params, options);
    },
  };
  const transport = createWsPlaceTransport({
    wsApi: counting,
    credentials: createCredentials({ type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret }),
    timeSync: createTimeSync({ env }),
  });
  const h = orderHarness(sim, { placeTransport: transport });
  open.push({ h, ws });
  return { h, places: () => places };
}

describe('placing over the WebSocket API', () => {
  it('a resting LIMIT is accepted, once, and nothing goes over REST POST', async () => {
    const { h, places } = await wsHarness();
    const i = intent(h.api, restingBuy(sim));
    const out = await h.api.place(i);
    expect(out.status).toBe('accepted');
    expect(places()).toBe(1);
    expect(h.posts()).toBe(0);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
    // A second place() of the same intent sends nothing.
    expect((await h.api.place(i)).status).toBe('accepted');
    expect(places()).toBe(1);
  });

  it("a rejection is reported with Binance's code, and the intent may be resubmitted", async () => {
    const { h, places } = await wsHarness();
    // More than the account's USDT can pay for: -2010.
    const i = intent(h.api, { ...restingBuy(sim), quantity: '1.00000' });
    const out = await h.api.place(i);
    expect(out.status).toBe('rejected');
    expect(out).toMatchObject({ code: -2010 });
    expect(places()).toBe(1);
    // Nothing was placed, so resubmitting the same intent goes to the wire again (same id).
    expect((await h.api.place(i)).status).toBe('rejected');
    expect(places()).toBe(2);
  });

  it('a lost answer (-1006, the order executed) is unknown, then reconciled by clientOrderId, never resent', async () => {
    const { h, places } = await wsHarness();
    sim.faults.state.orderFaults.push({ kind: 'code-1006', execute: true });
    const i = intent(h.api, marketBuy());
    const first = await h.api.place(i);
    expect(first.status).toBe('unknown');
    const settled = await h.api.whenSettled(i.clientOrderId);
    expect(settled.status).toBe('filled');
    expect(places()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });

  it('a socket that drops with the placement pending is unknown, then reconciled; no second order', async () => {
    const { h, places } = await wsHarness();
    // The engine executes at once; the answer is held back, and the socket dies meanwhile.
    const lockedUsdt = (): number => Number(sim.accounts.balances(sim.demoAccountId).find((b) => b.asset === 'USDT')?.locked ?? '0');
    const before = lockedUsdt();
    sim.faults.state.latencyMs = 5_000;
    const i = intent(h.api, restingBuy(sim));
    const pending = h.api.place(i);
    // The order rests (its USDT is locked) while the answer is still held back.
    await until(() => lockedUsdt() > before, 'the order to rest');
    sim.faults.closeAll('ws-api');
    const first = await pending;
    expect(first.status).toBe('unknown');
    sim.faults.state.latencyMs = 0;
    const settled = await h.api.whenSettled(i.clientOrderId);
    expect(settled.status).toBe('accepted');
    expect(places()).toBe(1);
    expect(await h.allOrders('BTCUSDT', i.clientOrderId)).toHaveLength(1);
  });
});
