import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../../src/shared/money';
import { decimalNumbers, scaledNumbers, scaledToDecimal, Unrepresentable } from '../../../src/main/history/pnl-numbers';

/**
 * Property cases, scaled by PERCH_PROPERTY_SCALE (mutation testing runs every covering test once
 * per mutant, so it asks for fewer: docs/quality.md); the minimum counts scale with them.
 */
const SCALE = Number(process.env.PERCH_PROPERTY_SCALE ?? '1');
const cases = (n: number): number => Math.max(20, Math.round(n * SCALE));

const S = scaledNumbers();
const D = (v: string): Decimal => new Decimal(v);
/** The scaled value of a decimal string, built without the code under test. */
const n = (v: string): bigint => BigInt(D(v).mul(D('1e18')).toFixed());
const text = (x: bigint): string => scaledToDecimal(x).toFixed();
const decimalShare = (cost: string, take: string, held: string): string => decimalNumbers.share(D(cost), D(take), D(held)).toFixed();

describe('scaled numbers: reading and writing', () => {
  it('reads plain decimals up to 18 decimals, trailing zeros beyond them included', () => {
    expect(S.parse('12.3400')).toBe(12_340_000_000_000_000_000n);
    expect(S.parse('0.000000000000000001')).toBe(1n);
    expect(S.parse('7')).toBe(7n * 10n ** 18n);
    expect(S.parse('7.')).toBe(7n * 10n ** 18n);
    expect(S.parse('0.10000000000000000000000')).toBe(10n ** 17n);
    expect(S.parse('0')).toBe(0n);
    // The largest amount below 60 digits.
    expect(S.parse('999999999999999999999999999999999999999999.999999999999999999')).toBe(10n ** 60n - 1n);
  });

  it('refuses what it cannot hold exactly, so the ledger runs on decimal.js instead', () => {
    for (const t of [
      '0.0000000000000000001',
      '1.0000000000000000001',
      '-1',
      '1e-7',
      '2E3',
      '.5',
      '+1',
      ' 1',
      '',
      'abc',
      '1000000000000000000000000000000000000000000',
    ])
      expect(() => S.parse(t), t).toThrow(Unrepresentable);
    expect(() => S.parse('0.0000000000000000001')).toThrow('not representable with 18 decimals: 0.0000000000000000001');
  });

  it('writes Decimals with the point in place, either sign', () => {
    expect(text(5n)).toBe('0.000000000000000005');
    expect(text(-5n)).toBe('-0.000000000000000005');
    expect(text(-123_450_000_000_000_000_000n)).toBe('-123.45');
    expect(text(10n ** 18n)).toBe('1');
    expect(text(0n)).toBe('0');
  });

  it('takes a price from a Decimal, and refuses a negative, infinite or over-long one', () => {
    const p = D('64098.01');
    expect(S.fromDecimal(p)).toBe(n('64098.01'));
    // The same object again (a price function often returns the same Decimal): the same value.
    expect(S.fromDecimal(p)).toBe(n('64098.01'));
    expect(S.fromDecimal(D('0'))).toBe(0n);
    for (const bad of [D('-1'), D('-0'), new Decimal(Infinity), new Decimal(NaN), D('1').div(3)])
      expect(() => S.fromDecimal(bad), bad.toString()).toThrow(Unrepresentable);
  });
});

