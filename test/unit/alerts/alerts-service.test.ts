/**
 * The alerts service on node:sqlite (in memory): rules, the log and the arming state persist, so
 * a restarted Perch never fires twice for the same crossing; fill alerts respect privacy mode;
 * stale (REST) prices never fire; a gap after a restart is caught up from klines once.
 */
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { createAlertsService, type AlertsService } from '../../../src/main/alerts/alerts-service';
import type { Kline } from '../../../src/main/alerts/engine';
import { createAlertsRepository } from '../../../src/main/storage/alerts-repository';
import { openDatabase } from '../../../src/main/storage/database';
import type { AlertLogEntry } from '../../../src/shared/domain';

const T0 = Date.UTC(2026, 11, 4, 12, 0);

function build(db: DatabaseSync, clock: { t: number }, privacy = false) {
  const shown: Array<{ title: string; body: string; silent: boolean }> = [];
  const logged: AlertLogEntry[] = [];
  const service: AlertsService = createAlertsService({
    repo: createAlertsRepository(db),
    now: () => clock.t,
    offsetMinutes: () => 0,
    notifications: { show: (n) => shown.push(n) },
    privacy: () => privacy,
    onLog: (e) => logged.push(e),
    onRulesChanged: () => undefined,
    onWatchlistChanged: () => undefined,
    onError: (what, e) => {
      throw new Error(`${what}: ${String(e)}`);
    },
  });
  service.setEnvironment('demo');
  return { service, shown, logged };
}

const btc = (last: string) => [{ symbol: 'BTCUSDT', last, open: '65000' }];

