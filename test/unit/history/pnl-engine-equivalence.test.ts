import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../../src/shared/money';
import {
  compareEvents,
  realizedBetween,
  type Disposal,
  computePnl,
  type CostMethod,
  type HistoryEvent,
  type PnlInput,
  type PriceAt,
} from '../../../src/main/history/pnl-engine';
import { runLedger } from '../../../src/main/history/pnl-ledger';
import { scaledNumbers, Unrepresentable } from '../../../src/main/history/pnl-numbers';
import { computePnlOracle } from './pnl-engine-oracle';

/**
 * Property cases, scaled by PERCH_PROPERTY_SCALE (mutation testing runs every covering test once
 * per mutant, so it asks for fewer: docs/quality.md); the minimum counts scale with them (halved again when scaled, so fewer cases cannot make them flaky).
 */
const SCALE = Number(process.env.PERCH_PROPERTY_SCALE ?? '1');
const cases = (n: number): number => Math.max(20, Math.round(n * SCALE));
const atLeast = (n: number): number => (SCALE >= 1 ? n : Math.floor((n * SCALE) / 2));

/**
 * The engine (scaled integers, decimal.js when a value does not fit) against the engine as it was
 * (decimal.js on every operation, pnl-engine-oracle.ts): the same figures, to the last digit, for
 * random histories of trades (fees in the bought asset, the quote or BNB), conversions, deposits
 * of every cost kind and withdrawals, both methods, amounts from 1e-18 to 1e40, with prices of 60
 * digits (an inverted market) and more than 18 decimals.
 */

const ASSETS = ['USDT', 'BTC', 'ETH', 'BNB', 'EUR'];

/** A decimal string from a mantissa and a number of decimals ("12345", 3 -> "12.345"). */
const text = (m: bigint, dp: number): string => {
  const s = m.toString().padStart(dp + 1, '0');
  return dp === 0 ? s : `${s.slice(0, s.length - dp)}.${s.slice(s.length - dp)}`;
};
const decimalArb = (max: bigint, dpMin: number, dpMax: number): fc.Arbitrary<string> =>
  fc.tuple(fc.bigInt({ min: 0n, max }), fc.integer({ min: dpMin, max: dpMax })).map(([m, dp]) => text(m, dp));

/** Amounts an exchange sends (up to 8 decimals), tiny ones (up to 18), and, when wild, beyond what the scaled kind holds. */
const amountArb = (wild: boolean): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: decimalArb(10n ** 10n, 0, 8) },
    { weight: 2, arbitrary: decimalArb(10n ** 5n, 9, 18) },
    { weight: 1, arbitrary: fc.constantFrom('0', '0.00000000', '1', '100') },
    ...(wild
      ? [
          { weight: 1, arbitrary: decimalArb(10n ** 6n, 19, 24) },
          { weight: 1, arbitrary: decimalArb(10n ** 44n, 0, 18) },
          { weight: 1, arbitrary: fc.constantFrom('1e-7', '2.5E3', '.5') },
        ]
      : []),
  );

/** A price: exchange-like (up to 8 decimals), a two-leg product (16), or, when wild, an inverted market (60 digits). */
const priceArb = (wild: boolean): fc.Arbitrary<Decimal> =>
  fc.oneof(
    { weight: 6, arbitrary: decimalArb(10n ** 12n, 0, 8).map((s) => new Decimal(s)) },
    { weight: 2, arbitrary: fc.tuple(decimalArb(10n ** 8n, 0, 8), decimalArb(10n ** 8n, 0, 8)).map(([a, b]) => new Decimal(a).mul(b)) },
    ...(wild ? [{ weight: 2, arbitrary: decimalArb(10n ** 9n, 0, 8).map((s) => new Decimal(1).div(new Decimal(s).plus(1))) }] : []),
  );

type Step = {
  kind: number;
  a: number;
  b: number;
  c: number;
  side: boolean;
  x: string;
  y: string;
  z: string;
  dt: number;
  costKind: number;
};

const stepArb = (wild: boolean): fc.Arbitrary<Step> =>
  fc.record({
    kind: fc.integer({ min: 0, max: 9 }),
    a: fc.nat(4),
    b: fc.nat(4),
    c: fc.nat(4),
    side: fc.boolean(),
    x: amountArb(wild),
    y: amountArb(wild),
    z: amountArb(wild),
    dt: fc.constantFrom(0, 0, 1000, 60_000),
    costKind: fc.nat(3),
  });