describe('scaled numbers: arithmetic', () => {
  it('adds, subtracts and multiplies exactly, and refuses a result decimal.js would round', () => {
    expect(S.add(n('0.1'), n('0.2'))).toBe(n('0.3'));
    expect(S.sub(n('0.1'), n('0.3'))).toBe(n('-0.2'));
    expect(S.mul(n('1.5'), n('0.000001'))).toBe(n('0.0000015'));
    expect(S.mul(n('-2'), n('3.25'))).toBe(n('-6.5'));
    const top = 10n ** 60n - 1n;
    expect(S.add(top - 1n, 1n)).toBe(top);
    expect(() => S.add(top, 1n)).toThrow('not representable with 18 decimals: more than 60 digits');
    expect(() => S.sub(-top, 1n)).toThrow(Unrepresentable);
    expect(S.sub(-top + 1n, 1n)).toBe(-top);
    // 0.1 × 0.000000000000000001 has 19 decimals.
    expect(() => S.mul(n('0.1'), 1n)).toThrow('not representable with 18 decimals: a product with more than 18 decimals');
    expect(() => S.mul(n('1e30'), n('1e12'))).toThrow(Unrepresentable);
    expect(S.mul(n('1e30'), n('1e11'))).toBe(n('1e41'));
  });

  it('compares like decimal.js', () => {
    expect([S.pos(1n), S.pos(0n), S.pos(-1n)]).toEqual([true, false, false]);
    expect([S.neg(-1n), S.neg(0n), S.neg(1n)]).toEqual([true, false, false]);
    expect([S.isZero(0n), S.isZero(1n)]).toEqual([true, false]);
    expect([S.lt(1n, 2n), S.lt(2n, 2n), S.lt(3n, 2n)]).toEqual([true, false, false]);
    expect([S.eq(2n, 2n), S.eq(1n, 2n)]).toEqual([true, false]);
    const Z = decimalNumbers;
    expect([Z.pos(D('1')), Z.pos(D('0')), Z.pos(D('-0')), Z.pos(D('-1'))]).toEqual([true, false, false, false]);
    expect([Z.neg(D('-1')), Z.neg(D('0')), Z.isZero(D('-0')), Z.lt(D('1'), D('2')), Z.eq(D('1.0'), D('1'))]).toEqual([
      true,
      false,
      true,
      true,
      true,
    ]);
    expect(Z.parse('1e-7').toFixed()).toBe('0.0000001');
    expect(Z.fromDecimal(D('2'))).toEqual(D('2'));
    expect(Z.toDecimal(D('2'))).toEqual(D('2'));
    expect([Z.add(D('1'), D('2')), Z.sub(D('1'), D('2')), Z.mul(D('1.5'), D('2'))].map(String)).toEqual(['3', '-1', '3']);
  });
});

