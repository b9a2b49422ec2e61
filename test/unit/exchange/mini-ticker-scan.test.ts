// The byte reader of the all-market mini-ticker frame: whatever it accepts is valid JSON, and
// every field it locates is exactly what JSON.parse reads there. Anything else it refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMiniTickerScanner,
  fnv1a,
  HIGH,
  LAST,
  LOW,
  OPEN,
  QUOTE_VOLUME,
  STRIDE,
  SYMBOL_END,
  SYMBOL_HASH,
  SYMBOL_START,
  VOLUME,
} from '../../../src/main/exchange/mini-ticker-scan';

interface Mini {
  e: string;
  E: number;
  s: string;
  c: string;
  o: string;
  h: string;
  l: string;
  v: string;
  q: string;
}

/** What the scan located, read back as JSON.parse would give it (symbols as UTF-8, values as bytes). */
function located(bytes: Buffer): Mini[] | null {
  const r = createMiniTickerScanner().scan(bytes);
  if (r === null) return null;
  const out: Mini[] = [];
  for (let k = 0; k < r.count; k++) {
    const o = r.offsets;
    const p = k * STRIDE;
    const field = (f: number) => bytes.toString('latin1', o[p + f], o[p + f + 1]);
    const sym = bytes.subarray(o[p + SYMBOL_START], o[p + SYMBOL_END]);
    expect(o[p + SYMBOL_HASH]).toBe(fnv1a(sym));
    out.push({
      e: '24hrMiniTicker',
      E: r.eventTimes[k]!,
      s: sym.toString('utf8'),
      c: field(LAST),
      o: field(OPEN),
      h: field(HIGH),
      l: field(LOW),
      v: field(VOLUME),
      q: field(QUOTE_VOLUME),
    });
  }
  return out;
}

/** The whole frame as JSON.parse reads it, or null if it throws. */
function parsed(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString()) as unknown;
  } catch {
    return null;
  }
}

const symbol = fc.oneof(
  fc.constantFrom('BTCUSDT', 'BTCUSDTX', 'BTCUSD', '币安人生USDT', 'ÉTHUSDT', '这是测试币456', ''),
  fc.string({ unit: fc.constantFrom('A', 'B', 'é', '币', '"', '\\', '\u0001', '\u007f', '😀'), maxLength: 6 }),
);
const value = fc.oneof(
  fc.constantFrom('0.00251000', '64259.69000000', '0', '1e-7', '-1.5E+3', '', ' ', '/'),
  fc.string({ unit: fc.constantFrom('0', '7', '.', 'e', '+', '-', '"', '\\', 'é', '\u001f', ' ', '/', '~'), maxLength: 34 }),
);
const element = fc.record({
  e: fc.constantFrom('24hrMiniTicker', '24hrMiniTicker', '24hrTicker'),
  E: fc.oneof(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.constantFrom(0, 7, 1.5, -3, 1e21, 2 ** 53)),
  s: symbol,
  c: value,
  o: value,
  h: value,
  l: value,
  v: value,
  q: value,
});
const frame = (els: readonly Mini[], stream = '!miniTicker@arr') => Buffer.from(JSON.stringify({ stream, data: els }));

