/**
 * The per-frame work of the market streams, with no socket in sight (docs/ARCHITECTURE.md §5, §8):
 * a combined-stream payload in, the latest value per symbol out, updated in place, with the set
 * of what changed since the last drain. Older or repeated events (reordering, the overlap of a
 * rollover, B10) never move a value back or count twice.
 *
 * While the all-market stream is on, only the symbols someone looks at (the portfolio's markets
 * and the order forms') need applying: with a focus set, `ingestFocused` finds those symbols'
 * elements in the frame's bytes and parses only them, which costs less than decoding and
 * parsing the frame.
 */
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
   * The cheap path for an all-market mini-ticker frame while a focus is set: the focused
   * symbols' elements are found in the frame's bytes and only they are decoded and parsed.
   * Null when the frame is not one it can take (no focus, another stream or layout, escapes,
   * anything unparseable): parse it whole then, with the same result.
   */
  ingestFocused(bytes: Buffer): FocusedFrame | null;
}

/** What `ingestFocused` learnt about a frame: its stream, its key (B10) and whether anything changed. */
export interface FocusedFrame {
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
/** 32-bit FNV-1a over a symbol's UTF-8 bytes: a cheap first test of "is this one focused?". */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function fnv1a(bytes: Uint8Array): number {
  let h = FNV_OFFSET;
  for (const c of bytes) h = Math.imul(h ^ c, FNV_PRIME);
  return h;
}

function bytesAt(bytes: Uint8Array, at: number, pattern: Uint8Array): boolean {
  if (at + pattern.length > bytes.length) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[at + i] !== pattern[i]) return false;
  return true;
}

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

export function createMarketData(onApply?: (update: MarketUpdate) => void): MarketData {
  const tickers = createChangeList<MiniTicker>();
  const books = createChangeList<BookTop>();
  const klines = createChangeList<KlineBar>();
  let versionCounter = 0;
  let focus: ReadonlySet<string> | null = null;
  /** The focused symbols' UTF-8 bytes by their hash. */
  const focusIndex = new Map<number, Uint8Array[]>();
  /** Start and end offsets of the focused elements of the frame being ingested; reused. */
  const bounds: number[] = [];
  const elements: Record<string, unknown>[] = [];

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
      slot = addSlot(tickers, s, { symbol: s, last: c, open: o, high: h, low: l, volume: v, quoteVolume: q, eventTime: E });
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
      focusIndex.clear();
      if (focus === null) return;
      for (const s of focus) {
        const b = utf8.encode(s);
        const h = fnv1a(b);
        const list = focusIndex.get(h);
        if (list === undefined) focusIndex.set(h, [b]);
        else list.push(b);
      }
      for (const s of tickers.slots.keys()) {
        if (focus.has(s)) continue;
        tickers.slots.delete(s);
        tickers.map.delete(s);
      }
    },
    ingestFocused(bytes) {
      if (focus === null) return null;
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
      // Element by element on Binance's layout, {"e":"24hrMiniTicker","E":<int>,"s":"<symbol>",…},
      // straight on the socket's bytes (no decoding of the whole frame). The symbol is hashed as
      // it is read and compared only when the hash is a focused one. Anything off the layout, or
      // an escape in a symbol, goes to the whole parse.
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
        const candidates = focusIndex.get(h);
        if (candidates !== undefined && candidates.some((c) => sameBytes(bytes, s0, i, c))) bounds.push(at, end + 1);
        const next = bytes[end + 1];
        if (next === 93 /* ] */) break;
        if (next !== 44 /* , */) return null;
        at = end + 2;
      }
      // Every focused element parses before any is applied: a broken frame is refused whole,
      // as the full parse would refuse it.
      elements.length = 0;
      try {
        // Buffer#toString(encoding, start, end) decodes in place: no view object per element.
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
