/**
 * The mini-ticker records the market streams hand out, kept for the all-market byte path
 * (mini-ticker-scan.ts): each record's six decimal values live as their bytes in one shared
 * store, and a value becomes a string only when someone reads it, once per change. A frame of
 * 2,500 tickers then costs no string and no object for the values nobody reads (the 24 h high,
 * low and volumes, in the app), and a value equal to the one held costs nothing at all.
 *
 * The values stay the exchange's decimal strings, byte for byte: nothing is converted to a
 * number. A value set as a string (the whole-parse path) is kept as that string.
 */
import type { MiniTicker } from './market-frames';

/** Values longer than this are kept as strings only (Binance's are at most about 25 bytes). */
const FIELD_BYTES = 32;
const FIELDS = 6;
const REGION = FIELD_BYTES * FIELDS;
/** In `lengths`: the value is held as a string only; its bytes are not in the store. */
const STRING_ONLY = 255;

/** Field numbers, in the order of the frame: c, o, h, l, v, q. */
export const F_LAST = 0;
export const F_OPEN = 1;
export const F_HIGH = 2;
export const F_LOW = 3;
export const F_VOLUME = 4;
export const F_QUOTE_VOLUME = 5;

/**
 * ASCII bytes to a string. Buffer's own latin1Slice when it has it: Buffer#toString checks its
 * arguments and looks the encoding up on every call, which costs more than the decoding of a
 * price; the slice method is what it ends up calling.
 */
type Latin1Slicer = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slicer }).latin1Slice;
const latin1: (bytes: Uint8Array, start: number, end: number) => string =
  typeof latin1Slice === 'function'
    ? (bytes, start, end) => latin1Slice.call(bytes, start, end)
    : (bytes, start, end) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);

interface Store {
  bytes: Buffer;
  lengths: Uint8Array;
  records: number;
}

export interface TickerRecords {
  /** A new record, with its values as strings (the whole-parse path). */
  create(symbol: string, values: Readonly<Omit<MiniTicker, 'symbol'>>): StreamTicker;
  /** A new record, with its values from a frame's bytes: `at` holds start and end per field from `p`. */
  createFromBytes(symbol: string, eventTime: number, frame: Uint8Array, at: Int32Array, p: number): StreamTicker;
  /** A record no longer kept: its room in the store is reused. */
  release(record: StreamTicker): void;
}

/**
 * One symbol's latest mini ticker. Reads and writes of the values look like plain fields; the
 * byte path writes through `takeBytes`, which keeps a value that did not change as it is.
 */
export class StreamTicker implements MiniTicker {
  readonly symbol: string;
  eventTime: number;
  readonly #store: Store;
  /** Its room in the store; -1 once released (its values are then held as strings). */
  #index: number;
  /** Decoded (or set) values; undefined: the bytes changed since, decode on the next read. */
  #text: (string | undefined)[];

  constructor(store: Store, index: number, symbol: string, eventTime: number, text: (string | undefined)[]) {
    this.#store = store;
    this.#index = index;
    this.symbol = symbol;
    this.eventTime = eventTime;
    this.#text = text;
  }

  /**
   * Leave the store (TickerRecords.release): every value becomes a string, so whoever still
   * holds this record (a drain under way) keeps reading its own values, never the next owner's.
   */
  detach(): number {
    const index = this.#index;
    for (let f = 0; f < FIELDS; f++) this.#text[f] = this.#read(f);
    this.#index = -1;
    return index;
  }

