/**
 * The per-frame work of the market streams, with no socket in sight (docs/ARCHITECTURE.md §5, §8):
 * a combined-stream payload in, the latest value per symbol out, updated in place, with the set
 * of what changed since the last drain. Older or repeated events (reordering, the overlap of a
 * rollover, B10) never move a value back or count twice.
 *
 * The all-market mini-ticker frame (2,500 tickers a second) takes the cheap path,
 * `ingestAllMarket`, on its bytes. While a focus is set (the portfolio's markets and the order
 * forms'), only those symbols are applied: a small focus finds its elements on the bytes and
 * parses only them; a large focus, or none, has the bytes read in place (mini-ticker-scan.ts),
 * without decoding or parsing, and a value becomes a string only when it differs from the one
 * held. Every other frame is parsed whole, with the same result.
 */
import {
  createMiniTickerScanner,
  fnv1a,
  FNV_OFFSET,
  HIGH,
  type MiniTickerScan,
  LAST,
  LOW,
  OPEN,
  QUOTE_VOLUME,
  STRIDE,
  SYMBOL_END,
  SYMBOL_HASH,
  SYMBOL_START,
  VOLUME,
} from './mini-ticker-scan';
import { createTickerRecords, F_HIGH, F_LAST, F_LOW, F_OPEN, F_QUOTE_VOLUME, F_VOLUME, type StreamTicker } from './ticker-records';

export interface MiniTicker {
  readonly symbol: string;
  last: string;
  open: string;
  high: string;
  low: string;
  volume: string;
  quoteVolume: string;
  /** Exchange event time, ms. */
  eventTime: number;
}

export interface BookTop {
  readonly symbol: string;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
  /** Order book update id; only ever increases. */
  updateId: number;
}

export interface KlineBar {
  readonly symbol: string;
  readonly interval: string;
  openTime: number;
  closeTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  quoteVolume: string;
  closed: boolean;
  eventTime: number;
}

export type MarketUpdate =
  | { readonly kind: 'miniTicker'; readonly value: Readonly<MiniTicker> }
  | { readonly kind: 'bookTicker'; readonly value: Readonly<BookTop> }
  | { readonly kind: 'kline'; readonly value: Readonly<KlineBar> };

/** The latest market values and what changed since the last drain; the hot path lives here. */
export interface MarketData {
  /** Apply one combined-stream payload (`data` of {"stream","data"}); true if anything changed. */
  applyFrame(stream: string, data: unknown): boolean;
  /** Parse a combined-stream frame once and apply it (benchmarks, replay); true if anything changed. */
  ingest(text: string): boolean;
  tickers(): ReadonlyMap<string, Readonly<MiniTicker>>;
  bookTickers(): ReadonlyMap<string, Readonly<BookTop>>;
  klines(): ReadonlyMap<string, Readonly<KlineBar>>;
  drainChanged(): IterableIterator<[string, Readonly<MiniTicker>]>;
  /** The same drain as one array of the records (no tuple or iterator step per ticker). */
  takeChangedTickers(): Readonly<MiniTicker>[];
  drainChangedBookTickers(): IterableIterator<[string, Readonly<BookTop>]>;
  drainChangedKlines(): IterableIterator<[string, Readonly<KlineBar>]>;
  version(): number;
  clearChanged(): void;
  /**
   * Apply, from all-market arrays, only these symbols' mini tickers (null: every symbol). Records
   * of symbols outside the focus are dropped, so a symbol focused again never shows a value it
   * stopped receiving meanwhile. Single-symbol streams are not affected.
   */
  setFocus(symbols: ReadonlySet<string> | null): void;
  /**
   * The cheap path for an all-market mini-ticker frame, on its bytes (with or without a focus).
   * Null when the frame is not one it can take (another stream or layout, escapes, anything
   * unparseable): parse it whole then, with the same result.
   */
  ingestAllMarket(bytes: Buffer): AllMarketFrame | null;
}

