import { describe, expect, it } from 'vitest';
import { createHarness, obj, arr, ACCOUNT } from './matching-fake-market';

const place = (h: ReturnType<typeof createHarness>, p: Record<string, string>) =>
  h.call('POST', '/api/v3/order', { symbol: 'BTCUSDT', ...p });

describe('MARKET orders', () => {
  it('buys by quantity at the best ask, pays the discounted commission in BNB and emits NEW, TRADE, position', async () => {
    const h = createHarness();
    const r = obj(await place(h, { side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'm1' }));
    expect(r).toMatchObject({
      symbol: 'BTCUSDT',
      orderListId: -1,
      clientOrderId: 'm1',
      price: '0.00000000',
      origQty: '0.00100000',
      executedQty: '0.00100000',
      cummulativeQuoteQty: '60.00001000',
      status: 'FILLED',
      timeInForce: 'GTC',
      type: 'MARKET',
      side: 'BUY',
      origQuoteOrderQty: '0.00000000',
      selfTradePreventionMode: 'EXPIRE_MAKER',
    });
    expect(typeof r['orderId']).toBe('bigint');
    expect(r['workingTime']).toBe(r['transactTime']);
    // 0.001 BTC * 0.1% = 0.000001 BTC = 0.06 USDT = 0.0001 BNB, less the 25% discount.
    expect(r['fills']).toEqual([
      { price: '60000.01000000', qty: '0.00100000', commission: '0.00007500', commissionAsset: 'BNB', tradeId: 1n },
    ]);
    expect(h.balance('BTC')).toEqual({ free: '2.00100000', locked: '0.00000000' });
    expect(h.balance('USDT').free).toBe('99939.99999000');
    expect(h.balance('BNB').free).toBe('49.99992500');

    const ev = h.drain();
    expect(ev.map((e) => e.e)).toEqual(['executionReport', 'executionReport', 'outboundAccountPosition']);
    expect(ev[0]).toMatchObject({
      x: 'NEW',
      X: 'NEW',
      c: 'm1',
      C: '',
      S: 'BUY',
      o: 'MARKET',
      f: 'GTC',
      q: '0.00100000',
      p: '0.00000000',
      P: '0.00000000',
      F: '0.00000000',
      g: -1,
      r: 'NONE',
      l: '0.00000000',
      z: '0.00000000',
      L: '0.00000000',
      n: '0',
      N: null,
      t: -1,
      w: true,
      m: false,
      M: false,
      Z: '0.00000000',
      Y: '0.00000000',
      Q: '0.00000000',
      V: 'EXPIRE_MAKER',
    });
    expect(ev[1]).toMatchObject({
      x: 'TRADE',
      X: 'FILLED',
      l: '0.00100000',
      z: '0.00100000',
      L: '60000.01000000',
      n: '0.00007500',
      N: 'BNB',
      t: 1n,
      w: false,
      m: false,
      M: true,
      Z: '60.00001000',
      Y: '60.00001000',
    });
    for (const k of [
      'e',
      'E',
      's',
      'c',
      'S',
      'o',
      'f',
      'q',
      'p',
      'P',
      'F',
      'g',
      'C',
      'x',
      'X',
      'r',
      'i',
      'l',
      'z',
      'L',
      'n',
      'N',
      'T',
      't',
      'I',
      'w',
      'm',
      'M',
      'O',
      'Z',
      'Y',
      'Q',
      'W',
      'V',
    ]) {
      expect(ev[1]).toHaveProperty(k);
    }
    expect(Number(ev[1]!['I'])).toBeGreaterThan(Number(ev[0]!['I']));
    const pos = ev[2]!;
    expect(pos).toMatchObject({ e: 'outboundAccountPosition' });
    expect(new Set((pos['B'] as { a: string }[]).map((b) => b.a))).toEqual(new Set(['BTC', 'USDT', 'BNB']));
  });

  it('walks several book levels (slippage)', async () => {
    const h = createHarness();
    h.market.setLevelQty('BTCUSDT', '0.4');
    const r = obj(await place(h, { side: 'BUY', type: 'MARKET', quantity: '1' }));
    expect(arr(r['fills']).map((f) => [f['price'], f['qty']])).toEqual([
      ['60000.01000000', '0.40000000'],
      ['60000.02000000', '0.40000000'],
      ['60000.03000000', '0.20000000'],
    ]);
    expect(r['cummulativeQuoteQty']).toBe('60000.01800000');
  });

  it('expires the rest with INSUFFICIENT_LIQUIDITY when the book runs out', async () => {
    const h = createHarness();
    h.market.setLevels('BTCUSDT', 2);
    h.market.setLevelQty('BTCUSDT', '0.1');
    const r = obj(await place(h, { side: 'SELL', type: 'MARKET', quantity: '0.5' }));
    expect(r).toMatchObject({ status: 'EXPIRED', executedQty: '0.20000000', expiryReason: 'INSUFFICIENT_LIQUIDITY' });
    const ev = h.drain().filter((e) => e.e === 'executionReport');
    expect(ev.map((e) => `${String(e['x'])}/${String(e['X'])}`)).toEqual([
      'NEW/NEW',
      'TRADE/PARTIALLY_FILLED',
      'TRADE/PARTIALLY_FILLED',
      'EXPIRED/EXPIRED',
    ]);
    expect(ev[3]!['eR']).toBe('INSUFFICIENT_LIQUIDITY');
    expect(h.balance('BTC').free).toBe('1.80000000');
  });

  it('buys by quoteOrderQty: notional as close as possible without exceeding it, on the step grid', async () => {
    const h = createHarness();
    const r = obj(await place(h, { side: 'BUY', type: 'MARKET', quoteOrderQty: '100' }));
    expect(r).toMatchObject({
      origQty: '0.00166000',
      executedQty: '0.00166000',
      origQuoteOrderQty: '100.00000000',
      cummulativeQuoteQty: '99.60001660',
      status: 'FILLED',
    });
  });

  it('sells by quoteOrderQty and pays commission in the received asset when BNB payment is off', async () => {
    const h = createHarness();
    h.model.commission.setDiscountEnabled(ACCOUNT, false);
    const r = obj(await place(h, { side: 'SELL', type: 'MARKET', quoteOrderQty: '600' }));
    expect(r['executedQty']).toBe('0.01000000');
    expect(arr(r['fills'])[0]).toMatchObject({ price: '59999.99000000', commissionAsset: 'USDT', commission: '0.59999990' });
    expect(h.balance('USDT').free).toBe('100599.39990010');
  });
});

