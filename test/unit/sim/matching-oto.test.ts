import { describe, expect, it } from 'vitest';
import { createHarness, obj, arr } from './matching-fake-market';

const oto = {
  symbol: 'BTCUSDT',
  listClientOrderId: 'oto1',
  workingType: 'LIMIT',
  workingSide: 'BUY',
  workingPrice: '59000',
  workingQuantity: '0.1',
  workingTimeInForce: 'GTC',
  workingClientOrderId: 'w1',
  pendingType: 'LIMIT_MAKER',
  pendingSide: 'SELL',
  pendingPrice: '63000',
  pendingQuantity: '0.1',
  pendingClientOrderId: 'p1',
};
const otoco = {
  symbol: 'BTCUSDT',
  listClientOrderId: 'otoco1',
  workingType: 'LIMIT',
  workingSide: 'BUY',
  workingPrice: '59000',
  workingQuantity: '0.1',
  workingTimeInForce: 'GTC',
  workingClientOrderId: 'w1',
  pendingSide: 'SELL',
  pendingQuantity: '0.1',
  pendingAboveType: 'LIMIT_MAKER',
  pendingAbovePrice: '62000',
  pendingAboveClientOrderId: 'tp1',
  pendingBelowType: 'STOP_LOSS_LIMIT',
  pendingBelowStopPrice: '58000',
  pendingBelowPrice: '57900',
  pendingBelowTimeInForce: 'GTC',
  pendingBelowClientOrderId: 'sl1',
};

const tags = (ev: ReadonlyArray<Record<string, unknown>>): string[] =>
  ev
    .filter((e) => e['e'] !== 'outboundAccountPosition')
    .map((e) =>
      e['e'] === 'listStatus'
        ? `list:${String(e['c'])}:${String(e['L'])}`
        : `${String(e['x'] === 'CANCELED' ? e['C'] : e['c'])}:${String(e['x'])}:${String(e['X'])}`,
    );

describe('OTO (orderList/oto)', () => {
  it("places the working order on the book and the pending one as PENDING_NEW, holding only the working order's funds", async () => {
    const h = createHarness();
    const r = obj(await h.call('POST', '/api/v3/orderList/oto', oto));
    expect(r).toMatchObject({
      contingencyType: 'OTO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'oto1',
    });
    expect(arr(r['orderReports']).map((o) => [o['clientOrderId'], o['status'], o['workingTime'] === -1])).toEqual([
      ['w1', 'NEW', false],
      ['p1', 'PENDING_NEW', true],
    ]);
    expect(tags(h.drain())).toEqual(['w1:NEW:NEW', 'p1:NEW:PENDING_NEW', 'list:OTO:EXECUTING']);
    expect(h.balance('USDT')).toEqual({ free: '94100.00000000', locked: '5900.00000000' });
    expect(h.balance('BTC')).toEqual({ free: '2.00000000', locked: '0.00000000' });
    expect(arr(await h.call('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' })).map((o) => o['status'])).toEqual(['NEW', 'PENDING_NEW']);
  });

  it('places the pending order when the working order has filled completely, and ends the list', async () => {
    const h = createHarness();
    await h.call('POST', '/api/v3/orderList/oto', oto);
    h.drain();
    h.market.setPrice('BTCUSDT', '58900');
    // Half fills first: the pending order waits.
    expect(tags(h.drain())).toEqual(['w1:TRADE:PARTIALLY_FILLED']);
    h.market.setPrice('BTCUSDT', '58800');
    expect(tags(h.drain())).toEqual(['w1:TRADE:FILLED', 'p1:NEW:NEW', 'list:OTO:ALL_DONE']);
    expect(h.balance('BTC')).toEqual({ free: '2.00000000', locked: '0.10000000' });
    h.market.setPrice('BTCUSDT', '63100');
    h.market.setPrice('BTCUSDT', '63200');
    expect(tags(h.drain())).toEqual(['p1:TRADE:PARTIALLY_FILLED', 'p1:TRADE:FILLED']);
    expect(h.balance('BTC')).toEqual({ free: '2.00000000', locked: '0.00000000' });
  });

  it('cancelling the pending order cancels the working one too', async () => {
    const h = createHarness();
    await h.call('POST', '/api/v3/orderList/oto', oto);
    h.drain();
    const c = obj(await h.call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'p1' }));
    expect(c['status']).toBe('CANCELED');
    expect(tags(h.drain())).toEqual(['w1:CANCELED:CANCELED', 'p1:CANCELED:CANCELED', 'list:OTO:ALL_DONE']);
    expect(h.balance('USDT')).toEqual({ free: '100000.00000000', locked: '0.00000000' });
  });

  it('names the prefixed parameter in errors and only takes LIMIT / LIMIT_MAKER working orders', async () => {
    const h = createHarness();
    await expect(h.call('POST', '/api/v3/orderList/oto', { ...oto, workingPrice: undefined as unknown as string })).rejects.toMatchObject({
      code: -1102,
      message: expect.stringContaining("'workingPrice'") as unknown,
    });
    await expect(h.call('POST', '/api/v3/orderList/oto', { ...oto, workingType: 'MARKET' })).rejects.toMatchObject({ code: -1116 });
  });
});

describe('OTOCO (orderList/otoco)', () => {
  it('places the pending OCO pair when the working order fills; one leg executing expires the other', async () => {
    const h = createHarness();
    const r = obj(await h.call('POST', '/api/v3/orderList/otoco', otoco));
    expect(r).toMatchObject({ contingencyType: 'OTOCO', listOrderStatus: 'EXECUTING' });
    expect(arr(r['orderReports']).map((o) => [o['clientOrderId'], o['status']])).toEqual([
      ['w1', 'NEW'],
      ['sl1', 'PENDING_NEW'],
      ['tp1', 'PENDING_NEW'],
    ]);
    h.drain();
    h.market.setPrice('BTCUSDT', '58900');
    h.market.setPrice('BTCUSDT', '58800');
    expect(tags(h.drain())).toEqual(['w1:TRADE:PARTIALLY_FILLED', 'w1:TRADE:FILLED', 'sl1:NEW:NEW', 'tp1:NEW:NEW']);
    // The pair shares one lock of the pending quantity.
    expect(h.balance('BTC')).toEqual({ free: '2.00000000', locked: '0.10000000' });
    h.market.setPrice('BTCUSDT', '62100');
    expect(tags(h.drain())).toEqual(['sl1:EXPIRED:EXPIRED', 'tp1:TRADE:PARTIALLY_FILLED', 'list:OTOCO:ALL_DONE']);
  });

  it('rejects a pending pair whose prices are on the wrong side of the last price', async () => {
    const h = createHarness();
    await expect(h.call('POST', '/api/v3/orderList/otoco', { ...otoco, pendingAbovePrice: '59500' })).rejects.toMatchObject({
      code: -2010,
    });
    expect(h.drain()).toEqual([]);
  });
});
