import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator } from '../../../src/main/sim/simulator';
import type { Simulator } from '../../../src/main/sim/simulator';

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ seed: 5 });
});
afterEach(async () => {
  await sim.stop();
});

/** Signing written from https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md (query string, HMAC-SHA256 hex). */
function signed(params: Record<string, string>): string {
  const q = new URLSearchParams({ ...params, timestamp: String(sim.clock.now()) }).toString();
  return `${q}&signature=${createHmac('sha256', sim.apiSecret).update(q).digest('hex')}`;
}

async function post(path: string, params: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.restUrl}${path}?${signed(params)}`, { method: 'POST', headers: { 'X-MBX-APIKEY': sim.apiKey } });
  return { status: res.status, body: await res.json() };
}

async function openOrderCount(): Promise<number> {
  const res = await fetch(`${sim.restUrl}/api/v3/openOrders?${signed({})}`, { headers: { 'X-MBX-APIKEY': sim.apiKey } });
  return ((await res.json()) as unknown[]).length;
}

const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '1000' };

describe('-1104 Not all sent parameters were read (REST)', () => {
  it('a misspelled timeInForce is refused with the counts Binance reports (7 read of 8)', async () => {
    const r = await post('/api/v3/order', { ...order, timeInforce: 'GTC' });
    // symbol side type quantity price timestamp signature read; timeInforce not.
    expect(r).toEqual({
      status: 400,
      body: { code: -1104, msg: "Not all sent parameters were read; read '7' parameter(s) but was sent '8'." },
    });
    expect(await openOrderCount()).toBe(0);
  });

  it('an extra foo=bar does not place the order', async () => {
    const r = await post('/api/v3/order', { ...order, timeInForce: 'GTC', foo: 'bar' });
    expect(r.body).toEqual({ code: -1104, msg: "Not all sent parameters were read; read '8' parameter(s) but was sent '9'." });
    expect(await openOrderCount()).toBe(0);
    const avg = (await (await fetch(`${sim.restUrl}/api/v3/avgPrice?symbol=BTCUSDT`)).json()) as { price: string };
    const price = Math.floor(Number(avg.price) * 0.95).toString();
    const ok = await post('/api/v3/order', { ...order, price, timeInForce: 'GTC', recvWindow: '5000' });
    expect(ok).toMatchObject({ status: 200, body: { status: 'NEW' } });
    expect(await openOrderCount()).toBe(1);
  });

  it('public routes check too; their documented parameters pass', async () => {
    const bad = await fetch(`${sim.restUrl}/api/v3/ticker/price?symbol=BTCUSDT&foo=1`);
    expect([bad.status, await bad.json()]).toEqual([
      400,
      { code: -1104, msg: "Not all sent parameters were read; read '1' parameter(s) but was sent '2'." },
    ]);
    const good = await fetch(`${sim.restUrl}/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=2&timeZone=0`);
    expect(good.status).toBe(200);
    const time = await fetch(`${sim.restUrl}/api/v3/time?x=1`);
    expect(((await time.json()) as { code: number }).code).toBe(-1104);
  });
});

describe('-1104 on the WebSocket API', () => {
  const call = async (msg: object): Promise<Record<string, unknown>> => {
    const ws = new WebSocket(sim.wsApiUrl);
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = new Promise<Record<string, unknown>>((resolve) =>
        ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>)),
      );
      ws.send(JSON.stringify(msg));
      return await reply;
    } finally {
      ws.terminate();
    }
  };

  it('time with an unknown parameter is 400 -1104; returnRateLimits is read by every method', async () => {
    const bad = await call({ id: 1, method: 'time', params: { foo: 1 } });
    expect(bad).toMatchObject({
      id: 1,
      status: 400,
      error: { code: -1104, msg: "Not all sent parameters were read; read '0' parameter(s) but was sent '1'." },
    });
    const ok = await call({ id: 2, method: 'time', params: { returnRateLimits: false } });
    expect(ok).toMatchObject({ id: 2, status: 200 });
  });
});