describe('LIMIT orders', () => {
  it('rests with funds locked, then fills as maker over two ticks (PARTIALLY_FILLED, FILLED)', async () => {
    const h = createHarness();
    const r = obj(
      await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '59000', newClientOrderId: 'rest1' }),
    );
    expect(r).toMatchObject({ status: 'NEW', executedQty: '0.00000000', fills: [] });
    expect(h.balance('USDT')).toEqual({ free: '94100.00000000', locked: '5900.00000000' });
    const first = h.drain();
    expect(first.map((e) => e.e)).toEqual(['executionReport', 'outboundAccountPosition']);
    expect(first[0]).toMatchObject({ x: 'NEW', w: true, W: r['transactTime'] });

    h.market.setPrice('BTCUSDT', '59500'); // not crossed yet
    expect(h.drain()).toEqual([]);
    h.market.setPrice('BTCUSDT', '58990');
    const t1 = h.drain();
    expect(t1[0]).toMatchObject({ x: 'TRADE', X: 'PARTIALLY_FILLED', l: '0.05000000', L: '59000.00000000', m: true, w: true });
    expect(h.balance('USDT')).toEqual({ free: '94100.00000000', locked: '2950.00000000' });
    h.market.setPrice('BTCUSDT', '58980');
    const t2 = h.drain();
    expect(t2[0]).toMatchObject({ x: 'TRADE', X: 'FILLED', z: '0.10000000', m: true, w: false });
    expect(h.balance('USDT')).toEqual({ free: '94100.00000000', locked: '0.00000000' });
    const q = obj(await h.call('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'rest1' }));
    expect(q).toMatchObject({ status: 'FILLED', executedQty: '0.10000000', cummulativeQuoteQty: '5900.00000000', isWorking: false });
    const trades = arr(await h.call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' }));
    expect(trades.map((t) => [t['isMaker'], t['isBuyer'], t['qty']])).toEqual([
      [true, true, '0.05000000'],
      [true, true, '0.05000000'],
    ]);
  });

  it('a marketable limit takes at the book prices and releases the price difference', async () => {
    const h = createHarness();
    const r = obj(await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1.5', price: '60000.02' }));
    expect(r['status']).toBe('FILLED');
    expect(arr(r['fills']).map((f) => [f['price'], f['qty']])).toEqual([
      ['60000.01000000', '1.00000000'],
      ['60000.02000000', '0.50000000'],
    ]);
    expect(h.balance('USDT')).toEqual({ free: '9999.98000000', locked: '0.00000000' });
  });

  it('IOC: fills what it can, the rest EXPIRED (UNFILLED_IOC_QUANTITY_EXPIRED)', async () => {
    const h = createHarness();
    const r = obj(await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: '1.5', price: '60000.01' }));
    expect(r).toMatchObject({ status: 'EXPIRED', executedQty: '1.00000000', expiryReason: 'UNFILLED_IOC_QUANTITY_EXPIRED' });
    expect(h.balance('USDT').locked).toBe('0.00000000');
  });

  it('FOK: all or nothing', async () => {
    const h = createHarness();
    const r = obj(await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '1.5', price: '60000.01' }));
    expect(r).toMatchObject({ status: 'EXPIRED', executedQty: '0.00000000', fills: [], expiryReason: 'UNFILLED_FOK_ORDER_EXPIRED' });
    expect(h.balance('USDT')).toEqual({ free: '100000.00000000', locked: '0.00000000' });
    const ok = obj(await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '1.5', price: '60000.02' }));
    expect(ok['status']).toBe('FILLED');
  });

  it('LIMIT_MAKER rests when it would not take and is rejected when it would', async () => {
    const h = createHarness();
    const e = await h.error('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT_MAKER',
      quantity: '0.1',
      price: '59999.99',
    });
    expect([e.code, e.message]).toEqual([-2010, 'Order would immediately match and take.']);
    const r = obj(await place(h, { side: 'SELL', type: 'LIMIT_MAKER', quantity: '0.1', price: '60100' }));
    expect(Object.keys(r)).toEqual(['symbol', 'orderId', 'orderListId', 'clientOrderId', 'transactTime']); // ACK by default
    expect(h.balance('BTC')).toEqual({ free: '1.90000000', locked: '0.10000000' });
  });

  it('RESULT replies carry no fills', async () => {
    const h = createHarness();
    const r = obj(await place(h, { side: 'BUY', type: 'MARKET', quantity: '0.01', newOrderRespType: 'RESULT' }));
    expect(r['fills']).toBeUndefined();
    expect(r['status']).toBe('FILLED');
  });
});

