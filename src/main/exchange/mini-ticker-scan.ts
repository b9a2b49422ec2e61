/**
 * A reader for Binance's all-market mini-ticker frame that works on the socket's bytes: it finds
 * every element's symbol and values and writes where they are into reused typed arrays, so a
 * frame of 2,500 tickers costs no object and no string at all here (docs/ARCHITECTURE.md §8).
 * The caller (market-frames.ts) then compares those bytes with the values it holds and makes a
 * string only for a value that changed.
 *
 * It takes only the exact compact layout Binance sends, and refuses (null) anything else, so
 * the caller parses such a frame whole with JSON.parse:
 *   {"stream":"!miniTicker@arr","data":[{"e":"24hrMiniTicker","E":<int>,"s":"<symbol>",
 *   "c":"<str>","o":"<str>","h":"<str>","l":"<str>","v":"<str>","q":"<str>"},…]}
 * Every frame it takes is valid JSON, and JSON.parse would give exactly the values it located:
 *   - no whitespace, keys in that order, nothing else; the event time is 1 to 15 plain digits
 *     without a leading zero (an exact integer, as JSON.parse reads it);
 *   - strings without escapes or control characters (a backslash or a byte under 0x20 is
 *     refused), so their JSON value is their bytes as they are;
 *   - values in ASCII only (so latin1 and UTF-8 read them alike); symbols may hold any script,
 *     as well-formed UTF-8 (Buffer#toString would replace anything else, JSON.parse with it).
 * The whole frame is checked before anything is reported, so a broken frame is refused whole,
 * as JSON.parse refuses it.
 */
import { isUtf8 } from 'node:buffer';

const utf8 = new TextEncoder();
const HEAD = utf8.encode('{"stream":"!miniTicker@arr","data":[');
/**
 * The fixed text of an element, compared four bytes at a time (little-endian words of the
 * pattern): the element's start up to its event time, and the separator before each value.
 */
const ELEMENT_HEAD = words('{"e":"24hrMiniTicker","E":'); // 26 bytes: 6 words and a half
const AFTER_E = words(',"s":"'); // 6 bytes
/** What comes between one string value and the next: the closing quote, then the next key (7 bytes, two overlapping words). */
const BETWEEN = ['","c":"', '","o":"', '","h":"', '","l":"', '","v":"', '","q":"'].map((sep) => {
  const v = new DataView(utf8.encode(sep).buffer);
  return [v.getUint32(0, true), v.getUint32(3, true)] as const;
});
const SEP_A = Int32Array.from(BETWEEN, ([a]) => a | 0);
const SEP_B = Int32Array.from(BETWEEN, ([, b]) => b | 0);

/** A pattern as little-endian 32-bit words (signed, as Int32 reads give them), the tail as a 16-bit one. */
function words(text: string): { readonly w: Int32Array; readonly tail: number; readonly length: number } {
  const bytes = utf8.encode(text);
  const v = new DataView(bytes.buffer);
  const n = Math.floor(bytes.length / 4);
  const w = Int32Array.from({ length: n }, (_, i) => v.getInt32(i * 4, true));
  const rest = bytes.length - n * 4;
  if (rest !== 0 && rest !== 2) throw new Error('pattern length must be 4n or 4n+2');
  return { w, tail: rest === 2 ? v.getUint16(n * 4, true) : -1, length: bytes.length };
}

/** 32-bit FNV-1a over a symbol's UTF-8 bytes, as the scan computes it while reading the symbol. */
export const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

export function fnv1a(bytes: Uint8Array): number {
  let h = FNV_OFFSET;
  for (const c of bytes) h = Math.imul(h ^ c, FNV_PRIME);
  return h;
}

/**
 * Per element, STRIDE integers in `offsets`, at element k * STRIDE:
 * symbol start, symbol end, symbol hash, then start and end of c, o, h, l, v, q (the values).
 */
export const STRIDE = 15;
export const SYMBOL_START = 0;
export const SYMBOL_END = 1;
export const SYMBOL_HASH = 2;
export const LAST = 3;
export const OPEN = 5;
export const HIGH = 7;
export const LOW = 9;
export const VOLUME = 11;
export const QUOTE_VOLUME = 13;

export interface MiniTickerScan {
  /** Elements in the frame. */
  readonly count: number;
  /** Reused from frame to frame: read it before the next scan. */
  readonly offsets: Int32Array;
  readonly eventTimes: Float64Array;
}

export interface MiniTickerScanner {
  scan(bytes: Uint8Array): MiniTickerScan | null;
}

function bytesAt(bytes: Uint8Array, at: number, pattern: Uint8Array): boolean {
  if (at + pattern.length > bytes.length) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[at + i] !== pattern[i]) return false;
  return true;
}