  #read(f: number): string {
    const held = this.#text[f];
    if (held !== undefined) return held;
    const s = this.#store;
    const at = this.#index * REGION + f * FIELD_BYTES;
    // Only ASCII bytes are ever stored (the scan refuses anything else), so latin1 is exact.
    const text = latin1(s.bytes, at, at + s.lengths[this.#index * FIELDS + f]!);
    this.#text[f] = text;
    return text;
  }

  #write(f: number, value: string): void {
    this.#text[f] = value;
    if (this.#index >= 0) this.#store.lengths[this.#index * FIELDS + f] = STRING_ONLY;
  }

  /**
   * Take field `f` from a frame's bytes [from, to), for a value that is read (last, open): bytes
   * equal to the value held change nothing, so its decoded string stays; else they are copied.
   */
  keepBytes(f: number, frame: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const index = this.#index;
    if (n > FIELD_BYTES || index < 0) return this.#write(f, latin1(frame, from, to));
    const s = this.#store;
    const li = index * FIELDS + f;
    const bytes = s.bytes;
    const at = index * REGION + f * FIELD_BYTES;
    if (s.lengths[li] === n) {
      let i = 0;
      while (i < n && bytes[at + i] === frame[from + i]) i++;
      if (i === n) return;
    }
    for (let i = 0; i < n; i++) bytes[at + i] = frame[from + i]!;
    s.lengths[li] = n;
    this.#text[f] = undefined;
  }

  /** Take field `f` from a frame's bytes, for a value seldom read: copied, decoded on the next read. */
  putBytes(f: number, frame: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const index = this.#index;
    if (n > FIELD_BYTES || index < 0) return this.#write(f, latin1(frame, from, to));
    const bytes = this.#store.bytes;
    const at = index * REGION + f * FIELD_BYTES;
    for (let i = 0; i < n; i++) bytes[at + i] = frame[from + i]!;
    this.#store.lengths[index * FIELDS + f] = n;
    this.#text[f] = undefined;
  }

  get last(): string {
    return this.#read(F_LAST);
  }
  set last(v: string) {
    this.#write(F_LAST, v);
  }
  get open(): string {
    return this.#read(F_OPEN);
  }
  set open(v: string) {
    this.#write(F_OPEN, v);
  }
  get high(): string {
    return this.#read(F_HIGH);
  }
  set high(v: string) {
    this.#write(F_HIGH, v);
  }
  get low(): string {
    return this.#read(F_LOW);
  }
  set low(v: string) {
    this.#write(F_LOW, v);
  }
  get volume(): string {
    return this.#read(F_VOLUME);
  }
  set volume(v: string) {
    this.#write(F_VOLUME, v);
  }
  get quoteVolume(): string {
    return this.#read(F_QUOTE_VOLUME);
  }
  set quoteVolume(v: string) {
    this.#write(F_QUOTE_VOLUME, v);
  }

  /** A plain copy (logs, tests, anything that spreads or serialises a record). */
  toJSON(): MiniTicker {
    return {
      symbol: this.symbol,
      last: this.last,
      open: this.open,
      high: this.high,
      low: this.low,
      volume: this.volume,
      quoteVolume: this.quoteVolume,
      eventTime: this.eventTime,
    };
  }
}

export function createTickerRecords(): TickerRecords {
  const store: Store = { bytes: Buffer.alloc(REGION * 1024), lengths: new Uint8Array(FIELDS * 1024), records: 0 };
  /** Rooms of released records, reused before the store grows. */
  const free: number[] = [];

  const slot = (): number => {
    const reused = free.pop();
    if (reused !== undefined) return reused;
    const i = store.records++;
    if ((i + 1) * REGION > store.bytes.length) {
      const bytes = Buffer.alloc(store.bytes.length * 2);
      store.bytes.copy(bytes);
      const lengths = new Uint8Array(store.lengths.length * 2);
      lengths.set(store.lengths);
      store.bytes = bytes;
      store.lengths = lengths;
    }
    return i;
  };

  return {
    create(symbol, v) {
      const i = slot();
      store.lengths.fill(STRING_ONLY, i * FIELDS, i * FIELDS + FIELDS);
      return new StreamTicker(store, i, symbol, v.eventTime, [v.last, v.open, v.high, v.low, v.volume, v.quoteVolume]);
    },
    createFromBytes(symbol, eventTime, frame, at, p) {
      const i = slot();
      store.lengths.fill(0, i * FIELDS, i * FIELDS + FIELDS);
      const t = new StreamTicker(store, i, symbol, eventTime, [undefined, undefined, undefined, undefined, undefined, undefined]);
      for (let f = 0; f < FIELDS; f++) t.putBytes(f, frame, at[p + 2 * f]!, at[p + 2 * f + 1]!);
      return t;
    },
    release(record) {
      const index = record.detach();
      if (index >= 0) free.push(index);
    },
  };
}
