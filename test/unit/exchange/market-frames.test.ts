// The per-frame parsing of the market streams, without sockets: records updated in place,
// older events dropped (B10), the changed set, and the focused all-market path, which must give
// exactly what parsing the whole frame gives for the focused symbols.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMarketData, frameKey, type MiniTicker } from '../../../src/main/exchange/market-frames';

const mini = (s: string, E: number, c: string) => ({ e: '24hrMiniTicker', E, s, c, o: '1.0', h: '2.0', l: '0.5', v: '10', q: '20' });
const allMarket = (els: readonly object[]): string => JSON.stringify({ stream: '!miniTicker@arr', data: els });
/** As the socket hands a frame over: its UTF-8 bytes. */
const bytes = (text: string): Buffer => Buffer.from(text);
/** Plain copies of the records (they hold their values as bytes and read them through accessors). */
const plain = (v: Readonly<MiniTicker>): MiniTicker => ({
  symbol: v.symbol,
  last: v.last,
  open: v.open,
  high: v.high,
  low: v.low,
  volume: v.volume,
  quoteVolume: v.quoteVolume,
  eventTime: v.eventTime,
});
/** The two ways an all-market frame is taken with a focus: a small focus parses its elements, a large one reads bytes. */
const BYTES = { byteFocusFrom: 0 };
const PATHS = [
  ['focused elements parsed', {}],
  ['bytes', BYTES],
] as const;
const snapshot = (m: ReadonlyMap<string, Readonly<MiniTicker>>) => new Map([...m].map(([k, v]) => [k, plain(v)]));

describe('market frames: applying payloads', () => {
  it('applies mini tickers, book tops and klines, and never moves a value back', () => {
    const md = createMarketData();
    expect(md.applyFrame('!miniTicker@arr', [mini('BTCUSDT', 10, '100'), mini('ETHUSDT', 10, '5')])).toBe(true);
    expect(md.applyFrame('!miniTicker@arr', [mini('BTCUSDT', 9, '99')])).toBe(false); // older
    expect(md.applyFrame('!miniTicker@arr', [mini('BTCUSDT', 10, '98')])).toBe(false); // same event again
    expect(md.tickers().get('BTCUSDT')?.last).toBe('100');
    expect(md.applyFrame('btcusdt@bookTicker', { u: 5, s: 'BTCUSDT', b: '99', B: '1', a: '101', A: '2' })).toBe(true);
    expect(md.applyFrame('btcusdt@bookTicker', { u: 4, s: 'BTCUSDT', b: '1', B: '1', a: '2', A: '2' })).toBe(false);
    expect(md.bookTickers().get('BTCUSDT')?.bidPrice).toBe('99');
    const k = {
      e: 'kline',
      E: 7,
      s: 'BTCUSDT',
      k: { s: 'BTCUSDT', i: '1m', t: 60_000, T: 119_999, o: '1', c: '2', h: '3', l: '0.5', v: '9', q: '18', x: false },
    };
    expect(md.applyFrame('btcusdt@kline_1m', k)).toBe(true);
    expect(md.klines().get('BTCUSDT@1m')?.close).toBe('2');
    expect(md.version()).toBe(3);
  });

  it('drains each changed symbol once, and only what changed since the last drain', () => {
    const md = createMarketData();
    md.applyFrame('!miniTicker@arr', [mini('A', 1, '1'), mini('B', 1, '1')]);
    md.applyFrame('!miniTicker@arr', [mini('A', 2, '2')]);
    expect([...md.drainChanged()].map(([s]) => s)).toEqual(['A', 'B']);
    expect([...md.drainChanged()]).toEqual([]);
    md.applyFrame('!miniTicker@arr', [mini('B', 3, '3')]);
    expect([...md.drainChanged()].map(([s, t]) => [s, t.last])).toEqual([['B', '3']]);
  });

  it('frameKey is the event time of the first element, or the book update id', () => {
    expect(frameKey([mini('A', 42, '1')])).toBe(42);
    expect(frameKey({ u: 7, s: 'A' })).toBe(7);
    expect(frameKey([])).toBeUndefined();
  });
});

