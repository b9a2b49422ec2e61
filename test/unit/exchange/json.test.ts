import { describe, expect, it } from 'vitest';
import { idString, parseJson } from '../../../src/main/exchange/json';

describe('parseJson keeps 64-bit ids exact (B7)', () => {
  it('integers above 2^53 come back as their exact decimal strings', () => {
    const text =
      '{"orderId":8389765612825190229,"tradeId":9007199254740993,"fills":[{"tradeId":18446744073709551615}],"neg":-9223372036854775808}';
    const v = parseJson(text) as { orderId: unknown; tradeId: unknown; fills: Array<{ tradeId: unknown }>; neg: unknown };
    expect(v.orderId).toBe('8389765612825190229');
    expect(v.tradeId).toBe('9007199254740993');
    expect(v.fills[0]?.tradeId).toBe('18446744073709551615');
    expect(v.neg).toBe('-9223372036854775808');
    // a plain JSON.parse would have lost it
    expect(String((JSON.parse(text) as { orderId: number }).orderId)).not.toBe('8389765612825190229');
  });

  it('safe integers, decimals and decimal strings are untouched', () => {
    const v = parseJson('{"a":9007199254740991,"b":12.5,"c":"0.00100000","d":1e3,"e":1234567890123456.5,"t":1700000000000}') as Record<
      string,
      unknown
    >;
    expect(v).toEqual({ a: 9007199254740991, b: 12.5, c: '0.00100000', d: 1000, e: 1234567890123456.5, t: 1700000000000 });
  });

  it('2^53 itself is not safe and is kept as a string', () => {
    expect((parseJson('{"x":9007199254740992,"pad":"1234567890123456"}') as { x: unknown }).x).toBe('9007199254740992');
  });

  it('throws on malformed JSON', () => {
    expect(() => parseJson('<html>502 Bad Gateway</html>')).toThrow(SyntaxError);
  });

  it('idString normalises ids and refuses lossy ones', () => {
    expect(idString(12)).toBe('12');
    expect(idString('8389765612825190229')).toBe('8389765612825190229');
    expect(idString(8389765612825190229n)).toBe('8389765612825190229');
    expect(() => idString(2 ** 60)).toThrow(/unsafe/);
  });
});
