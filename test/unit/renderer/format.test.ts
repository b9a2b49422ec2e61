// Seam: display formatting of decimal strings (no floats between main's strings and the screen).
import { describe, expect, it } from 'vitest';
import {
  compareDecimal,
  formatPercent,
  formatPrice,
  formatQuantity,
  formatSignedValue,
  formatValue,
  maskFigures,
  MASK,
  roundDecimal,
} from '../../../src/renderer/app/format';

describe('compareDecimal', () => {
  it.each([
    ['1', '2', -1],
    ['10', '9.99999999', 1],
    ['0.1', '0.10', 0],
    ['-0.5', '0.1', -1],
    ['-2', '-1', -1],
    ['0', '-0.0', 0],
    ['123456789012345678.000000001', '123456789012345678', 1],
  ])('%s vs %s', (a, b, want) => {
    expect(compareDecimal(a, b)).toBe(want);
    expect(compareDecimal(b, a)).toBe(-want || 0);
  });
});

describe('roundDecimal', () => {
  it.each([
    ['1.005', 2, '1.01'],
    ['1.004', 2, '1.00'],
    ['9.999', 2, '10.00'],
    ['-9.995', 2, '-10.00'],
    ['-0.001', 2, '0.00'],
    ['5', 2, '5.00'],
    ['0.5', 0, '1'],
    // beyond float precision: the string is rounded, not a double
    ['12345678901234567.125', 2, '12345678901234567.13'],
  ])('%s to %d -> %s', (v, dp, want) => {
    expect(roundDecimal(v, dp)).toBe(want);
  });
});

describe('display formats', () => {
  it('groups thousands and keeps quantities exact', () => {
    expect(formatQuantity('25000.00000000')).toBe('25,000');
    expect(formatQuantity('0.50000000')).toBe('0.5');
    expect(formatQuantity('1234567.12345678')).toBe('1,234,567.12345678');
  });
  it('values use the quote currency decimals', () => {
    expect(formatValue('78188.3249', 'USDT')).toBe('78,188.32');
    expect(formatValue('1.234567891', 'BTC')).toBe('1.23456789');
    expect(formatSignedValue('667.085', 'USDT')).toBe('+667.09');
    expect(formatSignedValue('-3.2', 'USDT')).toBe('−3.20');
  });
  it('small prices keep four significant digits', () => {
    expect(formatPrice('0.0719586112', 'USDT')).toBe('0.07196');
    expect(formatPrice('64250', 'USDT')).toBe('64,250.00');
    expect(formatPrice('1.00010000', 'USDT')).toBe('1.0001');
  });
  it('percentages carry a sign', () => {
    expect(formatPercent('0.856')).toBe('+0.86 %');
    expect(formatPercent('-5.3')).toBe('−5.30 %');
    expect(formatPercent('12.5', { sign: false })).toBe('12.50 %');
  });
});

describe('maskFigures (privacy mode for notices and messages)', () => {
  it('hides every figure of a notice in privacy mode and nothing otherwise', () => {
    const text = 'Order filled: BUY 0.01000000 BTCUSDT at 64,210.5 (cost 642.10 USDT)';
    const masked = maskFigures(true, text);
    expect(masked).not.toMatch(/\d/);
    expect(masked).toContain(`BUY ${MASK} BTCUSDT`);
    expect(maskFigures(false, text)).toBe(text);
  });
});
