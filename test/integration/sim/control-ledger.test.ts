/**
 * GET /__control/ledger: the exchange's own records of the demo account (orders, trades,
 * balances), read-only, for crash tests that compare Perch against the simulator's truth.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, marketStepMs: 3_600_000 });
});
afterAll(async () => {
  await sim.stop();
});

function signed(params: Record<string, string>): string {
  const q = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
  return `${q}&signature=${createHmac('sha256', sim.apiSecret).update(q).digest('hex')}`;
}

async function post(params: Record<string, string>): Promise<{ orderId: number | string; status: string }> {
  const res = await fetch(`${sim.restUrl}/api/v3/order`, {
    method: 'POST',
    headers: { 'X-MBX-APIKEY': sim.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: signed(params),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { orderId: number | string; status: string };
}

interface Ledger {
  orders: Array<{ clientOrderId: string; orderId: string; status: string; listClientOrderId: string | null; executedQty: string }>;
  trades: Array<{ orderId: string; qty: string }>;
  balances: Array<{ asset: string; free: string; locked: string }>;
}

describe('the control ledger', () => {
  it('lists every order with its client id and status, the trades of the filled one, and the balances the account shows', async () => {
    const filled = await post({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'ledger-market-1' });
    const price = (Number(sim.market.lastPrice('BTCUSDT')) * 0.5).toFixed(2);
    const resting = await post({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price,
      newClientOrderId: 'ledger-limit-1',
    });

    const res = await fetch(`${sim.controlUrl}/ledger`, { headers: { Authorization: `Bearer ${sim.controlToken}` } });
    expect(res.status).toBe(200);
    const ledger = (await res.json()) as Ledger;
    const byClient = new Map(ledger.orders.map((o) => [o.clientOrderId, o]));
    expect(byClient.get('ledger-market-1')).toMatchObject({
      orderId: String(filled.orderId),
      status: 'FILLED',
      listClientOrderId: null,
      executedQty: '0.00100000',
    });
    expect(byClient.get('ledger-limit-1')).toMatchObject({ orderId: String(resting.orderId), status: 'NEW', executedQty: '0.00000000' });
    const trades = ledger.trades.filter((t) => t.orderId === String(filled.orderId));
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.reduce((s, t) => s + Number(t.qty), 0)).toBeCloseTo(0.001, 8);

    const account = await fetch(`${sim.restUrl}/api/v3/account?${signed({})}`, { headers: { 'X-MBX-APIKEY': sim.apiKey } });
    const shown = ((await account.json()) as { balances: Ledger['balances'] }).balances.filter(
      (b) => Number(b.free) > 0 || Number(b.locked) > 0,
    );
    const listed = new Map(ledger.balances.map((b) => [b.asset, b]));
    for (const b of shown) expect(listed.get(b.asset), b.asset).toMatchObject({ free: b.free, locked: b.locked });
    expect(Number(listed.get('USDT')?.locked)).toBeGreaterThan(0);
  });

  it('answers only with the control token', async () => {
    expect((await fetch(`${sim.controlUrl}/ledger`)).status).toBe(403);
  });
});
