import { describe, expect, it } from 'vitest';
import { createHarness, obj, arr, ACCOUNT } from './matching-fake-market';

const DAY = 86_400_000;

describe('GET /api/v3/account', () => {
  it('has every documented field, and omitZeroBalances drops empty assets', async () => {
    const h = createHarness({ USDT: '1000', BTC: '0', ETH: '1.5' });
    const r = obj(await h.call('GET', '/api/v3/account'));
    expect(Object.keys(r)).toEqual([
      'makerCommission',
      'takerCommission',
      'buyerCommission',
      'sellerCommission',
      'commissionRates',
      'canTrade',
      'canWithdraw',
      'canDeposit',
      'brokered',
      'requireSelfTradePrevention',
      'preventSor',
      'updateTime',
      'accountType',
      'balances',
      'permissions',
      'uid',
    ]);
    expect(r).toMatchObject({
      makerCommission: 10,
      takerCommission: 10,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
      canTrade: true,
      accountType: 'SPOT',
      permissions: ['SPOT'],
    });
    expect(typeof r['uid']).toBe('number');
    expect(arr(r['balances']).map((b) => b['asset'])).toEqual(['USDT', 'BTC', 'ETH']);
    const omitted = obj(await h.call('GET', '/api/v3/account', { omitZeroBalances: 'true' }));
    expect(arr(omitted['balances'])).toEqual([
      { asset: 'USDT', free: '1000.00000000', locked: '0.00000000' },
      { asset: 'ETH', free: '1.50000000', locked: '0.00000000' },
    ]);
    expect((await h.error('GET', '/api/v3/account', { omitZeroBalances: 'maybe' })).code).toBe(-1130);
  });

  it('account/commission has the documented shape', async () => {
    const h = createHarness();
    expect(await h.call('GET', '/api/v3/account/commission', { symbol: 'BTCUSDT' })).toEqual({
      symbol: 'BTCUSDT',
      standardCommission: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
      specialCommission: { maker: '0.00000000', taker: '0.00000000', buyer: '0.00000000', seller: '0.00000000' },
      taxCommission: { maker: '0.00000000', taker: '0.00000000', buyer: '0.00000000', seller: '0.00000000' },
      discount: { enabledForAccount: true, enabledForSymbol: true, discountAsset: 'BNB', discount: '0.25000000' },
    });
    expect((await h.error('GET', '/api/v3/account/commission', {})).code).toBe(-1102);
    expect((await h.error('GET', '/api/v3/account/commission', { symbol: 'XXXYYY' })).code).toBe(-1121);
    h.model.commission.setDiscountEnabled(ACCOUNT, false);
    expect(obj(obj(await h.call('GET', '/api/v3/account/commission', { symbol: 'BTCUSDT' }))['discount'])['enabledForAccount']).toBe(false);
  });
});

describe('commission', () => {
  it('is paid in the received asset at the full rate when the account has no BNB', async () => {
    const h = createHarness({ USDT: '10000' });
    const r = obj(await h.call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }));
    expect(arr(r['fills'])[0]).toMatchObject({ commission: '0.00001000', commissionAsset: 'BTC' });
    expect(h.balance('BTC').free).toBe('0.00999000');
  });

  it('is paid in BNB at 75% of the standard rate, converted at the market price, when BNB suffices', async () => {
    const h = createHarness({ USDT: '10000', BNB: '1' });
    // SELL side later: first buy ETH, commission 0.001 ETH * 3000 / 600 * 0.75 = 0.00375 BNB.
    const r = obj(
      await h.call('POST', '/api/v3/order', {
        symbol: 'ETHUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '1',
        price: '3000.01',
      }),
    );
    expect(arr(r['fills'])[0]).toMatchObject({ price: '3000.01000000', commissionAsset: 'BNB', commission: '0.00375000' });
    expect(h.balance('ETH').free).toBe('1.00000000');
    expect(h.balance('BNB').free).toBe('0.99625000');
  });

  it('falls back to the received asset when BNB is not enough', async () => {
    const h = createHarness({ USDT: '100000', BNB: '0.001' });
    const r = obj(await h.call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }));
    expect(arr(r['fills'])[0]).toMatchObject({ commissionAsset: 'BTC', commission: '0.00100000' });
    expect(h.balance('BNB').free).toBe('0.00100000');
  });
});