describe('stop orders', () => {
  it('STOP_LOSS_LIMIT SELL waits for its stop price, then trades', async () => {
    const h = createHarness();
    const r = obj(
      await place(h, {
        side: 'SELL',
        type: 'STOP_LOSS_LIMIT',
        timeInForce: 'GTC',
        quantity: '0.1',
        price: '58900',
        stopPrice: '59000',
        newClientOrderId: 'sl1',
      }),
    );
    expect(Object.keys(r)).toEqual(['symbol', 'orderId', 'orderListId', 'clientOrderId', 'transactTime']);
    const q = obj(await h.call('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'sl1' }));
    expect(q).toMatchObject({ isWorking: false, workingTime: -1, stopPrice: '59000.00000000', status: 'NEW' });
    const ev0 = h.drain();
    expect(ev0[0]).toMatchObject({ x: 'NEW', w: false, P: '59000.00000000' });
    expect(ev0[0]).not.toHaveProperty('W');
    h.market.setPrice('BTCUSDT', '59100');
    expect(h.drain()).toEqual([]);
    h.market.setPrice('BTCUSDT', '59000');
    const ev = h.drain();
    expect(ev.map((e) => `${e.e}:${String(e['x'] ?? '')}:${String(e['X'] ?? '')}`)).toEqual([
      'executionReport:NEW:NEW',
      'executionReport:TRADE:FILLED',
      'outboundAccountPosition::',
    ]);
    expect(ev[1]).toMatchObject({ L: '58999.99000000', m: false });
    expect(ev[0]!['W']).toBeDefined();
  });

  it('rejects a stop that would trigger immediately', async () => {
    const h = createHarness();
    const e = await h.error('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '60900',
      stopPrice: '61000',
    });
    expect([e.code, e.message]).toEqual([-2010, 'Order would trigger immediately.']);
    const e2 = await h.error('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'TAKE_PROFIT_LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '61000',
      stopPrice: '61000',
    });
    expect([e2.code, e2.message]).toEqual([-2010, 'Order would trigger immediately.']);
  });

  it('TAKE_PROFIT_LIMIT SELL triggers above, rests, then fills as maker', async () => {
    const h = createHarness();
    await place(h, { side: 'SELL', type: 'TAKE_PROFIT_LIMIT', timeInForce: 'GTC', quantity: '0.0001', price: '61000', stopPrice: '61000' });
    h.drain();
    h.market.setPrice('BTCUSDT', '61000');
    expect(h.drain().map((e) => `${String(e['x'])}:${String(e['X'])}`)).toEqual(['NEW:NEW']);
    h.market.setPrice('BTCUSDT', '61500');
    expect(h.drain()[0]).toMatchObject({ x: 'TRADE', X: 'PARTIALLY_FILLED', l: '0.00005000', L: '61000.00000000', m: true });
  });
});