describe('mini-ticker scan', () => {
  it('reads a frame as Binance sends it', () => {
    const text =
      '{"stream":"!miniTicker@arr","data":[{"e":"24hrMiniTicker","E":1796428055421,"s":"BTCUSDT","c":"64259.69000000","o":"64718.10000000","h":"65708.34000000","l":"63133.90000000","v":"23335.94371000","q":"1503009578.88370609"}]}';
    expect(located(Buffer.from(text))).toEqual((JSON.parse(text) as { data: Mini[] }).data);
    expect(located(Buffer.from('{"stream":"!miniTicker@arr","data":[]}'))).toEqual([]);
  });

  it('property: a frame it accepts is valid JSON and every field is what JSON.parse reads', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(element, { maxLength: 6 }), (els) => {
        const bytes = frame(els);
        const got = located(bytes);
        const plainLayout = els.every(
          (e) =>
            e.e === '24hrMiniTicker' &&
            Number.isSafeInteger(e.E) &&
            e.E >= 0 &&
            ![e.c, e.o, e.h, e.l, e.v, e.q].some((v) => /[^\x20-\x7f]|["\\]/.test(v)) &&
            ![...e.s].some((ch) => ch < ' ' || ch === '"' || ch === '\\'),
        );
        // Everything on Binance's layout is taken; nothing else is.
        expect(got !== null).toBe(plainLayout && els.every((e) => String(e.E).length <= 15));
        if (got === null) return;
        accepted++;
        expect(got).toEqual((parsed(bytes) as { data: Mini[] }).data);
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('property: a frame damaged anywhere (a byte changed, added or cut) is refused, or parses to the same fields', () => {
    let accepted = 0;
    const plainElement = element.map((e) => ({
      ...e,
      e: '24hrMiniTicker',
      E: Math.abs(Math.trunc(e.E)) % 1e12,
      s: [...e.s].map((ch) => (ch < ' ' || ch === '"' || ch === '\\' ? 'Z' : ch)).join(''),
      c: e.c.replace(/[^\x20-\x7f]|["\\]/g, '1'),
    }));
    fc.assert(
      fc.property(
        fc.array(plainElement, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('set', 'insert', 'delete'),
        (els, where, byte, how) => {
          const good = frame(els.map((e) => ({ ...e, o: '1', h: '2', l: '0.5', v: '10', q: '20' })));
          const at = where % good.length;
          const bad =
            how === 'set'
              ? Buffer.concat([good.subarray(0, at), Buffer.from([byte]), good.subarray(at + 1)])
              : how === 'insert'
                ? Buffer.concat([good.subarray(0, at), Buffer.from([byte]), good.subarray(at)])
                : Buffer.concat([good.subarray(0, at), good.subarray(at + 1)]);
          const got = located(bad);
          if (got === null) return;
          accepted++;
          const whole = parsed(bad) as { stream: string; data: Mini[] } | null;
          expect(whole).not.toBeNull();
          expect(whole!.stream).toBe('!miniTicker@arr');
          expect(got).toEqual(whole!.data);
        },
      ),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(50); // harmless edits (inside a value or a symbol) are still read
  });

  it('refuses what is not Binance’s compact layout, leaving it to JSON.parse', () => {
    const el: Mini = { e: '24hrMiniTicker', E: 1, s: 'BTCUSDT', c: '1', o: '1', h: '1', l: '1', v: '1', q: '1' };
    const ok = frame([el]).toString();
    const cases = [
      JSON.stringify({ stream: '!miniTicker@arr', data: [el] }, null, 1), // whitespace
      JSON.stringify({ stream: '!ticker_1h@arr', data: [el] }), // another stream
      JSON.stringify({ data: [el], stream: '!miniTicker@arr' }), // another key order
      JSON.stringify({ stream: '!miniTicker@arr', data: [{ ...el, x: 1 }] }), // another field
      ok.replace('"E":1', '"E":1.0'),
      ok.replace('"E":1', '"E":-1'),
      ok.replace('"E":1', '"E":1234567890123456'), // 16 digits: left to JSON.parse
      ok.replace('"s":"BTCUSDT"', '"s":"BTC\\u0055SDT"'), // an escape in a symbol
      ok.replace('"c":"1"', '"c":"\\u0031"'), // an escape in a value
      ok.replace(']}', '],"x":1}'),
      ok + ' ',
    ];
    for (const text of cases) expect(located(Buffer.from(text)), text).toBeNull();
    // A symbol of bytes that are not UTF-8: Buffer#toString would read it otherwise.
    const broken = Buffer.from(ok.replace('BTCUSDT', 'BTCUSD\u00ff'), 'latin1');
    expect(located(broken)).toBeNull();
  });
});