describe('balances, adjustBalance and reset', () => {
  it('adjustBalance emits balanceUpdate then outboundAccountPosition with only the changed asset', () => {
    const h = createHarness();
    h.model.accounts.adjustBalance(ACCOUNT, 'ETH', '2.5');
    const ev = h.drain();
    expect(ev[0]).toMatchObject({ e: 'balanceUpdate', a: 'ETH', d: '2.50000000' });
    expect(ev[0]!['T']).toBeTypeOf('number');
    expect(ev[1]).toMatchObject({ e: 'outboundAccountPosition', B: [{ a: 'ETH', f: '12.50000000', l: '0.00000000' }] });
    h.model.accounts.adjustBalance(ACCOUNT, 'ETH', '-12.5');
    expect(h.balance('ETH').free).toBe('0.00000000');
    expect(() => h.model.accounts.adjustBalance(ACCOUNT, 'ETH', '-1')).toThrow();
  });

  it('reset cancels open orders (with events) and restores the opening balances', async () => {
    const h = createHarness();
    await h.call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.5' });
    await h.call('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '50000',
    });
    h.drain();
    h.model.engine.resetAccount(ACCOUNT);
    const ev = h.drain();
    expect(ev[0]).toMatchObject({ e: 'executionReport', x: 'CANCELED' });
    expect(ev.at(-1)!.e).toBe('outboundAccountPosition');
    expect(h.model.accounts.balances(ACCOUNT)).toEqual([
      { asset: 'BNB', free: '50.00000000', locked: '0.00000000' },
      { asset: 'BTC', free: '2.00000000', locked: '0.00000000' },
      { asset: 'ETH', free: '10.00000000', locked: '0.00000000' },
      { asset: 'USDT', free: '100000.00000000', locked: '0.00000000' },
    ]);
    expect(h.model.core.openOrders(ACCOUNT)).toHaveLength(0);
  });

  it('an unknown account exists empty', async () => {
    const h = createHarness();
    const r = obj(await h.call('GET', '/api/v3/account', {}, 'fresh'));
    expect(r['balances']).toEqual([]);
    const e = await h.error('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }, 'fresh');
    expect(e.message).toBe('Account has insufficient balance for requested action.');
  });
});

describe('/sapi wallet history', () => {
  it('deposit history: default last 90 days, 90-day window rule, filters', async () => {
    const h = createHarness();
    const now = h.clock.now();
    const recent = arr(await h.call('GET', '/sapi/v1/capital/deposit/hisrec'));
    expect(recent.length).toBeGreaterThan(0);
    for (const d of recent) {
      expect(Object.keys(d)).toEqual([
        'id',
        'amount',
        'coin',
        'network',
        'status',
        'address',
        'addressTag',
        'txId',
        'insertTime',
        'completeTime',
        'transferType',
        'confirmTimes',
        'unlockConfirm',
        'walletType',
        'travelRuleStatus',
      ]);
      expect(d['insertTime'] as number).toBeGreaterThanOrEqual(now - 90 * DAY);
    }
    expect(recent.some((d) => d['status'] === 0)).toBe(true);
    const old = arr(
      await h.call('GET', '/sapi/v1/capital/deposit/hisrec', { startTime: String(now - 180 * DAY), endTime: String(now - 91 * DAY) }),
    );
    expect(old.length).toBeGreaterThan(0);
    const e = await h.error('GET', '/sapi/v1/capital/deposit/hisrec', { startTime: String(now - 91 * DAY), endTime: String(now) });
    expect(e.code).toBe(-1127);
    const btc = arr(await h.call('GET', '/sapi/v1/capital/deposit/hisrec', { coin: 'BTC', status: '1' }));
    expect(btc.every((d) => d['coin'] === 'BTC' && d['status'] === 1)).toBe(true);
    expect(arr(await h.call('GET', '/sapi/v1/capital/deposit/hisrec', { limit: '1' }))).toHaveLength(1);
  });

  it('withdraw history has its fields and status codes', async () => {
    const h = createHarness();
    const now = h.clock.now();
    const all = arr(await h.call('GET', '/sapi/v1/capital/withdraw/history', { startTime: String(now - 89 * DAY), endTime: String(now) }));
    expect(all.length).toBeGreaterThan(0);
    for (const w of all) {
      expect(w['applyTime']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect([0, 1, 2, 3, 4, 5, 6]).toContain(w['status']);
      for (const k of [
        'id',
        'amount',
        'transactionFee',
        'coin',
        'address',
        'txId',
        'network',
        'transferType',
        'info',
        'confirmNo',
        'walletType',
        'txKey',
        'completeTime',
      ])
        expect(w).toHaveProperty(k);
    }
    const e = await h.error('GET', '/sapi/v1/capital/withdraw/history', {
      withdrawOrderId: 'x',
      startTime: String(now - 8 * DAY),
      endTime: String(now),
    });
    expect(e.code).toBe(-1127);
  });

  it('accountSnapshot SPOT: daily snapshots with balances and totalAssetOfBtc', async () => {
    const h = createHarness();
    const r = obj(await h.call('GET', '/sapi/v1/accountSnapshot', { type: 'SPOT' }));
    expect(r).toMatchObject({ code: 200, msg: '' });
    const vos = arr(r['snapshotVos']);
    expect(vos).toHaveLength(7);
    expect(vos[0]).toMatchObject({ type: 'spot' });
    const data = obj(vos[0]!['data']);
    expect(Number(data['totalAssetOfBtc'])).toBeGreaterThan(2);
    expect(arr(data['balances']).map((b) => b['asset'])).toContain('BTC');
    expect(arr(obj(await h.call('GET', '/sapi/v1/accountSnapshot', { type: 'SPOT', limit: '30' }))['snapshotVos']).length).toBeGreaterThan(
      7,
    );
    expect((await h.error('GET', '/sapi/v1/accountSnapshot', {})).code).toBe(-1102);
    expect((await h.error('GET', '/sapi/v1/accountSnapshot', { type: 'SPOT', limit: '3' })).code).toBe(-1130);
  });
});