/** What `ingestAllMarket` learnt about a frame: its stream, its key (B10) and whether anything changed. */
export interface AllMarketFrame {
  readonly stream: string;
  readonly key: number | undefined;
  readonly changed: boolean;
}

const ALL_MINI_TICKERS = '!miniTicker@arr';
const utf8 = new TextEncoder();
/** Binance's layout of that frame: compact JSON, the event type first, then the event time. */
const MINI_ARRAY_HEAD = utf8.encode('{"stream":"!miniTicker@arr","data":[');
const MINI_FIRST = utf8.encode('{"e":"24hrMiniTicker","E":');
const SYMBOL_AFTER_E = utf8.encode(',"s":"');
const FNV_PRIME = 0x01000193;
/**
 * A focus of this many symbols or more takes the byte path (mini-ticker-scan); a smaller one
 * parses its own elements (see ingestFocusedParse for why).
 */
const BYTE_PATH_FOCUS = 1000;

function bytesAt(bytes: Uint8Array, at: number, pattern: Uint8Array): boolean {
  if (at + pattern.length > bytes.length) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[at + i] !== pattern[i]) return false;
  return true;
}

/** In a `u` pattern a surrogate pair is one code point: this finds only unpaired ones. */
const LONE_SURROGATE = /\p{Cs}/u;