describe('scaled numbers: a lot’s cost share (cost × taken / held, 18 decimals, half-even)', () => {
  it('is the whole cost when all is taken, and rounds half-even like decimal.js', () => {
    expect(S.share(n('7'), n('3'), n('3'))).toBe(n('7'));
    expect(text(S.share(n('1'), n('1'), n('3')))).toBe('0.333333333333333333');
    expect(text(S.share(n('2'), n('1'), n('3')))).toBe('0.666666666666666667');
    // Exact halves of the 18th decimal: to the even neighbour, both ways.
    expect(text(S.share(1n, 1n, 2n))).toBe('0');
    expect(text(S.share(3n, 1n, 2n))).toBe('0.000000000000000002');
    expect(text(S.share(5n, 1n, 2n))).toBe('0.000000000000000002');
    expect(text(S.share(-3n, 1n, 2n))).toBe('-0.000000000000000002');
    // A negative share that rounds to nothing is 0 (decimal.js keeps a sign on its zero: the same value).
    expect(S.share(-1n, 1n, 3n)).toBe(0n);
    expect(text(S.share(n('-2'), n('1'), n('3')))).toBe('-0.666666666666666667');
  });

  it('near a half, where decimal.js’s 60-digit quotient rounds onto the half, gives decimal.js’s figure', () => {
    // The exact quotient is ...7499.9989999999999999995 minus a hair: rounded directly it would end in
    // ...998999999999999999; decimal.js first rounds it to 60 digits (...9995 exactly), then half-even.
    const cost = '10000000000000007500.001000000000000001';
    const take = '9999.999999999999999999';
    const held = '10000.000000000000000001';
    expect(decimalShare(cost, take, held)).toBe('10000000000000007499.999');
    expect(text(S.share(n(cost), n(take), n(held)))).toBe('10000000000000007499.999');
    // The same beyond 10^20 (there the 60 digits end closer to the 18th decimal).
    const big = ['100000000000000000750.100000000000000001', '999.999999999999999999', '1000.000000000000000001'] as const;
    expect(decimalShare(...big)).toBe('100000000000000000749.9');
    expect(text(S.share(n(big[0]), n(big[1]), n(big[2])))).toBe('100000000000000000749.9');
    expect(text(S.share(-n(big[0]), n(big[1]), n(big[2])))).toBe('-100000000000000000749.9');
  });

  it('at the edges of the direct rounding (a quotient of 10^20, a distance of 10^-22 from a half), gives decimal.js’s figure', () => {
    // Quotient exactly 10^20 plus a hair over half a unit: decimal.js's 60 digits end at the 39th
    // decimal, round the hair away and leave an exact half, which half-even rounds down.
    const held = '1000.000000000000000001';
    const cost = '100000000000000000000100000000000000000500.000000000000000001';
    const tiny = '0.000000000000000001';
    expect(decimalShare(cost, tiny, held)).toBe('100000000000000000000');
    expect(text(S.share(n(cost), n(tiny), n(held)))).toBe('100000000000000000000');
    // Half a unit minus exactly 0.5e-22 of one, below 10^20: decimal.js rounds onto the half, then up to even.
    const cost2 = '200000000000000000000000000000000000029999.999999999999999999';
    expect(decimalShare(cost2, tiny, '20000')).toBe('10000000000000000000.000000000000000002');
    expect(text(S.share(n(cost2), n(tiny), n('20000')))).toBe('10000000000000000000.000000000000000002');
    // A quarter of 10^-22 above a half: decimal.js rounds down onto the half, then to even (down).
    const cost3 = '400000000000000000000000000000000000020000.000000000000000001';
    expect(decimalShare(cost3, tiny, '40000')).toBe('10000000000000000000');
    expect(text(S.share(n(cost3), n(tiny), n('40000')))).toBe('10000000000000000000');
  });

  it('refuses a product decimal.js would round, or nothing held', () => {
    expect(() => S.share(10n ** 30n, 10n ** 30n, 10n ** 31n)).toThrow('not representable with 18 decimals: a cost share beyond 60 digits');
    expect(() => S.share(-(10n ** 30n), 10n ** 30n, 10n ** 31n)).toThrow(Unrepresentable);
    expect(S.share(10n ** 30n - 1n, 10n ** 30n, 10n ** 31n)).toBe(10n ** 29n - 0n);
    expect(() => S.share(1n, 1n, 0n)).toThrow(Unrepresentable);
    expect(() => S.share(1n, 1n, -2n)).toThrow(Unrepresentable);
  });

  it('equals decimal.js for random costs and quantities, small and large', () => {
    const amount = fc.oneof(
      fc.bigInt({ min: 1n, max: 10n ** 26n }),
      fc.bigInt({ min: 1n, max: 10n ** 12n }),
      fc.bigInt({ min: 10n ** 30n, max: 10n ** 40n }),
    );
    fc.assert(
      fc.property(amount, amount, amount, fc.boolean(), (cost, a, b, negative) => {
        const [take, held] = a <= b ? [a, b] : [b, a];
        const c = negative ? -cost : cost;
        let scaled: string;
        try {
          scaled = text(S.share(c, take, held));
        } catch (e) {
          if (!(e instanceof Unrepresentable)) throw e;
          expect(c * take >= 10n ** 60n || c * take <= -(10n ** 60n)).toBe(true);
          return;
        }
        expect(scaled).toBe(decimalNumbers.share(scaledToDecimal(c), scaledToDecimal(take), scaledToDecimal(held)).toFixed());
      }),
      { numRuns: cases(3000) },
    );
  });
});