function buildEvents(steps: readonly Step[]): HistoryEvent[] {
  let time = 1000;
  return steps.map((s, i): HistoryEvent => {
    time += s.dt;
    const id = String(i + 1);
    const a = ASSETS[s.a]!;
    const b = ASSETS[s.b === s.a ? (s.b + 1) % ASSETS.length : s.b]!;
    if (s.kind <= 4) {
      // Trades: base a against quote b; the fee in the bought asset, the sold one, BNB or another.
      const feeAsset = [a, b, 'BNB', ASSETS[s.c]!][s.kind % 4]!;
      return {
        kind: 'trade',
        id,
        time,
        symbol: a + b,
        base: a,
        quote: b,
        side: s.side ? 'BUY' : 'SELL',
        qty: s.x,
        quoteQty: s.y,
        fee: s.z,
        feeAsset,
      };
    }
    if (s.kind === 5) return { kind: 'convert', id, time, from: a, fromAmount: s.x, to: b, toAmount: s.y, fee: s.z };
    if (s.kind === 6) return { kind: 'withdrawal', id, time, asset: a, amount: s.x, fee: s.z };
    const cost = [undefined, { kind: 'unknown' as const }, { kind: 'market' as const }, { kind: 'entered' as const, total: s.y }][
      s.costKind
    ];
    return { kind: 'deposit', id, time, asset: a, amount: s.x, ...(cost ? { cost } : {}) };
  });
}

const historyArb = fc.boolean().chain((wild) =>
  fc.record({
    wild: fc.constant(wild),
    steps: fc.array(stepArb(wild), { minLength: 1, maxLength: 40 }),
    // Per asset, per minute bucket; a missing entry is a missing price (a gap, an issue).
    prices: fc.array(fc.option(priceArb(wild), { freq: 6 }), { minLength: 8, maxLength: 8 }),
    method: fc.constantFrom<CostMethod>('fifo', 'average'),
    samples: fc.array(fc.integer({ min: 0, max: 3_000_000 }), { maxLength: 5 }),
    trail: fc.option(fc.constantFrom(...ASSETS)),
    unpriced: fc.option(fc.constantFrom(...ASSETS)),
    // Prices at the events' own minute (with a source), which differ from the samples' prices.
    eventPrices: fc.boolean(),
  }),
);

function inputOf(h: HistoryValue): PnlInput {
  const priceAt: PriceAt = (asset, time) => {
    if (asset === 'USDT') return new Decimal(1);
    if (asset === h.unpriced) return undefined;
    const p = h.prices[(ASSETS.indexOf(asset) * 3 + Math.floor(time / 60_000)) % h.prices.length];
    return p ?? undefined;
  };
  return {
    quote: 'USDT',
    method: h.method,
    events: buildEvents(h.steps),
    priceAt,
    asOf: 5_000_000,
    sampleTimes: h.samples,
    hasPriceSource: (asset) => asset !== h.unpriced,
    ...(h.eventPrices
      ? {
          eventPriceAt: (asset: string, time: number) => {
            const p = priceAt(asset, time + 60_000);
            const source = (['minute', 'hour', 'day'] as const)[Math.floor(time / 60_000) % 3]!;
            return p === undefined ? undefined : { price: p, source };
          },
        }
      : {}),
    ...(h.trail !== null ? { trailAsset: h.trail } : {}),
  };
}
type HistoryValue = {
  wild: boolean;
  steps: Step[];
  prices: Array<Decimal | null>;
  method: CostMethod;
  samples: number[];
  trail: string | null;
  unpriced: string | null;
  eventPrices: boolean;
};

/** realizedBetween as the engine had it: decimal.js over every gain. */
function decimalSum(disposals: readonly Disposal[], from: number, to: number): unknown {
  let total = new Decimal(0);
  const byAsset = new Map<string, Decimal>();
  for (const d of disposals) {
    if (d.time < from || d.time >= to) continue;
    total = total.plus(d.gain);
    byAsset.set(d.asset, (byAsset.get(d.asset) ?? new Decimal(0)).plus(d.gain));
  }
  return periodJson({ total, byAsset });
}
const periodJson = (p: { total: Decimal; byAsset: Map<string, Decimal> }): unknown => ({ total: p.total, byAsset: [...p.byAsset] });

/** Whether the scaled ledger carries this history through (else computePnl fell back to decimal.js). */
function scaledCarries(input: PnlInput): boolean {
  try {
    runLedger(scaledNumbers(), input, [...input.events].sort(compareEvents));
    return true;
  } catch (e) {
    if (e instanceof Unrepresentable) return false;
    throw e;
  }
}