describe('alerts service', () => {
  it('fires once, logs with a banner, and after a restart on the same database does not fire again', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock);
    a.service.create({ kind: 'price-above', symbol: 'BTCUSDT', level: '70000', repeat: true, rearmPercent: '1' });
    expect(a.service.symbols()).toEqual(new Set(['BTCUSDT']));
    a.service.observeTickers(btc('69000'), true, 'stream');
    clock.t += 1000;
    a.service.observeTickers(btc('70100'), true, 'stream');
    expect(a.shown.map((n) => n.body)).toEqual(['BTCUSDT crossed above 70,000 (now 70,100)']);
    expect(a.service.log(10).map((e) => e.message)).toEqual(['BTCUSDT crossed above 70,000 (now 70,100)']);

    const b = build(db, clock);
    clock.t += 1000;
    b.service.observeTickers(btc('70200'), true, 'stream');
    expect(b.shown).toEqual([]);
    // it went back past the re-arm level and crossed again: a new crossing fires
    b.service.observeTickers(btc('69200'), true, 'stream');
    clock.t += 20 * 60_000;
    b.service.observeTickers(btc('70050'), true, 'stream');
    expect(b.shown).toHaveLength(1);
    expect(b.service.log(10).map((e) => e.message)).toHaveLength(2);
  });

  it('prices read by REST or while the feed is not live never fire', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock);
    a.service.create({ kind: 'price-above', symbol: 'BTCUSDT', level: '70000' });
    a.service.observeTickers(btc('71000'), false, 'stream');
    a.service.observeTickers(btc('71000'), true, 'rest');
    expect(a.logged).toEqual([]);
    a.service.observeTickers(btc('71000'), true, 'stream');
    expect(a.logged).toHaveLength(1);
  });

  it('quiet hours and notifications off: logged, no banner', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock);
    a.service.updateSettings({ quietHours: { enabled: true, start: 11 * 60, end: 13 * 60 } });
    a.service.create({ kind: 'price-above', symbol: 'BTCUSDT', level: '70000' });
    a.service.observeTickers(btc('71000'), true, 'stream');
    expect(a.logged.map((e) => e.banner)).toEqual([false]);
    expect(a.shown).toEqual([]);
  });

  it('after a restart with a gap, the klines are read and the crossing is reported once', async () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock);
    a.service.create({ kind: 'price-above', symbol: 'BTCUSDT', level: '70000', repeat: true });
    a.service.observeTickers(btc('69000'), true, 'stream');
    const stopAt = clock.t;
    clock.t += 8 * 3_600_000;
    const b = build(db, clock);
    const asked: Array<[number, number]> = [];
    const klines: Kline[] = [
      { openTime: stopAt + 3_600_000, high: '70500', low: '69800', close: '70100' },
      { openTime: stopAt + 3_660_000, high: '70100', low: '68000', close: '68100' },
      { openTime: stopAt + 7_200_000, high: '70800', low: '68100', close: '68200' },
    ];
    b.service.setKlineSource(async (_s, from, to) => {
      asked.push([from, to]);
      return { klines, intervalMs: 60_000 };
    });
    b.service.observeTickers(btc('68500'), true, 'stream');
    await b.service.idle();
    expect(asked).toEqual([[stopAt, clock.t]]);
    expect(b.logged.map((e) => [e.kind, e.message])).toEqual([
      ['catch-up', 'While you were away: BTCUSDT crossed 70,000 between 13:00 and 13:01'],
    ]);
    b.service.observeTickers(btc('68600'), true, 'stream');
    await b.service.idle();
    expect(b.logged).toHaveLength(1);
  });

  it('a long gap read as 5-minute candles keeps the candle it started in, and says the span of the crossing', async () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 + 150_000 };
    const a = build(db, clock);
    a.service.create({ kind: 'price-above', symbol: 'BTCUSDT', level: '70000' });
    a.service.observeTickers(btc('69000'), true, 'stream');
    // stopped at 12:02:30; back 20 hours later: the gap is read in 5-minute candles from 12:00
    clock.t += 20 * 3_600_000;
    const b = build(db, clock);
    const five = 300_000;
    b.service.setKlineSource(async () => ({
      klines: [
        { openTime: T0, high: '70200', low: '68900', close: '69100' },
        { openTime: T0 + five, high: '69500', low: '69000', close: '69200' },
        { openTime: T0 + 2 * five, high: '69400', low: '68800', close: '69000' },
      ],
      intervalMs: five,
    }));
    b.service.observeTickers(btc('69000'), true, 'stream');
    await b.service.idle();
    expect(b.logged.map((e) => e.message)).toEqual(['While you were away: BTCUSDT crossed 70,000 between 4 Dec 12:00 and 12:05']);
  });

  it('fill alerts name amounts, except in privacy mode; snapshots are not news', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const order = {
      symbol: 'BTCUSDT',
      orderId: '7',
      clientOrderId: 'c',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '60000',
      origQty: '0.5',
      stopPrice: '0',
      status: 'FILLED' as const,
      executedQty: '0.5',
      cumulativeQuoteQty: '30000',
      orderListId: '-1',
      createdAt: 1,
      updateTime: 2,
      fills: [],
      source: 'event' as const,
    };
    const a = build(db, clock);
    a.service.observeOrder({ order, previous: { ...order, status: 'NEW', executedQty: '0' }, source: 'event' });
    a.service.observeOrder({ order: { ...order, orderId: '8' }, previous: undefined, source: 'snapshot' });
    expect(a.shown.map((n) => [n.title, n.body])).toEqual([['Order filled', 'Order filled: Buy BTCUSDT, 0.5 of 0.5 filled']]);
    const p = build(db, clock, true);
    p.service.observeOrder({
      order: { ...order, orderId: '9', status: 'PARTIALLY_FILLED', executedQty: '0.2' },
      previous: { ...order, status: 'NEW', executedQty: '0' },
      source: 'event',
    });
    p.service.observeOrder({
      order: { ...order, orderId: '10', status: 'EXPIRED', executedQty: '0' },
      previous: { ...order, status: 'NEW', executedQty: '0' },
      source: 'event',
    });
    expect(p.shown.map((n) => n.body)).toEqual(['Order partially filled: Buy BTCUSDT', 'Order expired: Buy BTCUSDT']);
    // further partial fills of the same order within a minute, and of a market order, are not news
    const q = build(db, clock);
    const partial = { ...order, orderId: '11', status: 'PARTIALLY_FILLED' as const, executedQty: '0.1' };
    q.service.observeOrder({ order: partial, previous: { ...order, status: 'NEW', executedQty: '0' }, source: 'event' });
    q.service.observeOrder({ order: { ...partial, executedQty: '0.2' }, previous: partial, source: 'event' });
    q.service.observeOrder({
      order: { ...partial, orderId: '12', type: 'MARKET' },
      previous: { ...partial, orderId: '12', type: 'MARKET', status: 'NEW', executedQty: '0' },
      source: 'event',
    });
    clock.t += 61_000;
    q.service.observeOrder({ order: { ...partial, executedQty: '0.3' }, previous: { ...partial, executedQty: '0.2' }, source: 'event' });
    expect(q.shown.map((n) => n.body)).toEqual([
      'Order partially filled: Buy BTCUSDT, 0.1 of 0.5 filled',
      'Order partially filled: Buy BTCUSDT, 0.3 of 0.5 filled',
    ]);
  });

  it('a rejected or probably-not-placed order is one banner that follows privacy mode and quiet hours', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const rejected = 'Order rejected: BUY 0.00100000 BTCUSDT. Account has insufficient balance for requested action.';
    const a = build(db, clock);
    a.service.observeOrderOutcome('order-rejected', rejected);
    expect(a.shown.map((n) => [n.title, n.body])).toEqual([['Order rejected', rejected]]);
    const p = build(db, clock, true);
    p.service.observeOrderOutcome('order-rejected', rejected);
    p.service.observeOrderOutcome('order-not-placed', 'Order probably not placed: BUY 0.00100000 BTCUSDT. Binance does not show it.');
    expect(p.shown.map((n) => [n.title, n.body])).toEqual([
      ['Order rejected', 'Order rejected'],
      ['Order probably not placed', 'Order probably not placed'],
    ]);
    expect(JSON.stringify(p.shown)).not.toContain('0.001');
    const q = build(db, clock);
    q.service.updateSettings({ quietHours: { enabled: true, start: 11 * 60, end: 13 * 60 } });
    q.service.observeOrderOutcome('order-rejected', rejected);
    expect(q.shown).toEqual([]);
    expect(q.logged.map((e) => [e.kind, e.title, e.banner])).toEqual([['order', 'Order rejected', false]]);
  });

  it('an outcome entry names the order event it reports (so a crash-restart run can tell a repeat from a new one)', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock);
    const rejected = 'Order rejected: BUY 0.00100000 BTCUSDT. Account has insufficient balance for requested action.';
    // Two orders with the same side, amount and reason: the same text, two events.
    a.service.observeOrderOutcome('order-rejected', rejected, 'order-perch-a-rejected');
    a.service.observeOrderOutcome('order-rejected', rejected, 'order-perch-b-rejected');
    a.service.observeOrderOutcome('order-not-placed', 'Order probably not placed: BUY 1 BTCUSDT.');
    expect(a.logged.map((e) => e.ruleId)).toEqual([
      'outcome:order-perch-a-rejected',
      'outcome:order-perch-b-rejected',
      'outcome:order-not-placed',
    ]);
    // The log read back (its ids are at most 64 characters) keeps them.
    expect(
      a.service
        .log(10)
        .map((e) => e.ruleId)
        .sort(),
    ).toEqual(['outcome:order-not-placed', 'outcome:order-perch-a-rejected', 'outcome:order-perch-b-rejected']);
  });

  it('a portfolio alert banner shows no figures in privacy mode (the log keeps them)', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock, true);
    a.service.create({ kind: 'portfolio-below', symbol: 'USDT', level: '50000' });
    a.service.observeTotal('USDT', '49000.5', true);
    expect(a.shown.map((n) => [n.title, n.body])).toEqual([
      ['Portfolio fell below ••••• USDT', 'Portfolio fell below ••••• USDT (now ••••• USDT)'],
    ]);
    expect(a.logged[0]?.message).toBe('Portfolio fell below 50,000 USDT (now 49,000.5 USDT)');
  });

  it('a key whose trading permission lapses is reported once', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock);
    const health = {
      environment: 'demo' as const,
      type: 'HMAC' as const,
      reading: true,
      spotTrading: true,
      withdrawals: false,
      ipRestricted: false,
      createdAt: null,
      tradingAuthorityExpiresAt: Date.UTC(2026, 11, 20, 9, 30),
      warnings: [],
      checkedAt: T0,
    };
    a.service.observeKeyHealth(health);
    a.service.observeKeyHealth(health);
    expect(a.logged.map((e) => e.message)).toEqual([
      'Binance ends the trading permission of this key at 20 Dec 09:30. Restrict the key to your IP address in API Management to keep it.',
    ]);
    a.service.observeKeyHealth({ ...health, tradingAuthorityExpiresAt: T0 - 3_600_000 });
    expect(a.logged[1]?.title).toBe('Trading permission ended');
  });

  it('a key-lapse warning is not repeated after many other log entries or a restart', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock);
    const health = {
      environment: 'demo' as const,
      type: 'HMAC' as const,
      reading: true,
      spotTrading: true,
      withdrawals: false,
      ipRestricted: false,
      createdAt: null,
      tradingAuthorityExpiresAt: Date.UTC(2026, 11, 20, 9, 30),
      warnings: [],
      checkedAt: T0,
    };
    a.service.observeKeyHealth(health);
    for (let i = 0; i < 250; i++) {
      clock.t += 1000;
      a.service.observeOrderOutcome('order-not-placed', `Order probably not placed: BUY 1 BTCUSDT #${i}`);
    }
    a.service.observeKeyHealth(health);
    const b = build(db, clock);
    b.service.observeKeyHealth(health);
    expect([...a.logged, ...b.logged].filter((e) => e.ruleId.startsWith('key-lapse:')).map((e) => e.title)).toEqual([
      'Trading permission ends soon',
    ]);
  });

  it('a key-lapse warning logged before the flag existed is not given again', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const at = Date.UTC(2026, 11, 20, 9, 30);
    createAlertsRepository(db).record(
      [],
      [
        {
          at: T0 - 60_000,
          ruleId: `key-lapse:demo:${at}`,
          environment: 'demo',
          symbol: '',
          kind: 'account',
          title: 'Trading permission ends soon',
          message: 'earlier',
          banner: true,
          view: 'settings',
        },
      ],
    );
    const a = build(db, clock);
    a.service.observeKeyHealth({
      environment: 'demo',
      type: 'HMAC',
      reading: true,
      spotTrading: true,
      withdrawals: false,
      ipRestricted: false,
      createdAt: null,
      tradingAuthorityExpiresAt: at,
      warnings: [],
      checkedAt: T0,
    });
    expect(a.logged).toEqual([]);
  });

  it('the watchlist keeps its order across a restart and counts towards the watched symbols', () => {
    const db = openDatabase(':memory:').db;
    const clock = { t: T0 };
    const a = build(db, clock);
    a.service.setWatchlist(['SOLUSDT', 'ETHBTC', 'SOLUSDT']);
    a.service.observeTickers([{ symbol: 'ETHBTC', last: '0.0525', open: '0.05' }], true, 'stream');
    expect(a.service.watchItems()).toEqual([
      { symbol: 'SOLUSDT', last: null, changePercent: null, stale: true },
      { symbol: 'ETHBTC', last: '0.0525', changePercent: '5', stale: false },
    ]);
    const b = build(db, clock);
    expect(b.service.watchlist()).toEqual(['SOLUSDT', 'ETHBTC']);
    expect(b.service.symbols()).toEqual(new Set(['SOLUSDT', 'ETHBTC']));
  });
});
