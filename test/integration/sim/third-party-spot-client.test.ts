// Seam: the simulator's HTTP surface as a third-party spot client uses it. The requests below are
// the ones ccxt's binance (4.5.x, default options, API key and secret set, spot markets only)
// makes for loadMarkets, fetchBalance, createOrder, cancelOrder and fetchMyTrades, in its order
// and with its signing (every /sapi call signed with timestamp + recvWindow, X-MBX-APIKEY header).
// ccxt itself is not a dependency: the README says which client versions were run by hand.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5 });
});
afterAll(async () => {
  await sim.stop();
});

interface Reply {
  status: number;
  body: unknown;
}

/** A request as ccxt sends it: signed ones carry timestamp, recvWindow and an HMAC signature. */
async function call(method: 'GET' | 'POST' | 'DELETE', path: string, params: Record<string, string> = {}, sign = true): Promise<Reply> {
  let query = new URLSearchParams(params).toString();
  if (sign) {
    query = new URLSearchParams({ ...params, timestamp: String(Date.now()), recvWindow: '10000' }).toString();
    query += `&signature=${createHmac('sha256', sim.apiSecret).update(query).digest('hex')}`;
  }
  const res = await fetch(`${sim.restUrl}${path}${query === '' ? '' : `?${query}`}`, { method, headers: { 'X-MBX-APIKEY': sim.apiKey } });
  return { status: res.status, body: (await res.json()) as unknown };
}

type Row = Record<string, unknown>;

describe('a third-party spot client with a key (ccxt-like loadMarkets, then spot calls)', () => {
  it('loadMarkets: coin list, cross and isolated margin pairs and exchangeInfo all answer 200 with Binance fields', async () => {
    // fetchCurrencies: the coin list and the cross-margin pairs, in parallel
    const [coins, cross] = await Promise.all([call('GET', '/sapi/v1/capital/config/getall'), call('GET', '/sapi/v1/margin/allPairs')]);
    expect(coins.status).toBe(200);
    const list = coins.body as Row[];
    const usdt = list.find((c) => c['coin'] === 'USDT');
    expect(usdt).toMatchObject({
      coin: 'USDT',
      name: expect.any(String),
      trading: true,
      isLegalMoney: false,
      depositAllEnable: false,
      withdrawAllEnable: false,
      networkList: [],
    });
    // the coin list carries this key's balances
    expect(Number(usdt?.['free'])).toBeGreaterThan(0);
    expect(list.map((c) => c['coin'])).toEqual(expect.arrayContaining(['BTC', 'ETH', 'BNB']));

    expect(cross.status).toBe(200);
    const pairs = cross.body as Row[];
    expect(pairs.find((p) => p['symbol'] === 'BTCUSDT')).toEqual({
      base: 'BTC',
      id: expect.any(Number),
      isBuyAllowed: true,
      isMarginTrade: true,
      isSellAllowed: true,
      quote: 'USDT',
      symbol: 'BTCUSDT',
    });

    // fetchMarkets (spot): exchangeInfo and both margin lists; the lists agree with exchangeInfo
    const [info, cross2, isolated] = await Promise.all([
      call('GET', '/api/v3/exchangeInfo', {}, false),
      call('GET', '/sapi/v1/margin/allPairs'),
      call('GET', '/sapi/v1/margin/isolated/allPairs'),
    ]);
    expect([info.status, cross2.status, isolated.status]).toEqual([200, 200, 200]);
    const symbols = (info.body as { symbols: Row[] }).symbols;
    const marginable = symbols
      .filter((s) => s['isMarginTradingAllowed'] === true)
      .map((s) => s['symbol'])
      .sort();
    expect(marginable.length).toBeGreaterThan(0);
    expect((cross2.body as Row[]).map((p) => p['symbol']).sort()).toEqual(marginable);
    expect((isolated.body as Row[]).map((p) => p['symbol']).sort()).toEqual(marginable);
    expect((isolated.body as Row[])[0]).toEqual({
      symbol: expect.any(String),
      base: expect.any(String),
      quote: expect.any(String),
      isMarginTrade: true,
      isBuyAllowed: true,
      isSellAllowed: true,
    });
  });

  it('the margin pair list needs the API key but no signature (MARKET_DATA); the signed lists refuse a bad signature', async () => {
    expect((await call('GET', '/sapi/v1/margin/allPairs', {}, false)).status).toBe(200);
    expect((await call('GET', '/sapi/v1/margin/allPairs', { symbol: 'ETHUSDT' }, false)).body).toEqual([
      expect.objectContaining({ symbol: 'ETHUSDT' }),
    ]);
    const noKey = await fetch(`${sim.restUrl}/sapi/v1/margin/allPairs`);
    expect(noKey.status).toBe(401);
    const bad = await fetch(`${sim.restUrl}/sapi/v1/capital/config/getall?timestamp=${Date.now()}&signature=${'0'.repeat(64)}`, {
      headers: { 'X-MBX-APIKEY': sim.apiKey },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: -1022 });
  });

  it('then the spot calls: balance, place and cancel a limit order, a market order and its trade', async () => {
    const account = await call('GET', '/api/v3/account');
    expect(account.status).toBe(200);
    const tickers = await call('GET', '/api/v3/ticker/24hr', { symbol: 'BTCUSDT' }, false);
    expect(tickers.status).toBe(200);
    const bid = Number((tickers.body as Row)['bidPrice']);
    const price = (Math.floor(bid * 0.9 * 100) / 100).toFixed(2);
    const placed = await call('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      type: 'LIMIT',
      side: 'BUY',
      quantity: '0.001',
      price,
      timeInForce: 'GTC',
      newClientOrderId: 'x-third-party-1',
      newOrderRespType: 'FULL',
    });
    expect(placed).toMatchObject({ status: 200, body: { status: 'NEW' } });
    const canceled = await call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: String((placed.body as Row)['orderId']) });
    expect(canceled).toMatchObject({ status: 200, body: { status: 'CANCELED' } });
    const market = await call('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      type: 'MARKET',
      side: 'BUY',
      quantity: '0.001',
      newClientOrderId: 'x-third-party-2',
      newOrderRespType: 'FULL',
    });
    expect(market).toMatchObject({ status: 200, body: { status: 'FILLED' } });
    const trades = await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(trades.status).toBe(200);
    expect((trades.body as Row[]).map((t) => t['orderId'])).toContain((market.body as Row)['orderId']);
  });
});