describe('P&L engine: the scaled ledger gives the same figures as decimal.js on every operation', () => {
  it('random histories, both methods, tiny and huge amounts, fees in any asset', () => {
    let scaled = 0;
    let fallback = 0;
    let disposals = 0;
    fc.assert(
      fc.property(historyArb, (h) => {
        const input = inputOf(h);
        const oracle = (() => {
          try {
            return JSON.stringify(computePnlOracle(input));
          } catch (e) {
            return `throws ${String(e)}`;
          }
        })();
        const actual = (() => {
          try {
            return JSON.stringify(computePnl(input));
          } catch (e) {
            return `throws ${String(e)}`;
          }
        })();
        expect(actual).toBe(oracle);
        if (oracle.startsWith('throws')) return;
        // Realized per period, summed from the engine's disposals, as decimal.js sums the oracle's.
        const mine = computePnl(input).disposals;
        const theirs = computePnlOracle(input).disposals;
        for (const [from, to] of [
          [0, Infinity],
          [0, 1000],
          [61_000, 200_000],
        ] as const)
          expect(JSON.stringify(periodJson(realizedBetween(mine, from, to)))).toBe(JSON.stringify(decimalSum(theirs, from, to)));
        if (scaledCarries(input)) scaled += 1;
        else fallback += 1;
        disposals += computePnl(input).disposals.length;
      }),
      { numRuns: cases(400) },
    );
    // Both paths must have been compared many times, or the property says little.
    expect(scaled).toBeGreaterThan(atLeast(100));
    expect(fallback).toBeGreaterThan(atLeast(50));
    expect(disposals).toBeGreaterThan(atLeast(1000));
  });
});

describe('P&L engine: realized per period from the scaled ledger', () => {
  const buySell = (id: number, time: number, cost: string, proceeds: string, qty = '1'): HistoryEvent[] => [
    {
      kind: 'trade',
      id: String(id),
      time,
      symbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      side: 'BUY',
      qty,
      quoteQty: cost,
      fee: '0',
      feeAsset: 'USDT',
    },
    {
      kind: 'trade',
      id: String(id + 1),
      time: time + 1,
      symbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      side: 'SELL',
      qty,
      quoteQty: proceeds,
      fee: '0',
      feeAsset: 'USDT',
    },
  ];
  const input = (events: HistoryEvent[]): PnlInput => ({ quote: 'USDT', method: 'fifo', events, priceAt: () => undefined, asOf: 10_000 });

  it('sums beyond 60 digits, and disposals of both ledgers together, as decimal.js does', () => {
    // Two gains of 6e41 (with 18 decimals): their sum has 61 digits, which decimal.js rounds.
    const huge = computePnl(
      input([
        ...buySell(1, 1000, '0.000000000000000001', '600000000000000000000000000000000000000000'),
        ...buySell(3, 2000, '0.000000000000000001', '600000000000000000000000000000000000000000'),
      ]),
    );
    expect(scaledCarries(input(buySell(1, 1000, '0.000000000000000001', '600000000000000000000000000000000000000000')))).toBe(true);
    const sum = realizedBetween(huge.disposals, 0, Infinity);
    expect(JSON.stringify(periodJson(sum))).toBe(JSON.stringify(decimalSum(huge.disposals, 0, Infinity)));
    // The exact sum, 1199…999.999999999999999998, has 61 digits: decimal.js rounds it.
    expect(sum.total.toFixed()).toBe('1200000000000000000000000000000000000000000');
    // A history with 19 decimals runs on decimal.js; its disposals mixed with the scaled ledger's.
    const fine = computePnl(input(buySell(1, 1000, '1.0000000000000000001', '3')));
    const scaled = computePnl(input(buySell(5, 3000, '1', '2.5')));
    expect(scaledCarries(input(buySell(1, 1000, '1.0000000000000000001', '3')))).toBe(false);
    const mixed = [...fine.disposals, ...scaled.disposals];
    expect(realizedBetween(mixed, 0, Infinity).total.toFixed()).toBe('3.4999999999999999999');
    expect(realizedBetween(scaled.disposals, 0, Infinity).total.toFixed()).toBe('1.5');
    expect(realizedBetween(scaled.disposals, 0, 3001).total.toFixed()).toBe('0');
    expect([...realizedBetween(mixed, 0, Infinity).byAsset].map(([a, g]) => `${a} ${g.toFixed()}`)).toEqual(['BTC 3.4999999999999999999']);
  });

  it('reads a scaled disposal like a plain one, and writes the same JSON', () => {
    const r = computePnl(input(buySell(1, 1000, '100.5', '150.25', '0.5')));
    const d = r.disposals[0]!;
    expect([d.qty, d.proceeds, d.costBasis, d.gain].map((x) => x.toFixed())).toEqual(['0.5', '150.25', '100.5', '49.75']);
    // Read twice: the same Decimal object (made once).
    for (const read of [(x: Disposal) => x.qty, (x: Disposal) => x.proceeds, (x: Disposal) => x.costBasis, (x: Disposal) => x.gain])
      expect(read(d)).toBe(read(d));
    expect(JSON.parse(JSON.stringify(d))).toEqual({
      eventId: '2',
      kind: 'trade',
      time: 1001,
      asset: 'BTC',
      qty: '0.5',
      proceeds: '150.25',
      costBasis: '100.5',
      gain: '49.75',
      method: 'fifo',
      acquiredFrom: 1000,
      acquiredTo: 1000,
      costAssumed: false,
      missingHistory: false,
      priceSource: null,
    });
  });
});