describe('cancels', () => {
  it('cancels by orderId or origClientOrderId, names the cancel, releases funds', async () => {
    const h = createHarness();
    const a = obj(
      await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000', newClientOrderId: 'c1' }),
    );
    await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000', newClientOrderId: 'c2' });
    h.drain();
    const r = obj(
      await h.call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: String(a['orderId']), newClientOrderId: 'cancelA' }),
    );
    expect(r).toMatchObject({
      origClientOrderId: 'c1',
      clientOrderId: 'cancelA',
      status: 'CANCELED',
      orderId: a['orderId'],
      orderListId: -1,
    });
    const ev = h.drain();
    expect(ev[0]).toMatchObject({ x: 'CANCELED', X: 'CANCELED', c: 'cancelA', C: 'c1', w: false });
    expect(ev[1]).toMatchObject({ e: 'outboundAccountPosition', B: [{ a: 'USDT', f: '95000.00000000', l: '5000.00000000' }] });
    const r2 = obj(await h.call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'c2' }));
    expect(r2['status']).toBe('CANCELED');
    expect(h.balance('USDT')).toEqual({ free: '100000.00000000', locked: '0.00000000' });
    const again = await h.error('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'c2' });
    expect([again.code, again.message]).toEqual([-2011, 'Unknown order sent.']);
    const none = await h.error('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: '999' });
    expect([none.code, none.message]).toEqual([-2011, 'Unknown order sent.']);
    const neither = await h.error('DELETE', '/api/v3/order', { symbol: 'BTCUSDT' });
    expect(neither.code).toBe(-1102);
  });

  it('honours cancelRestrictions', async () => {
    const h = createHarness();
    await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000', newClientOrderId: 'cr' });
    const e = await h.error('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'cr',
      cancelRestrictions: 'ONLY_PARTIALLY_FILLED',
    });
    expect([e.code, e.message]).toEqual([-2011, 'Order was not canceled due to cancel restrictions.']);
    const bad = await h.error('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'cr', cancelRestrictions: 'NOPE' });
    expect([bad.code, bad.message]).toEqual([-1145, 'Invalid cancelRestrictions']);
    const ok = obj(await h.call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'cr', cancelRestrictions: 'ONLY_NEW' }));
    expect(ok['status']).toBe('CANCELED');
  });

  it('DELETE openOrders cancels every order and order list of the symbol', async () => {
    const h = createHarness();
    await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000' });
    await place(h, { side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '70000' });
    await h.call('POST', '/api/v3/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.2',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '65000',
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: '55000',
      belowPrice: '54900',
      belowTimeInForce: 'GTC',
    });
    await place(h, { symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '2000' });
    const r = arr(await h.call('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' }));
    expect(r).toHaveLength(3);
    expect(r[0]).toMatchObject({ status: 'CANCELED', side: 'BUY' });
    expect(r[2]).toMatchObject({ contingencyType: 'OCO', listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE' });
    expect(arr(r[2]!['orderReports']).map((o) => o['status'])).toEqual(['CANCELED', 'CANCELED']);
    expect(h.balance('BTC')).toEqual({ free: '2.00000000', locked: '0.00000000' });
    expect(arr(await h.call('GET', '/api/v3/openOrders', {}))).toHaveLength(1);
    const e = await h.error('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect([e.code, e.message]).toEqual([-2011, 'Unknown order sent.']);
  });
});

