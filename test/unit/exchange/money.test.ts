import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  ceilToStep,
  cmp,
  dec,
  decimalsOf,
  div,
  floorToStep,
  formatDecimal,
  formatFixed,
  isDecimalString,
  isMultipleOf,
  mul,
  parseDecimal,
  snapToTick,
  sub,
} from '../../../src/shared/money';

describe('shared/money', () => {
  it('golden cases: no float artefacts, no exponents', () => {
    expect(add('0.1', '0.2')).toBe('0.3');
    expect(formatDecimal('1e-7')).toBe('0.0000001');
    expect(formatDecimal('0.00000001')).toBe('0.00000001');
    expect(formatDecimal('123456789.123456789')).toBe('123456789.123456789');
    expect(formatDecimal('1e21')).toBe('1000000000000000000000');
    expect(mul('0.00000001', '0.00000001')).toBe('0.0000000000000001');
    expect(sub('1', '1.00000000')).toBe('0');
    expect(formatDecimal('-0.0')).toBe('0');
    expect(formatFixed('0.1', 8)).toBe('0.10000000');
    expect(div('1', '3', 8)).toBe('0.33333333');
    expect(cmp('0.10', '0.1')).toBe(0);
  });

  it('parses lenient user input, rejects junk and exponents', () => {
    expect(parseDecimal(' 12.5 ')?.toFixed()).toBe('12.5');
    expect(parseDecimal('.5')?.toFixed()).toBe('0.5');
    expect(parseDecimal('1.')?.toFixed()).toBe('1');
    for (const bad of ['', '1e5', 'abc', '1,000', '1.2.3', 'NaN', 'Infinity', '--1']) expect(parseDecimal(bad)).toBeUndefined();
    expect(isDecimalString('0.00100000')).toBe(true);
    expect(isDecimalString('.5')).toBe(false);
    expect(() => dec('x')).toThrow(/not a decimal/);
  });

  it('step helpers', () => {
    expect(floorToStep('1.23456789', '0.001').toFixed()).toBe('1.234');
    expect(ceilToStep('1.2341', '0.001').toFixed()).toBe('1.235');
    expect(snapToTick('100.05', '0.1', 'nearest').toFixed()).toBe('100.1');
    expect(snapToTick('100.05', '0.1', 'down').toFixed()).toBe('100');
    expect(floorToStep('5', '0').toFixed()).toBe('5');
    expect(decimalsOf('0.00100000')).toBe(3);
    expect(decimalsOf('1.00000000')).toBe(0);
    expect(isMultipleOf('0.3', '0.1')).toBe(true);
    expect(isMultipleOf('0.30000000000000004', '0.1')).toBe(false);
  });

  it('property: floor/ceil to any step 1e-8..1000 gives an exact multiple, bracketing the value, plain text', () => {
    const step = fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -8, max: 3 }))
      .map(([m, e]) => formatDecimal(dec(String(m)).mul(dec('10').pow(e))));
    const value = fc
      .tuple(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }))
      .map(([n, scale]) => formatDecimal(dec(n.toString()).div(dec('10').pow(scale))));
    fc.assert(
      fc.property(step, value, (st, v) => {
        const lo = floorToStep(v, st);
        const hi = ceilToStep(v, st);
        expect(isMultipleOf(lo, st)).toBe(true);
        expect(isMultipleOf(hi, st)).toBe(true);
        expect(lo.lte(v) && hi.gte(v)).toBe(true);
        expect(hi.minus(lo).lte(st)).toBe(true);
        for (const text of [formatDecimal(lo), formatDecimal(hi)]) expect(text).toMatch(/^\d+(\.\d+)?$/);
      }),
      { numRuns: 500 },
    );
  });
});
