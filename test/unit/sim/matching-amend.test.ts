import { describe, expect, it } from 'vitest';
import { createHarness, obj, arr } from './matching-fake-market';

const limitBuy = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.5',
  price: '59000',
  newClientOrderId: 'b1',
};

describe('amend keep priority (PUT /api/v3/order/amend/keepPriority)', () => {
  it('reduces the quantity in place: same orderId, new client id, funds released, REPLACED event, amendment recorded', async () => {
    const h = createHarness();
    const placed = obj(await h.call('POST', '/api/v3/order', limitBuy));
    h.drain();
    const r = obj(
      await h.call('PUT', '/api/v3/order/amend/keepPriority', {
        symbol: 'BTCUSDT',
        origClientOrderId: 'b1',
        newQty: '0.2',
        newClientOrderId: 'b1-amended',
      }),
    );
    expect(r['amendedOrder']).toMatchObject({
      orderId: placed['orderId'],
      origClientOrderId: 'b1',
      clientOrderId: 'b1-amended',
      qty: '0.20000000',
      status: 'NEW',
    });
    expect(h.balance('USDT')).toEqual({ free: '88200.00000000', locked: '11800.00000000' });
    const ev = h.drain();
    expect(ev[0]).toMatchObject({ e: 'executionReport', x: 'REPLACED', X: 'NEW', c: 'b1-amended', q: '0.20000000', I: r['executionId'] });
    const q = obj(await h.call('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: String(placed['orderId']) }));
    expect(q).toMatchObject({ origQty: '0.20000000', clientOrderId: 'b1-amended' });
    const list = arr(await h.call('GET', '/api/v3/order/amendments', { symbol: 'BTCUSDT', orderId: String(placed['orderId']) }));
    expect(list).toEqual([
      {
        symbol: 'BTCUSDT',
        orderId: placed['orderId'],
        executionId: r['executionId'],
        origClientOrderId: 'b1',
        newClientOrderId: 'b1-amended',
        origQty: '0.50000000',
        newQty: '0.20000000',
        time: expect.any(Number) as unknown,
      },
    ]);
  });

  it('refuses a quantity increase, an unknown order, and more amendments than MAX_NUM_ORDER_AMENDS', async () => {
    const h = createHarness();
    h.market.setFilter('BTCUSDT', 'MAX_NUM_ORDER_AMENDS', { maxNumOrderAmends: 2 });
    await h.call('POST', '/api/v3/order', limitBuy);
    const amend = (newQty: string, id = 'b1') =>
      h.call('PUT', '/api/v3/order/amend/keepPriority', { symbol: 'BTCUSDT', origClientOrderId: id, newQty, newClientOrderId: id });
    await expect(amend('0.6')).rejects.toMatchObject({ code: -2038, message: 'Order amend (quantity increase) is not supported.' });
    await expect(amend('0.4', 'nope')).rejects.toMatchObject({ code: -2013 });
    await amend('0.4');
    await amend('0.3');
    await expect(amend('0.2')).rejects.toMatchObject({ code: -1013, message: 'Filter failure: MAX_NUM_ORDER_AMENDS' });
  });

  it('amending one leg of an OCO amends both (one quantity, one lock)', async () => {
    const h = createHarness();
    const oco = obj(
      await h.call('POST', '/api/v3/orderList/oco', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.2',
        aboveType: 'LIMIT_MAKER',
        abovePrice: '62000',
        aboveClientOrderId: 'tp1',
        belowType: 'STOP_LOSS_LIMIT',
        belowStopPrice: '58000',
        belowPrice: '57900',
        belowTimeInForce: 'GTC',
        belowClientOrderId: 'sl1',
      }),
    );
    h.drain();
    const r = obj(await h.call('PUT', '/api/v3/order/amend/keepPriority', { symbol: 'BTCUSDT', origClientOrderId: 'tp1', newQty: '0.1' }));
    expect(r['listStatus']).toMatchObject({ orderListId: oco['orderListId'], contingencyType: 'OCO' });
    expect(
      h
        .drain()
        .filter((e) => e.e === 'executionReport')
        .map((e) => [e['x'], e['q']]),
    ).toEqual([
      ['REPLACED', '0.10000000'],
      ['REPLACED', '0.10000000'],
    ]);
    expect(h.balance('BTC')).toEqual({ free: '1.90000000', locked: '0.10000000' });
  });
});