describe('duplicate client order ids', () => {
  it('rejects a reused id only while the first order is open', async () => {
    const h = createHarness();
    await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000', newClientOrderId: 'dup' });
    const e = await h.error('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '50000',
      newClientOrderId: 'dup',
    });
    expect([e.code, e.message]).toEqual([-2010, 'Duplicate order sent.']);
    const eOther = await h.error('POST', '/api/v3/order', {
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.1',
      newClientOrderId: 'dup',
    });
    expect(eOther.message).toBe('Duplicate order sent.');
    await h.call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'dup' });
    const again = obj(await place(h, { side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'dup' }));
    expect(again['status']).toBe('FILLED');
    const third = obj(await place(h, { side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'dup' }));
    expect(third['orderId']).not.toBe(again['orderId']);
  });
});

describe('queries', () => {
  it('allOrders, openOrders and myTrades with their windows and filters', async () => {
    const h = createHarness();
    const a = obj(await place(h, { side: 'BUY', type: 'MARKET', quantity: '0.001' }));
    const b = obj(await place(h, { side: 'BUY', type: 'MARKET', quantity: '0.002' }));
    await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000' });
    const all = arr(await h.call('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' }));
    expect(all.map((o) => o['status'])).toEqual(['FILLED', 'FILLED', 'NEW']);
    expect(all[2]).toMatchObject({ isWorking: true, stopPrice: '0.00000000', icebergQty: '0.00000000' });
    const fromB = arr(await h.call('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT', orderId: String(b['orderId']) }));
    expect(fromB).toHaveLength(2);
    expect(arr(await h.call('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT', limit: '1' }))).toHaveLength(1);
    const now = h.clock.now();
    const tooLong = await h.error('GET', '/api/v3/myTrades', {
      symbol: 'BTCUSDT',
      startTime: String(now - 86_400_001),
      endTime: String(now),
    });
    expect([tooLong.code, tooLong.message]).toEqual([-1127, 'More than 24 hours between startTime and endTime.']);
    const tooLongOrders = await h.error('GET', '/api/v3/allOrders', {
      symbol: 'BTCUSDT',
      startTime: String(now - 86_400_001),
      endTime: String(now),
    });
    expect(tooLongOrders.code).toBe(-1127);
    const inDay = arr(
      await h.call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', startTime: String(now - 86_400_000), endTime: String(now) }),
    );
    expect(inDay).toHaveLength(2);
    const byOrder = arr(await h.call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', orderId: String(a['orderId']) }));
    expect(byOrder).toHaveLength(1);
    expect(byOrder[0]).toMatchObject({
      orderId: a['orderId'],
      orderListId: -1,
      isBuyer: true,
      isMaker: false,
      isBestMatch: true,
      qty: '0.00100000',
      quoteQty: '60.00001000',
    });
    const fromId = arr(await h.call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', fromId: String((byOrder[0]!['id'] as bigint) + 1n) }));
    expect(fromId.map((t) => t['orderId'])).toEqual([b['orderId']]);
    const combo = await h.error('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', orderId: '1', startTime: String(now - 1000) });
    expect(combo.code).toBe(-1128);
    const tooMany = await h.error('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', limit: '1001' });
    expect(tooMany.code).toBe(-1130);
    const unknown = await h.error('GET', '/api/v3/myTrades', { symbol: 'NOPEUSDT' });
    expect([unknown.code, unknown.message]).toEqual([-1121, 'Invalid symbol.']);
    const open = arr(await h.call('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' }));
    expect(open.map((o) => o['price'])).toEqual(['50000.00000000']);
  });

  it('query order: -2013 for an unknown order, -2039 when id and client id disagree', async () => {
    const h = createHarness();
    const a = obj(
      await place(h, { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '50000', newClientOrderId: 'q1' }),
    );
    const e = await h.error('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: '424242' });
    expect([e.code, e.message]).toEqual([-2013, 'Order does not exist.']);
    const mismatch = await h.error('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: String(a['orderId']),
      origClientOrderId: 'other',
    });
    expect(mismatch.code).toBe(-2039);
    const wrongSymbol = await h.error('GET', '/api/v3/order', { symbol: 'ETHUSDT', orderId: String(a['orderId']) });
    expect(wrongSymbol.code).toBe(-2013);
    const rl = arr(await h.call('GET', '/api/v3/rateLimit/order'));
    expect(rl).toEqual([
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100, count: 3 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000, count: 7 },
    ]);
  });
});
