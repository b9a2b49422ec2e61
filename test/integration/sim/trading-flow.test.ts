/**
 * The EXCHANGE part over real sockets: signed REST order flows against the composed simulator,
 * with the user data events checked on a WS API subscription.
 */
import { createHmac } from 'node:crypto';
import Decimal from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';

let sim: Simulator;
let ws: WebSocket | undefined;

beforeEach(async () => {
  sim = await startSimulator({ seed: 11 });
});
afterEach(async () => {
  ws?.terminate();
  ws = undefined;
  await sim.stop();
});

/** REST signature: HMAC-SHA256 over the percent-encoded query string (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § SIGNED). */
async function rest(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; text: string; body: Record<string, unknown> & unknown[] }> {
  const query = new URLSearchParams({ ...params, timestamp: String(sim.clock.now()) }).toString();
  const signature = createHmac('sha256', sim.apiSecret).update(query).digest('hex');
  const res = await fetch(`${sim.restUrl}${path}?${query}&signature=${signature}`, { method, headers: { 'X-MBX-APIKEY': sim.apiKey } });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> & unknown[] };
}

interface Envelope {
  subscriptionId: number;
  event: Record<string, unknown> & { e: string };
}

/** A WS API connection subscribed to the demo account's user data; collects event envelopes. */
async function subscribe(): Promise<Envelope[]> {
  const socket = new WebSocket(sim.wsApiUrl);
  ws = socket;
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const events: Envelope[] = [];
  const replies: Array<Record<string, unknown>> = [];
  socket.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as Record<string, unknown>;
    if ('event' in msg) events.push(msg as unknown as Envelope);
    else replies.push(msg);
  });
  const params: Record<string, string | number> = { apiKey: sim.apiKey, timestamp: sim.clock.now() };
  const payload = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  params['signature'] = createHmac('sha256', sim.apiSecret).update(payload).digest('hex');
  socket.send(JSON.stringify({ id: 'sub', method: 'userDataStream.subscribe.signature', params }));
  await waitFor(() => replies.some((r) => r['id'] === 'sub'));
  expect(replies.find((r) => r['id'] === 'sub')).toMatchObject({ status: 200 });
  return events;
}

async function waitFor(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const tick = (price: Decimal): string => price.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2);

describe('trading over HTTP with events over the WS API', () => {
  it('places, queries, rejects a duplicate, cancels; events arrive in order in the envelope', async () => {
    const events = await subscribe();
    const last = new Decimal(sim.market.lastPrice('BTCUSDT'));
    const price = tick(last.mul('0.8'));
    const placed = await rest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price,
      newClientOrderId: 'it-1',
    });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({
      symbol: 'BTCUSDT',
      clientOrderId: 'it-1',
      status: 'NEW',
      price: new Decimal(price).toFixed(8),
      origQty: '0.00100000',
      fills: [],
    });
    await waitFor(() => events.some((e) => e.event.e === 'outboundAccountPosition'), 'position event');
    expect(events.map((e) => e.event.e)).toEqual(['executionReport', 'outboundAccountPosition']);
    expect(events[0]!.event).toMatchObject({ x: 'NEW', X: 'NEW', c: 'it-1', i: placed.body['orderId'] });

    const dup = await rest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price,
      newClientOrderId: 'it-1',
    });
    expect([dup.status, dup.body['code'], dup.body['msg']]).toEqual([400, -2010, 'Duplicate order sent.']);
    const filter = await rest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: `${price}1`,
    });
    expect(filter.body).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });

    const q = await rest('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'it-1' });
    expect(q.body).toMatchObject({ status: 'NEW', isWorking: true, orderId: placed.body['orderId'] });
    const open = await rest('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open.body.length).toBe(1);

    const cancel = await rest('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'it-1', newClientOrderId: 'it-cancel' });
    expect(cancel.body).toMatchObject({ status: 'CANCELED', origClientOrderId: 'it-1', clientOrderId: 'it-cancel' });
    await waitFor(() => events.length >= 4, 'cancel events');
    expect(events[2]!.event).toMatchObject({ e: 'executionReport', x: 'CANCELED', C: 'it-1', c: 'it-cancel' });
    expect(events[3]!.event.e).toBe('outboundAccountPosition');
    const gone = await rest('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'it-1' });
    expect(gone.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
  });

  it('a resting order fills as the market moves; MARKET fills; big ids are bare JSON digits', async () => {
    const events = await subscribe();
    const last = new Decimal(sim.market.lastPrice('BTCUSDT'));
    const price = new Decimal(tick(last.mul('0.9')));
    const placed = await rest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.002',
      price: price.toFixed(2),
      newClientOrderId: 'it-rest',
    });
    expect(placed.body['status']).toBe('NEW');
    // Move the market through the order's price until it is filled (possibly over several ticks).
    for (let i = 0; i < 20 && !events.some((e) => e.event['c'] === 'it-rest' && e.event['X'] === 'FILLED'); i++) {
      sim.market.setPrice('BTCUSDT', price.mul('0.99').toDecimalPlaces(2).toFixed(2));
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => events.some((e) => e.event['c'] === 'it-rest' && e.event['X'] === 'FILLED'), 'fill');
    const trades = events.filter((e) => e.event['c'] === 'it-rest' && e.event['x'] === 'TRADE').map((e) => e.event);
    expect(trades.length).toBeGreaterThanOrEqual(2);
    expect(trades[0]).toMatchObject({ X: 'PARTIALLY_FILLED', m: true, L: price.toFixed(8) });
    const mine = await rest('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', orderId: String(placed.body['orderId']) });
    expect(mine.body.length).toBe(trades.length);

    sim.faults.state.bigIds = true;
    const m = await rest('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001' });
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/"orderId":9007199254740\d{3},/);
    expect(m.text).toMatch(/"tradeId":9007199254740\d{3}/);
    expect(m.body['status']).toBe('FILLED');
  });

  it('an order fault with execution: the reply is 5xx but the order exists and its events were sent', async () => {
    const events = await subscribe();
    sim.faults.state.orderFaults.push({ kind: 'http500', execute: true });
    const price = tick(new Decimal(sim.market.lastPrice('ETHUSDT')).mul('0.7'));
    const r = await rest('POST', '/api/v3/order', {
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price,
      newClientOrderId: 'it-fault',
    });
    expect(r.status).toBe(500);
    await waitFor(() => events.some((e) => e.event['c'] === 'it-fault'), 'event of the faulted order');
    const q = await rest('GET', '/api/v3/order', { symbol: 'ETHUSDT', origClientOrderId: 'it-fault' });
    expect(q.body['status']).toBe('NEW');
  });
});