describe('market frames: the all-market path on bytes', () => {
  it.each(PATHS)('applies only the focused symbols, the same values a whole parse gives, and reports the frame key (%s)', (_, opts) => {
    const focus = new Set(['ETHUSDT', 'BNBBTC']);
    const text = allMarket([mini('BTCUSDT', 100, '1'), mini('ETHUSDT', 100, '2'), mini('BNBBTC', 100, '3'), mini('XRPUSDT', 100, '4')]);
    const fast = createMarketData(undefined, opts);
    fast.setFocus(focus);
    expect(fast.ingestAllMarket(bytes(text))).toEqual({ stream: '!miniTicker@arr', key: 100, changed: true });
    expect([...fast.tickers().keys()].sort()).toEqual(['BNBBTC', 'ETHUSDT']);
    const whole = createMarketData();
    whole.ingest(text);
    for (const s of focus) expect(plain(fast.tickers().get(s)!)).toEqual(plain(whole.tickers().get(s)!));
    // the same frame again changes nothing
    expect(fast.ingestAllMarket(bytes(text))?.changed).toBe(false);
  });

  it.each(PATHS)(
    'property: for random frames and focuses, the focused path equals a whole parse restricted to the focus (%s)',
    (_, opts) => {
      let compared = 0;
      const sym = fc.constantFrom('BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'XRPBTC', 'SOLETH', 'ADAUSDC', 'DOGEUSDT', 'TRXBTC');
      const el = fc.record({ s: sym, E: fc.integer({ min: 1, max: 50 }), c: fc.integer({ min: 1, max: 10_000 }).map(String) });
      fc.assert(
        fc.property(
          fc.array(fc.array(el, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
          fc.uniqueArray(sym, { maxLength: 8 }),
          (frames, focused) => {
            const focus = new Set<string>(focused);
            const fast = createMarketData(undefined, opts);
            const slow = createMarketData();
            fast.setFocus(focus);
            for (const f of frames) {
              const text = allMarket(f.map((e) => mini(e.s, e.E, e.c)));
              expect(fast.ingestAllMarket(bytes(text))).not.toBeNull();
              slow.ingest(text);
            }
            const want = new Map([...snapshot(slow.tickers())].filter(([s]) => focus.has(s)));
            expect(snapshot(fast.tickers())).toEqual(want);
            compared += want.size;
          },
        ),
        { numRuns: 300 },
      );
      expect(compared).toBeGreaterThan(300);
    },
  );

  it.each(PATHS)('finds symbols in any script, sent as raw UTF-8 (Binance lists such symbols) (%s)', (_, opts) => {
    const md = createMarketData(undefined, opts);
    md.setFocus(new Set(['币安人生USDT', 'ÉTHUSDT']));
    const r = md.ingestAllMarket(
      bytes(allMarket([mini('BTCUSDT', 5, '1'), mini('币安人生USDT', 5, '0.25'), mini('ÉTHUSDT', 5, '7'), mini('币安USDT', 5, '9')])),
    );
    expect(r).toEqual({ stream: '!miniTicker@arr', key: 5, changed: true });
    expect([...md.tickers()].map(([s, v]) => [s, v.last]).sort()).toEqual([
      ['ÉTHUSDT', '7'],
      ['币安人生USDT', '0.25'],
    ]);
  });

  it('hands back (null) every frame it cannot take, so it is parsed whole', () => {
    const md = createMarketData(undefined, BYTES);
    const text = allMarket([mini('BTCUSDT', 1, '1')]);
    md.setFocus(new Set(['BTCUSDT', 'ÉTHUSDT']));
    expect(md.ingestAllMarket(bytes(JSON.stringify({ stream: '!ticker_1h@arr', data: [mini('BTCUSDT', 1, '1')] })))).toBeNull();
    expect(md.ingestAllMarket(bytes(JSON.stringify({ stream: '!miniTicker@arr', data: [mini('BTCUSDT', 1, '1')] }, null, 1)))).toBeNull(); // another layout
    expect(md.ingestAllMarket(bytes(allMarket([mini('\u00c9THUSDT', 1, '1')]).replace('\u00c9', '\\u00c9')))).toBeNull(); // an escape
    expect(md.ingestAllMarket(bytes(allMarket([{ ...mini('BTCUSDT', 1, '1'), E: 1.5 }])))).toBeNull(); // not an integer event time
    expect(md.ingestAllMarket(bytes(text.replace('"c":"1"', '"c":"1')))).toBeNull(); // broken
    expect(md.ingestAllMarket(bytes(allMarket([mini('BTCUSDT', 1, '1'), mini('ETHUSDT', 1, '\u0001')])))).toBeNull(); // an escaped control character
    expect(md.ingestAllMarket(bytes(allMarket([mini('BTCUSDT', 1, '1'), mini('ETHUSDT', 1, 'é')])))).toBeNull(); // a value beyond ASCII
    expect(md.ingestAllMarket(bytes(text.replace('"E":1', '"E":01')))).toBeNull(); // not JSON: a leading zero
    expect(md.ingestAllMarket(bytes(text.replace('"E":1', '"E":1e3')))).toBeNull(); // an exponent: left to JSON.parse
    expect(md.ingestAllMarket(bytes(text.slice(0, -1)))).toBeNull(); // cut short
    expect(md.tickers().size).toBe(0); // nothing was applied by any of them
    expect(md.ingestAllMarket(bytes(allMarket([])))).toEqual({ stream: '!miniTicker@arr', key: undefined, changed: false });
  });

  it('a whole parse honours the focus too, and symbols leaving the focus lose their records', () => {
    const md = createMarketData();
    md.applyFrame('!miniTicker@arr', [mini('A', 1, '1'), mini('B', 1, '1')]);
    md.setFocus(new Set(['A']));
    expect([...md.tickers().keys()]).toEqual(['A']);
    md.applyFrame('!miniTicker@arr', [mini('A', 2, '2'), mini('B', 2, '2')]);
    expect([...md.tickers().keys()]).toEqual(['A']);
    md.setFocus(null);
    md.applyFrame('!miniTicker@arr', [mini('B', 3, '3')]);
    expect(md.tickers().get('B')?.last).toBe('3');
  });
});

describe('market frames: every market on bytes, against the whole parse', () => {
  it('a small focus parses its own elements (the bytes of others are not read), a large one reads every element', () => {
    // A value beyond ASCII in an unfocused element: the byte path refuses the frame, the parse of the focused elements does not.
    const text = allMarket([mini('BTCUSDT', 1, '1'), mini('ETHUSDT', 1, 'é')]);
    const small = createMarketData();
    small.setFocus(new Set(['BTCUSDT']));
    expect(small.ingestAllMarket(bytes(text))).toEqual({ stream: '!miniTicker@arr', key: 1, changed: true });
    const large = createMarketData();
    large.setFocus(new Set(Array.from({ length: 1000 }, (_, i) => (i === 0 ? 'BTCUSDT' : `S${i}USDT`))));
    expect(large.ingestAllMarket(bytes(text))).toBeNull();
  });

  /** Symbols that are prefixes of one another, in other scripts, empty, or needing escapes. */
  const SYMBOLS = ['BTCUSDT', 'BTCUSDTX', 'BTCUSD', 'ETHUSDT', '币安人生USDT', 'ÉTHUSDT', '', 'A"B', 'X\\Y'];
  /** Values as Binance sends them and odd ones: exponents, signs, spaces, escapes, beyond ASCII, long. */
  const value = fc.oneof(
    fc.constantFrom('0.00251000', '64259.69000000', '1503009578.88370609', '0', '1e-7', '-0', '', ' 1', '1/2'),
    fc.string({ unit: fc.constantFrom('0', '1', '9', '.', 'e', '-', '"', '\\', 'é', '\u0001', ' '), maxLength: 40 }),
  );
  const element = fc.record({
    s: fc.constantFrom(...SYMBOLS),
    E: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constantFrom(1.5, -1, 2 ** 53, 1e21)),
    c: value,
    o: value,
    h: value,
    l: value,
    v: value,
    q: value,
  });
  const frameText = (els: readonly { s: string; E: number; c: string; o: string; h: string; l: string; v: string; q: string }[]) =>
    allMarket(els.map((e) => ({ e: '24hrMiniTicker', E: e.E, s: e.s, c: e.c, o: e.o, h: e.h, l: e.l, v: e.v, q: e.q })));

  it('without a focus, applies every symbol of the frame, each once, the same as a whole parse', () => {
    const text = allMarket([mini('BTCUSDT', 5, '1'), mini('BTCUSDTX', 5, '2'), mini('BTCUSD', 5, '3'), mini('BTCUSDT', 5, '9')]);
    const fast = createMarketData();
    const whole = createMarketData();
    expect(fast.ingestAllMarket(bytes(text))).toEqual({ stream: '!miniTicker@arr', key: 5, changed: true });
    whole.ingest(text);
    expect(snapshot(fast.tickers())).toEqual(snapshot(whole.tickers()));
    expect(fast.tickers().get('BTCUSDT')?.last).toBe('1'); // the repeat of the same event is not applied
    expect(fast.takeChangedTickers().map((t) => t.symbol)).toEqual(['BTCUSDT', 'BTCUSDTX', 'BTCUSD']);
    expect(fast.takeChangedTickers()).toEqual([]);
  });

  it.each(PATHS)('a symbol that is a prefix of another (or has one) is never taken for it (%s)', (_, opts) => {
    const md = createMarketData(undefined, opts);
    md.setFocus(new Set(['BTCUSDT']));
    md.ingestAllMarket(bytes(allMarket([mini('BTCUSDTX', 1, '7'), mini('BTCUSD', 1, '8'), mini('BTCUSDT', 1, '9')])));
    expect([...snapshot(md.tickers()).values()].map((t) => [t.symbol, t.last])).toEqual([['BTCUSDT', '9']]);
    // Without a focus, and with the order of the frame changing (the next symbol is guessed from the last frame).
    const all = createMarketData();
    all.ingestAllMarket(bytes(allMarket([mini('BTCUSDT', 1, '1'), mini('BTCUSD', 1, '2'), mini('BTCUSDTX', 1, '3')])));
    all.ingestAllMarket(bytes(allMarket([mini('BTCUSDTX', 2, '4'), mini('BTCUSDT', 2, '5'), mini('BTCUSD', 2, '6')])));
    all.ingestAllMarket(bytes(allMarket([mini('BTCUSD', 3, '7'), mini('BTCUSDTX', 3, '8'), mini('BTCUSDT', 3, '9')])));
    expect([...snapshot(all.tickers()).values()].map((t) => [t.symbol, t.last, t.eventTime])).toEqual([
      ['BTCUSDT', '9', 3],
      ['BTCUSD', '7', 3],
      ['BTCUSDTX', '8', 3],
    ]);
  });

  it('a value set by the whole parse in between is replaced by the next frame, even by the bytes held before it', () => {
    const md = createMarketData();
    md.ingestAllMarket(bytes(allMarket([mini('BTCUSDT', 1, '100')])));
    md.applyFrame('btcusdt@miniTicker', mini('BTCUSDT', 2, '200'));
    expect(md.tickers().get('BTCUSDT')?.last).toBe('200');
    md.ingestAllMarket(bytes(allMarket([mini('BTCUSDT', 3, '100')])));
    expect(md.tickers().get('BTCUSDT')?.last).toBe('100');
  });

  it('a value longer than the byte store holds is kept whole', () => {
    const md = createMarketData();
    const long = '123456789012345678901234567890.12345678';
    md.ingestAllMarket(bytes(allMarket([{ ...mini('BTCUSDT', 1, '1'), q: long }])));
    md.ingestAllMarket(bytes(allMarket([{ ...mini('BTCUSDT', 2, long), q: '5' }])));
    expect(plain(md.tickers().get('BTCUSDT')!)).toMatchObject({ last: long, quoteVolume: '5', eventTime: 2 });
  });

  it('a drained record keeps its own values after its symbol left the focus and another took its room', () => {
    const md = createMarketData();
    md.ingestAllMarket(bytes(allMarket([mini('AAA', 1, '111'), mini('BBB', 1, '222')])));
    const drained = md.takeChangedTickers();
    md.setFocus(new Set(['BBB', 'CCC']));
    md.ingestAllMarket(bytes(allMarket([mini('CCC', 2, '999'), mini('BBB', 2, '223')])));
    expect(drained.map((t) => [t.symbol, t.last])).toEqual([
      ['AAA', '111'],
      ['BBB', '223'], // live record, updated in place
    ]);
    expect(md.tickers().get('CCC')?.last).toBe('999');
  });

  it.each(PATHS)(
    'property: any sequence of frames, focus changes and single-symbol updates gives what the whole parse gives (%s)',
    (_, opts) => {
      let taken = 0;
      const step = fc.oneof(
        { weight: 6, arbitrary: fc.array(element, { maxLength: 8 }).map((els) => ({ kind: 'frame' as const, text: frameText(els) })) },
        {
          weight: 1,
          arbitrary: fc
            .option(fc.uniqueArray(fc.constantFrom(...SYMBOLS), { maxLength: 5 }))
            .map((f) => ({ kind: 'focus' as const, focus: f })),
        },
        { weight: 1, arbitrary: element.map((e) => ({ kind: 'single' as const, el: { ...mini(e.s, e.E, e.c) } })) },
      );
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
          const fast = createMarketData(undefined, opts);
          const whole = createMarketData();
          for (const st of steps) {
            if (st.kind === 'focus') {
              const f = st.focus === null ? null : new Set(st.focus);
              fast.setFocus(f);
              whole.setFocus(f);
            } else if (st.kind === 'single') {
              expect(fast.applyFrame('x@miniTicker', st.el)).toBe(whole.applyFrame('x@miniTicker', st.el));
            } else {
              const r = fast.ingestAllMarket(bytes(st.text));
              const changed = whole.ingest(st.text);
              if (r === null) fast.ingest(st.text);
              else {
                taken++;
                expect(r.changed).toBe(changed);
                expect(r.key).toBe(frameKey((JSON.parse(st.text) as { data: unknown }).data));
              }
            }
            expect(snapshot(fast.tickers())).toEqual(snapshot(whole.tickers()));
            expect(fast.version()).toBe(whole.version());
          }
          expect(fast.takeChangedTickers().map(plain)).toEqual(whole.takeChangedTickers().map(plain));
        }),
        { numRuns: 400 },
      );
      // The byte path was really exercised: about 200–270 frames of the 400 runs take it (a floor
      // of 200 failed now and then on the count alone), so half of that is the floor.
      expect(taken).toBeGreaterThan(100);
    },
  );
});