/** The little-endian 32-bit word at `i` (signed, as the patterns are kept). */
function wordAt(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function matchWords(b: Uint8Array, n: number, at: number, p: ReturnType<typeof words>): boolean {
  if (at + p.length > n) return false;
  const w = p.w;
  for (let k = 0; k < w.length; k++) if (wordAt(b, at + 4 * k) !== w[k]) return false;
  return p.tail === -1 || (b[at + 4 * w.length]! | (b[at + 4 * w.length + 1]! << 8)) === p.tail;
}

/** End (the closing quote) of an ASCII string value starting at `i`, or -1 if it is not one. */
function valueEnd(bytes: Uint8Array, n: number, i: number): number {
  // Numbers first: '.', '/' and digits (46 to 57), one comparison a byte.
  while (i < n && (bytes[i]! - 46) >>> 0 <= 11) i++;
  for (; i < n; i++) {
    const c = bytes[i]!;
    if (c === 34 /* " */) return i;
    // A control character is not JSON; an escape or a non-ASCII byte is left to JSON.parse.
    if (c < 32 || c > 127 || c === 92 /* \ */) return -1;
  }
  return -1;
}

export function createMiniTickerScanner(): MiniTickerScanner {
  // Room for Binance's whole list (about 2,000 spot markets trade); grown if a frame has more.
  const result = { count: 0, offsets: new Int32Array(STRIDE * 4096), eventTimes: new Float64Array(4096) };

  const grow = (): void => {
    const o = new Int32Array(result.offsets.length * 2);
    o.set(result.offsets);
    const e = new Float64Array(result.eventTimes.length * 2);
    e.set(result.eventTimes);
    result.offsets = o;
    result.eventTimes = e;
  };

  const scan = (bytes: Uint8Array): MiniTickerScan | null => {
    const n = bytes.length;
    if (!bytesAt(bytes, 0, HEAD)) return null;
    let at = HEAD.length;
    let count = 0;
    if (bytes[at] === 93 /* ] */) {
      if (n !== at + 2 || bytes[at + 1] !== 125 /* } */) return null;
      result.count = 0;
      return result;
    }
    for (;;) {
      if (!matchWords(bytes, n, at, ELEMENT_HEAD)) return null;
      let i = at + ELEMENT_HEAD.length;
      // The event time: plain digits, no sign, fraction, exponent or leading zero.
      const e0 = i;
      let E = 0;
      for (; i < n; i++) {
        const c = bytes[i]!;
        if (c < 48 || c > 57) break;
        E = E * 10 + (c - 48);
      }
      const digits = i - e0;
      if (digits === 0 || digits > 15 || (digits > 1 && bytes[e0] === 48)) return null;
      if (!matchWords(bytes, n, i, AFTER_E)) return null;
      i += AFTER_E.length;
      // The symbol, hashed as it is read.
      const s0 = i;
      let h = FNV_OFFSET;
      let high = false;
      for (; i < n; i++) {
        const c = bytes[i]!;
        if (c === 34 /* " */) break;
        if (c < 32 || c === 92 /* \ */) return null;
        if (c > 127) high = true;
        h = Math.imul(h ^ c, FNV_PRIME);
      }
      if (i >= n) return null;
      if (high && !isUtf8(bytes.subarray(s0, i))) return null;
      if (count * STRIDE + STRIDE > result.offsets.length) grow();
      const { offsets, eventTimes } = result;
      const p = count * STRIDE;
      offsets[p + SYMBOL_START] = s0;
      offsets[p + SYMBOL_END] = i;
      offsets[p + SYMBOL_HASH] = h;
      eventTimes[count] = E;
      // c, o, h, l, v, q: each after its fixed separator, each up to its closing quote.
      for (let f = 0; f < 6; f++) {
        if (i + 7 > n || wordAt(bytes, i) !== SEP_A[f] || wordAt(bytes, i + 3) !== SEP_B[f]) return null;
        const v0 = i + 7;
        i = valueEnd(bytes, n, v0);
        if (i === -1) return null;
        offsets[p + LAST + 2 * f] = v0;
        offsets[p + LAST + 2 * f + 1] = i;
      }
      count++;
      // `"}` closes the element; then `,` and the next one, or `]}` and the end of the frame.
      if (bytes[i + 1] !== 125 /* } */) return null;
      const next = bytes[i + 2];
      if (next === 44 /* , */) {
        at = i + 3;
        continue;
      }
      if (next === 93 /* ] */ && bytes[i + 3] === 125 /* } */ && n === i + 4) break;
      return null;
    }
    result.count = count;
    return result;
  };

  return { scan };
}