function sameBytes(bytes: Uint8Array, from: number, to: number, want: Uint8Array): boolean {
  if (to - from !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (bytes[from + i] !== want[i]) return false;
  return true;
}

/**
 * One symbol's record plus the drain epoch it was last listed in. Kept apart from the record so
 * the records callers read keep exactly their documented fields.
 */
interface Slot<T> {
  readonly key: string;
  readonly value: T;
  mark: number;
}

/** A symbol the byte path knows: its UTF-8 bytes, its record once it has one, hash neighbours. */
interface SymbolEntry {
  readonly symbol: string;
  readonly bytes: Uint8Array;
  slot: Slot<StreamTicker> | undefined;
  next: SymbolEntry | undefined;
  /** The symbol that followed it in the last frame: frames list symbols in a steady order. */
  following: SymbolEntry | undefined;
}

/**
 * "Changed since the last drain" without allocating per frame: a slot is listed once per epoch
 * (its mark), into an array that is reused from drain to drain (written by index, never
 * shrunk). A drain starts a new epoch, so every slot can be listed again.
 */
interface ChangeList<T> {
  readonly slots: Map<string, Slot<T>>;
  readonly map: Map<string, T>;
  list: Slot<T>[];
  count: number;
  epoch: number;
  /** The array the last finished drain walked; null while a drain is still walking it. */
  spare: Slot<T>[] | null;
}

function createChangeList<T>(): ChangeList<T> {
  return { slots: new Map(), map: new Map(), list: [], count: 0, epoch: 1, spare: [] };
}

function addSlot<T>(c: ChangeList<T>, key: string, value: T): Slot<T> {
  const slot: Slot<T> = { key, value, mark: 0 };
  c.slots.set(key, slot);
  c.map.set(key, value);
  return slot;
}

function markChanged<T>(c: ChangeList<T>, slot: Slot<T>): void {
  if (slot.mark === c.epoch) return;
  slot.mark = c.epoch;
  c.list[c.count++] = slot;
}

function clearChangeList<T>(c: ChangeList<T>): void {
  c.count = 0;
  c.epoch++;
}

function* drainChangeList<T>(c: ChangeList<T>): IterableIterator<[string, T]> {
  // Taken at the first next(), like the set this replaces: changes from here on go to the next drain.
  const batch = c.list;
  const count = c.count;
  // A drain abandoned without return() never hands its array back: start a fresh one then.
  c.list = c.spare ?? [];
  c.spare = null;
  c.count = 0;
  c.epoch++;
  try {
    for (let i = 0; i < count; i++) {
      const slot = batch[i]!;
      yield [slot.key, slot.value];
    }
  } finally {
    c.spare = batch;
  }
}

export interface MarketDataOptions {
  /** A focus of this many symbols or more takes the byte path (default BYTE_PATH_FOCUS; tests set 0 to test it). */
  readonly byteFocusFrom?: number;
}

export function createMarketData(onApply?: (update: MarketUpdate) => void, options: MarketDataOptions = {}): MarketData {
  const byteFocusFrom = options.byteFocusFrom ?? BYTE_PATH_FOCUS;
  const records = createTickerRecords();
  const tickers = createChangeList<StreamTicker>();
  const books = createChangeList<BookTop>();
  const klines = createChangeList<KlineBar>();
  let versionCounter = 0;
  let focus: ReadonlySet<string> | null = null;
  /**
   * The symbols the byte path knows, by the hash of their UTF-8 bytes: with a focus exactly the
   * focused ones, without one every symbol it met. A symbol not in it is skipped (focus) or
   * added (no focus).
   */
  const symbolIndex = new Map<number, SymbolEntry>();
  let firstInFrame: SymbolEntry | undefined;
  /** Start and end offsets of the focused elements of the frame being ingested; reused. */
  const bounds: number[] = [];
  const elements: Record<string, unknown>[] = [];
  const scanner = createMiniTickerScanner();

  const findSymbol = (bytes: Uint8Array, from: number, to: number, h: number): SymbolEntry | null => {
    for (let e = symbolIndex.get(h); e !== undefined; e = e.next) if (sameBytes(bytes, from, to, e.bytes)) return e;
    return null;
  };

  const indexSymbol = (symbol: string, bytes: Uint8Array): SymbolEntry => {
    const h = fnv1a(bytes);
    const entry: SymbolEntry = { symbol, bytes, slot: tickers.slots.get(symbol), next: symbolIndex.get(h), following: undefined };
    symbolIndex.set(h, entry);
    return entry;
  };

  /** applyMini for an element the scan located: the same checks, the same result. */
  const applyScanned = (entry: SymbolEntry, b: Buffer, o: Int32Array, p: number, E: number): boolean => {
    // The record may have been made by the whole parse since (a single-symbol stream).
    let slot = entry.slot ?? tickers.slots.get(entry.symbol);
    if (slot === undefined) {
      slot = addSlot(tickers, entry.symbol, records.createFromBytes(entry.symbol, E, b, o, p + LAST));
    } else {
      const t = slot.value;
      if (E <= t.eventTime) return false;
      // The price and the 24 h open are read on every drain: bytes equal to the value held keep its
      // string. The others are only copied. A string is made only when a value is read.
      t.keepBytes(F_LAST, b, o[p + LAST]!, o[p + LAST + 1]!);
      t.keepBytes(F_OPEN, b, o[p + OPEN]!, o[p + OPEN + 1]!);
      t.putBytes(F_HIGH, b, o[p + HIGH]!, o[p + HIGH + 1]!);
      t.putBytes(F_LOW, b, o[p + LOW]!, o[p + LOW + 1]!);
      t.putBytes(F_VOLUME, b, o[p + VOLUME]!, o[p + VOLUME + 1]!);
      t.putBytes(F_QUOTE_VOLUME, b, o[p + QUOTE_VOLUME]!, o[p + QUOTE_VOLUME + 1]!);
      t.eventTime = E;
    }
    entry.slot = slot;
    markChanged(tickers, slot);
    if (onApply !== undefined) onApply({ kind: 'miniTicker', value: slot.value });
    return true;
  };

  /**
   * Every located element of the focus (every element without one), in frame order. A function
   * of its own that ends right after its loop: V8 optimizes the loop while it runs (on-stack
   * replacement) and code after it that never ran before would throw that away on every frame.
   */
  const applyScan = (bytes: Buffer, scan: MiniTickerScan): boolean => {
    const { count, offsets: o, eventTimes } = scan;
    let changed = false;
    let guess = firstInFrame;
    let previous: SymbolEntry | undefined;
    for (let k = 0; k < count; k++) {
      const p = k * STRIDE;
      const s0 = o[p + SYMBOL_START]!,
        s1 = o[p + SYMBOL_END]!;
      // Most often the symbol that followed the previous one last time: one comparison, no lookup.
      let entry = guess !== undefined && sameBytes(bytes, s0, s1, guess.bytes) ? guess : findSymbol(bytes, s0, s1, o[p + SYMBOL_HASH]!);
      if (entry === null) {
        if (focus !== null) continue;
        // A symbol met for the first time (no focus): decoded once, known by its bytes from now on.
        entry = indexSymbol(bytes.toString('utf8', s0, s1), Uint8Array.prototype.slice.call(bytes, s0, s1));
      }
      if (previous === undefined) firstInFrame = entry;
      else previous.following = entry;
      previous = entry;
      guess = entry.following;
      if (applyScanned(entry, bytes, o, p, eventTimes[k]!)) changed = true;
    }
    return changed;
  };

  /**
   * The all-market frame with a small focus (the app's usual case: a few hundred watched
   * markets): the focused elements are found on the bytes and only they are parsed. It allocates
   * a little per frame, as the whole parse would, which keeps V8 collecting the socket's buffers
   * in cheap young-generation passes; the byte path, which allocates nothing, left them to full
   * collections that cost more than the parsing saved (bench:streams, end to end).
   */
  const ingestFocusedParse = (bytes: Buffer): AllMarketFrame | null => {
    const n = bytes.length;
    if (
      n < MINI_ARRAY_HEAD.length + 2 ||
      !bytesAt(bytes, 0, MINI_ARRAY_HEAD) ||
      bytes[n - 2] !== 93 /* ] */ ||
      bytes[n - 1] !== 125 /* } */
    )
      return null;
    const from = MINI_ARRAY_HEAD.length;
    if (bytes[from] === 93 /* ] */) return { stream: ALL_MINI_TICKERS, key: undefined, changed: false };
    let key: number | undefined;
    bounds.length = 0;
    // Element by element on Binance's layout, {"e":"24hrMiniTicker","E":<int>,"s":"<symbol>",…}.
    // The symbol is hashed as it is read and compared only when the hash is a focused one.
    // Anything off the layout, or an escape in a symbol, goes to the whole parse.
    for (let at = from; ;) {
      if (!bytesAt(bytes, at, MINI_FIRST)) return null;
      let i = at + MINI_FIRST.length;
      const e0 = i;
      let E = 0;
      for (; i < n; i++) {
        const c = bytes[i]!;
        if (c < 48 || c > 57) break;
        E = E * 10 + (c - 48);
      }
      if (i === e0 || i - e0 > 15) return null;
      key ??= E;
      if (!bytesAt(bytes, i, SYMBOL_AFTER_E)) return null;
      i += SYMBOL_AFTER_E.length;
      const s0 = i;
      let h = FNV_OFFSET;
      for (; i < n; i++) {
        const c = bytes[i]!;
        if (c === 34 /* " */) break;
        if (c === 92 /* \ */) return null;
        h = Math.imul(h ^ c, FNV_PRIME);
      }
      if (i >= n) return null;
      const end = bytes.indexOf(125 /* } */, i);
      if (end === -1) return null;
      if (findSymbol(bytes, s0, i, h) !== null) bounds.push(at, end + 1);
      const next = bytes[end + 1];
      if (next === 93 /* ] */) break;
      if (next !== 44 /* , */) return null;
      at = end + 2;
    }
    // Every focused element parses before any is applied: a broken frame is refused whole, as
    // the whole parse would refuse it.
    elements.length = 0;
    try {
      for (let i = 0; i < bounds.length; i += 2)
        elements.push(JSON.parse(bytes.toString('utf8', bounds[i], bounds[i + 1])) as Record<string, unknown>);
    } catch {
      return null;
    }
    let changed = false;
    for (const el of elements) {
      if (el !== null && typeof el === 'object' && el.e === '24hrMiniTicker' && applyMini(el)) changed = true;
    }
    elements.length = 0;
    if (changed) versionCounter++;
    return { stream: ALL_MINI_TICKERS, key, changed };
  };

  const applyMini = (el: Record<string, unknown>): boolean => {
    const s = el.s,
      E = el.E,
      c = el.c,
      o = el.o,
      h = el.h,
      l = el.l,
      v = el.v,
      q = el.q;
    if (
      typeof s !== 'string' ||
      typeof E !== 'number' ||
      typeof c !== 'string' ||
      typeof o !== 'string' ||
      typeof h !== 'string' ||
      typeof l !== 'string' ||
      typeof v !== 'string' ||
      typeof q !== 'string'
    )
      return false;
    let slot = tickers.slots.get(s);
    if (slot === undefined) {
      slot = addSlot(tickers, s, records.create(s, { last: c, open: o, high: h, low: l, volume: v, quoteVolume: q, eventTime: E }));
    } else {
      const t = slot.value;
      // Older or the same event (reordering, rollover overlap): never move backwards or repeat.
      if (E <= t.eventTime) return false;
      t.last = c;
      t.open = o;
      t.high = h;
      t.low = l;
      t.volume = v;
      t.quoteVolume = q;
      t.eventTime = E;
    }
    markChanged(tickers, slot);
    if (onApply !== undefined) onApply({ kind: 'miniTicker', value: slot.value });
    return true;
  };

  const applyBook = (d: Record<string, unknown>): boolean => {
    const s = d.s,
      u = d.u,
      b = d.b,
      B = d.B,
      a = d.a,
      A = d.A;
    if (
      typeof s !== 'string' ||
      typeof u !== 'number' ||
      typeof b !== 'string' ||
      typeof B !== 'string' ||
      typeof a !== 'string' ||
      typeof A !== 'string'
    )
      return false;
    let slot = books.slots.get(s);
    if (slot === undefined) {
      slot = addSlot(books, s, { symbol: s, bidPrice: b, bidQty: B, askPrice: a, askQty: A, updateId: u });
    } else {
      const t = slot.value;
      if (u <= t.updateId) return false;
      t.bidPrice = b;
      t.bidQty = B;
      t.askPrice = a;
      t.askQty = A;
      t.updateId = u;
    }
    markChanged(books, slot);
    if (onApply !== undefined) onApply({ kind: 'bookTicker', value: slot.value });
    return true;
  };

  const applyKline = (d: Record<string, unknown>): boolean => {
    const E = d.E,
      k = d.k as Record<string, unknown> | null | undefined;
    if (typeof E !== 'number' || typeof k !== 'object' || k === null) return false;
    const s = k.s,
      i = k.i,
      t0 = k.t,
      t1 = k.T,
      o = k.o,
      c = k.c,
      h = k.h,
      l = k.l,
      v = k.v,
      q = k.q,
      x = k.x;
    if (
      typeof s !== 'string' ||
      typeof i !== 'string' ||
      typeof t0 !== 'number' ||
      typeof t1 !== 'number' ||
      typeof o !== 'string' ||
      typeof c !== 'string' ||
      typeof h !== 'string' ||
      typeof l !== 'string' ||
      typeof v !== 'string' ||
      typeof q !== 'string' ||
      typeof x !== 'boolean'
    )
      return false;
    const key = `${s}@${i}`;
    let slot = klines.slots.get(key);
    if (slot === undefined) {
      slot = addSlot(klines, key, {
        symbol: s,
        interval: i,
        openTime: t0,
        closeTime: t1,
        open: o,
        high: h,
        low: l,
        close: c,
        volume: v,
        quoteVolume: q,
        closed: x,
        eventTime: E,
      });
    } else {
      const bar = slot.value;
      if (t0 < bar.openTime || (t0 === bar.openTime && E <= bar.eventTime)) return false;
      bar.openTime = t0;
      bar.closeTime = t1;
      bar.open = o;
      bar.high = h;
      bar.low = l;
      bar.close = c;
      bar.volume = v;
      bar.quoteVolume = q;
      bar.closed = x;
      bar.eventTime = E;
    }
    markChanged(klines, slot);
    if (onApply !== undefined) onApply({ kind: 'kline', value: slot.value });
    return true;
  };

  const applyData = (stream: string, data: unknown): boolean => {
    let changed = false;
    if (Array.isArray(data)) {
      // !miniTicker@arr (and any other array of miniTickers)
      for (let idx = 0; idx < data.length; idx++) {
        const el = data[idx] as Record<string, unknown> | null;
        if (
          el !== null &&
          typeof el === 'object' &&
          el.e === '24hrMiniTicker' &&
          (focus === null || focus.has(el.s as string)) &&
          applyMini(el)
        )
          changed = true;
      }
    } else if (typeof data === 'object' && data !== null) {
      const d = data as Record<string, unknown>;
      const e = d.e;
      if (e === '24hrMiniTicker') changed = applyMini(d);
      else if (e === 'kline') changed = applyKline(d);
      else if (e === undefined && stream.endsWith('@bookTicker')) changed = applyBook(d);
    }
    return changed;
  };

  return {
    applyFrame(stream, data) {
      const changed = applyData(stream, data);
      if (changed) versionCounter++;
      return changed;
    },
    ingest(text) {
      const frame = JSON.parse(text) as { stream?: unknown; data?: unknown } | null;
      if (frame === null || typeof frame !== 'object' || typeof frame.stream !== 'string') return false;
      const changed = applyData(frame.stream, frame.data);
      if (changed) versionCounter++;
      return changed;
    },
    tickers: () => tickers.map,
    bookTickers: () => books.map,
    klines: () => klines.map,
    drainChanged: () => drainChangeList(tickers),
    takeChangedTickers() {
      const out = new Array<Readonly<MiniTicker>>(tickers.count);
      for (let i = 0; i < tickers.count; i++) out[i] = tickers.list[i]!.value;
      clearChangeList(tickers);
      return out;
    },
    drainChangedBookTickers: () => drainChangeList(books),
    drainChangedKlines: () => drainChangeList(klines),
    version: () => versionCounter,
    clearChanged() {
      clearChangeList(tickers);
      clearChangeList(books);
      clearChangeList(klines);
    },
    setFocus(symbols) {
      focus = symbols === null ? null : new Set(symbols);
      symbolIndex.clear();
      firstInFrame = undefined;
      if (focus !== null) {
        for (const [s, slot] of tickers.slots) {
          if (focus.has(s)) continue;
          tickers.slots.delete(s);
          tickers.map.delete(s);
          records.release(slot.value);
        }
      }
      // A symbol that is not well-formed Unicode can never be what well-formed UTF-8 decodes to.
      for (const s of focus ?? tickers.slots.keys()) if (!LONE_SURROGATE.test(s)) indexSymbol(s, utf8.encode(s));
    },
    ingestAllMarket(bytes) {
      if (focus !== null && focus.size < byteFocusFrom) return ingestFocusedParse(bytes);
      const scan = scanner.scan(bytes);
      if (scan === null) return null;
      const changed = applyScan(bytes, scan);
      if (changed) versionCounter++;
      return { stream: ALL_MINI_TICKERS, key: scan.count > 0 ? scan.eventTimes[0] : undefined, changed };
    },
  };
}

/** Event time of a combined-stream payload (first element of an array), or a book update id. */
export function frameKey(data: unknown): number | undefined {
  const d = (Array.isArray(data) ? data[0] : data) as Record<string, unknown> | null | undefined;
  if (typeof d !== 'object' || d === null) return undefined;
  const E = d.E;
  if (typeof E === 'number') return E;
  const u = d.u;
  return typeof u === 'number' ? u : undefined;
}
