/**
 * The market data stream server (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-streams.md): raw /ws/<stream>, /ws then SUBSCRIBE,
 * combined /stream?streams=a/b, the control messages, the per-connection limits (5 incoming
 * messages/s, 1024 streams), server pings with a pong deadline, the connection lifetime, and the
 * connection faults. Each stream's payload is serialised once per market tick and the same
 * bytes go to every subscriber.
 *
 * Over 500 lines on purpose: one server's connection lifecycle, limits and faults share the
 * per-connection state; the payloads come from the market model.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { SimClock } from '../clock';
import type { Faults, FaultAction, MarketModel, UpgradeHandler } from '../types';
import { isKlineInterval, type KlineInterval } from './intervals';
import type { TradeTape } from './trades';
import type { MiniTicker24h, SimMarket } from './model';

export interface StreamServerOptions {
  market: MarketModel;
  clock: SimClock;
  faults: Faults;
  /** Connection lifetime (Binance: 24 h). */
  lifetimeMs: number;
  /** Server ping period (Binance: 20 s). */
  pingIntervalMs?: number;
  /** Close when no pong answers our pings for this long (Binance: 1 min). */
  pongTimeoutMs?: number;
  /** Delay between the serverShutdown event and the close (default 1 s). */
  shutdownCloseDelayMs?: number;
  /** The public trade tape: trade and aggTrade streams then send the trades REST lists. */
  tape?: TradeTape;
}

/** At most this many trades per symbol and tick on a trade / aggTrade stream (the newest). */
const MAX_TAPE_TRADES_PER_TICK = 1000;

export interface StreamServer extends UpgradeHandler {
  /** Detach from the market and the faults handle and close every connection. */
  dispose(): void;
}

export const MAX_STREAMS_PER_CONNECTION = 1024;
export const MAX_INCOMING_PER_SECOND = 5;

type Spec =
  | { readonly kind: 'miniTicker' | 'ticker' | 'bookTicker' | 'trade' | 'aggTrade' | 'avgPrice'; readonly symbol: string }
  | { readonly kind: 'kline'; readonly symbol: string; readonly interval: KlineInterval }
  | { readonly kind: 'depthDiff'; readonly symbol: string }
  | { readonly kind: 'depthPartial'; readonly symbol: string; readonly levels: number }
  | { readonly kind: 'allMini' };

const STREAM_RE =
  /^([^@!A-Z\s/]+)@(miniTicker|ticker|bookTicker|trade|aggTrade|avgPrice|kline_([0-9]+[smhdwM])|depth(5|10|20)?(@100ms|@1000ms)?)$/;

/** Parses a stream name; undefined when it is not one this server knows. */
export function parseStreamName(name: string): Spec | undefined {
  if (name === '!miniTicker@arr') return { kind: 'allMini' };
  const m = STREAM_RE.exec(name);
  if (!m) return undefined;
  const symbol = m[1]!.toUpperCase();
  const what = m[2]!;
  if (what.startsWith('kline_')) {
    const interval = m[3]!;
    return isKlineInterval(interval) ? { kind: 'kline', symbol, interval } : undefined;
  }
  if (what.startsWith('depth')) {
    return m[4] !== undefined ? { kind: 'depthPartial', symbol, levels: Number(m[4]) } : { kind: 'depthDiff', symbol };
  }
  return { kind: what as 'miniTicker', symbol };
}

interface Conn {
  readonly ws: WebSocket;
  combined: boolean;
  readonly streams: Set<string>;
  readonly incoming: number[];
  pingSeq: number;
  lastPing: string;
  timers: ReturnType<typeof setTimeout>[];
  pongDeadline: ReturnType<typeof setTimeout> | undefined;
  closing: boolean;
}

type Level = [string, string];
interface DepthSnap {
  lastUpdateId: number;
  bids: Level[];
  asks: Level[];
}

/** Per-stream memory across ticks (what was last sent). */
interface StreamState {
  bookKey?: string;
  lastTradeId?: number;
  klineStart?: number;
  depthId?: number;
  depth?: DepthSnap;
}

/** Levels always repeated in a diff, so a client whose snapshot fell between two ticks converges. */
const DIFF_TOP_LEVELS = 50;
const DIFF_WINDOW = 1000;

function isSimMarket(m: MarketModel): m is SimMarket {
  return typeof (m as Partial<SimMarket>).miniTicker24h === 'function';
}

function controlError(code: number, msg: string, id: unknown): string {
  return JSON.stringify(id === undefined ? { error: { code, msg } } : { error: { code, msg }, id });
}

function validId(id: unknown): boolean {
  if (id === null) return true;
  if (typeof id === 'number') return Number.isInteger(id);
  return typeof id === 'string' && /^[a-zA-Z0-9]{1,36}$/.test(id);
}

function diffSide(prev: Level[], next: Level[], bids: boolean): Level[] {
  if (prev.length === 0 || next.length === 0) return next.slice();
  // Only the price range both windows cover is comparable; deeper levels are unchanged.
  const deepest = (side: Level[]) => Number(side[side.length - 1]![0]);
  const cut = bids ? Math.max(deepest(prev), deepest(next)) : Math.min(deepest(prev), deepest(next));
  const inRange = (p: string) => (bids ? Number(p) >= cut : Number(p) <= cut);
  const before = new Map<string, string>();
  for (const [p, q] of prev) if (inRange(p)) before.set(p, q);
  const out: Level[] = [];
  const seen = new Set<string>();
  next.forEach(([p, q], i) => {
    if (!inRange(p)) return;
    seen.add(p);
    if (i < DIFF_TOP_LEVELS || before.get(p) !== q) out.push([p, q]);
  });
  for (const p of before.keys()) if (!seen.has(p)) out.push([p, '0.00000000']);
  return out;
}

export function createStreamServer(opts: StreamServerOptions): StreamServer {
  const { market, clock, faults } = opts;
  const sim = isSimMarket(market) ? market : undefined;
  const pingIntervalMs = opts.pingIntervalMs ?? 20_000;
  const pongTimeoutMs = opts.pongTimeoutMs ?? 60_000;
  const shutdownDelay = opts.shutdownCloseDelayMs ?? 1000;
  const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false, maxPayload: 1 << 20 });
  const conns = new Set<Conn>();
  const subscribers = new Map<string, Set<Conn>>();
  const specs = new Map<string, Spec>();
  const states = new Map<string, StreamState>();

  const silent = (): boolean => faults.state.silentSockets;

  const sendText = (c: Conn, text: string | Buffer): void => {
    if (c.ws.readyState !== c.ws.OPEN || silent()) return;
    c.ws.send(text, { binary: false });
  };

  const addStream = (c: Conn, name: string): void => {
    if (c.streams.has(name)) return;
    c.streams.add(name);
    let set = subscribers.get(name);
    if (!set) {
      set = new Set();
      subscribers.set(name, set);
      specs.set(name, parseStreamName(name)!);
      states.set(name, {});
    }
    set.add(c);
  };
  const removeStream = (c: Conn, name: string): void => {
    if (!c.streams.delete(name)) return;
    const set = subscribers.get(name);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) {
      subscribers.delete(name);
      specs.delete(name);
      states.delete(name);
    }
  };

  const dropConn = (c: Conn): void => {
    if (!conns.delete(c)) return;
    for (const t of c.timers) clearTimeout(t);
    if (c.pongDeadline) clearTimeout(c.pongDeadline);
    for (const name of [...c.streams]) removeStream(c, name);
  };

  const terminate = (c: Conn): void => {
    c.closing = true;
    c.ws.terminate();
    dropConn(c);
  };

  const closeConn = (c: Conn, code: number, reason: string): void => {
    if (c.closing) return;
    c.closing = true;
    c.ws.close(code, reason);
    // A peer that never answers the close frame is cut off.
    const t = setTimeout(() => c.ws.terminate(), 1000);
    t.unref?.();
  };

  const armPongDeadline = (c: Conn): void => {
    if (c.pongDeadline) clearTimeout(c.pongDeadline);
    c.pongDeadline = setTimeout(() => {
      // A silenced server sends no pings, so it cannot expect pongs.
      if (silent()) armPongDeadline(c);
      else terminate(c);
    }, pongTimeoutMs);
    c.pongDeadline.unref?.();
  };

  // ---------------------------------------------------------------- control messages

  const tooManyIncoming = (c: Conn): boolean => {
    const now = Date.now();
    c.incoming.push(now);
    while (c.incoming.length > 0 && c.incoming[0]! <= now - 1000) c.incoming.shift();
    if (c.incoming.length > MAX_INCOMING_PER_SECOND) {
      closeConn(c, 1008, 'Too many messages');
      return true;
    }
    return false;
  };

  const onControl = (c: Conn, text: string): void => {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      sendText(c, controlError(3, 'Invalid JSON: expected value at line 1 column 1', undefined));
      return;
    }
    const col = text.length;
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      sendText(c, controlError(2, `Invalid request: missing field \`method\` at line 1 column ${col}`, null));
      return;
    }
    const req = msg as Record<string, unknown>;
    const id = req['id'];
    if (!('id' in req) || !validId(id)) {
      sendText(c, controlError(2, 'Invalid request: request ID must be an unsigned integer', null));
      return;
    }
    const method = req['method'];
    if (method === undefined) {
      sendText(c, controlError(2, `Invalid request: missing field \`method\` at line 1 column ${col}`, id));
      return;
    }
    const params = req['params'];
    const ok = (result: unknown) => sendText(c, JSON.stringify({ result, id }));
    switch (method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!Array.isArray(params) || params.some((p) => typeof p !== 'string' || parseStreamName(p) === undefined)) {
          sendText(c, controlError(2, 'Invalid request: invalid stream', id));
          return;
        }
        const names = params as string[];
        if (method === 'SUBSCRIBE') {
          const fresh = new Set(names.filter((n) => !c.streams.has(n)));
          if (c.streams.size + fresh.size > MAX_STREAMS_PER_CONNECTION) {
            sendText(
              c,
              controlError(
                2,
                `Invalid request: too many streams; a connection can listen to at most ${MAX_STREAMS_PER_CONNECTION} streams`,
                id,
              ),
            );
            return;
          }
          for (const n of names) addStream(c, n);
        } else {
          for (const n of names) removeStream(c, n);
        }
        ok(null);
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        ok([...c.streams]);
        return;
      case 'SET_PROPERTY':
      case 'GET_PROPERTY': {
        const ps = Array.isArray(params) ? (params as unknown[]) : [];
        const max = method === 'SET_PROPERTY' ? 2 : 1;
        if (ps.length > max) {
          sendText(c, controlError(2, 'Invalid request: too many parameters', id));
          return;
        }
        if (typeof ps[0] !== 'string') {
          sendText(c, controlError(2, 'Invalid request: property name must be a string', id));
          return;
        }
        if (ps[0] !== 'combined') {
          sendText(c, controlError(0, 'Unknown property', id));
          return;
        }
        if (method === 'GET_PROPERTY') {
          ok(c.combined);
          return;
        }
        if (typeof ps[1] !== 'boolean') {
          sendText(c, controlError(1, 'Invalid value type: expected Boolean', id));
          return;
        }
        c.combined = ps[1];
        ok(null);
        return;
      }
      default:
        sendText(
          c,
          controlError(
            2,
            `Invalid request: unknown variant \`${String(method)}\`, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\` at line 1 column ${col}`,
            id,
          ),
        );
    }
  };

  // ---------------------------------------------------------------- connections

  const onConnection = (ws: WebSocket, streams: readonly string[], combined: boolean): void => {
    const c: Conn = {
      ws,
      combined,
      streams: new Set(),
      incoming: [],
      pingSeq: 0,
      lastPing: '',
      timers: [],
      pongDeadline: undefined,
      closing: false,
    };
    conns.add(c);
    for (const s of streams) addStream(c, s);
    const ping = setInterval(() => {
      if (silent() || ws.readyState !== ws.OPEN) return;
      c.lastPing = String(++c.pingSeq);
      ws.ping(c.lastPing);
    }, pingIntervalMs);
    ping.unref?.();
    const life = setTimeout(() => closeConn(c, 1000, 'Connection lifetime expired'), opts.lifetimeMs);
    life.unref?.();
    c.timers.push(ping, life);
    armPongDeadline(c);

    ws.on('message', (data: RawData) => {
      if (tooManyIncoming(c)) return;
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      onControl(c, text);
    });
    ws.on('ping', (data: Buffer) => {
      if (tooManyIncoming(c)) return;
      if (silent() || faults.state.noPongs || ws.readyState !== ws.OPEN) return;
      ws.pong(data);
    });
    ws.on('pong', (data: Buffer) => {
      if (tooManyIncoming(c)) return;
      // Only a pong echoing our ping counts; unsolicited pongs do not keep the connection.
      if (c.lastPing !== '' && data.toString('utf8') === c.lastPing) armPongDeadline(c);
    });
    ws.on('close', () => dropConn(c));
    ws.on('error', () => terminate(c));
  };

  const refuse = (socket: Duplex, status: number): void => {
    const body = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
    socket.end(
      `HTTP/1.1 ${body}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.on('error', () => socket.destroy());
    const t = setTimeout(() => socket.destroy(), 1000);
    t.unref?.();
  };

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean => {
    const path = url.pathname;
    let names: string[];
    let combined: boolean;
    if (path === '/ws' || path === '/ws/') {
      names = [];
      combined = false;
    } else if (path.startsWith('/ws/')) {
      // Binance accepts a raw connection whose path is not a stream name (ccxt pro connects to
      // /ws/<n> and then SUBSCRIBEs): such a segment subscribes to nothing instead of refusing.
      names = path
        .slice(4)
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s))
        .filter((s) => parseStreamName(s) !== undefined);
      combined = false;
    } else if (path === '/stream' || path === '/stream/') {
      const q = url.searchParams.get('streams');
      names = q === null ? [] : q.split('/').filter((s) => s !== '');
      combined = true;
    } else {
      return false;
    }
    const refusal = faults.state.refuseUpgrades;
    if (refusal > 0) {
      refuse(socket, refusal);
      return true;
    }
    if (names.some((n) => parseStreamName(n) === undefined) || new Set(names).size > MAX_STREAMS_PER_CONNECTION) {
      refuse(socket, 400);
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, names, combined));
    return true;
  };

  // ---------------------------------------------------------------- market data

  const onTick = (changed: readonly string[]): void => {
    if (subscribers.size === 0 || silent()) return;
    const now = clock.now();
    const changedSet = new Set(changed);
    const minis = new Map<string, string>();
    const miniJson = (symbol: string): string => {
      let s = minis.get(symbol);
      if (s === undefined) {
        const t: MiniTicker24h = sim ? sim.miniTicker24h(symbol) : market.ticker24h(symbol);
        s = `{"e":"24hrMiniTicker","E":${now},"s":"${t.symbol}","c":"${t.lastPrice}","o":"${t.openPrice}","h":"${t.highPrice}","l":"${t.lowPrice}","v":"${t.volume}","q":"${t.quoteVolume}"}`;
        minis.set(symbol, s);
      }
      return s;
    };
    const lastIdOf = (symbol: string): number => (sim ? sim.lastTradeId(symbol) : market.ticker24h(symbol).lastId);

    for (const [name, set] of subscribers) {
      const spec = specs.get(name)!;
      const state = states.get(name)!;
      let payloads: string[] = [];
      if (spec.kind !== 'allMini' && market.symbol(spec.symbol) === undefined) continue;
      switch (spec.kind) {
        case 'allMini': {
          const parts: string[] = [];
          for (const s of changed) if (market.symbol(s) !== undefined) parts.push(miniJson(s));
          if (parts.length > 0) payloads = [`[${parts.join(',')}]`];
          break;
        }
        case 'miniTicker':
          if (changedSet.has(spec.symbol)) payloads = [miniJson(spec.symbol)];
          break;
        case 'ticker':
          if (changedSet.has(spec.symbol)) {
            const t = market.ticker24h(spec.symbol);
            payloads = [
              JSON.stringify({
                e: '24hrTicker',
                E: now,
                s: t.symbol,
                p: t.priceChange,
                P: t.priceChangePercent,
                w: t.weightedAvgPrice,
                x: t.prevClosePrice,
                c: t.lastPrice,
                Q: t.lastQty,
                b: t.bidPrice,
                B: t.bidQty,
                a: t.askPrice,
                A: t.askQty,
                o: t.openPrice,
                h: t.highPrice,
                l: t.lowPrice,
                v: t.volume,
                q: t.quoteVolume,
                O: t.openTime,
                C: t.closeTime,
                F: t.firstId,
                L: t.lastId,
                n: t.count,
              }),
            ];
          }
          break;
        case 'avgPrice':
          if (changedSet.has(spec.symbol)) {
            const a = market.avgPrice(spec.symbol);
            payloads = [`{"e":"avgPrice","E":${now},"s":"${spec.symbol}","i":"${a.mins}m","w":"${a.price}","T":${a.closeTime}}`];
          }
          break;
        case 'bookTicker': {
          const d = market.depth(spec.symbol, 1);
          const b = d.bids[0];
          const a = d.asks[0];
          if (!b || !a) break;
          const key = `${b[0]}|${b[1]}|${a[0]}|${a[1]}`;
          if (key !== state.bookKey) {
            state.bookKey = key;
            payloads = [`{"u":${d.lastUpdateId},"s":"${spec.symbol}","b":"${b[0]}","B":"${b[1]}","a":"${a[0]}","A":"${a[1]}"}`];
          }
          break;
        }
        case 'trade':
        case 'aggTrade': {
          if (!changedSet.has(spec.symbol)) break;
          if (opts.tape !== undefined) {
            const last = opts.tape.lastId(spec.symbol);
            const from = Math.max((state.lastTradeId ?? last - 1) + 1, last - MAX_TAPE_TRADES_PER_TICK + 1);
            state.lastTradeId = last;
            for (const t of opts.tape.from(spec.symbol, from, last - from + 1)) {
              payloads.push(
                spec.kind === 'trade'
                  ? `{"e":"trade","E":${now},"s":"${spec.symbol}","t":${t.id},"p":"${t.price}","q":"${t.qty}","T":${t.time},"m":${t.isBuyerMaker},"M":true}`
                  : `{"e":"aggTrade","E":${now},"s":"${spec.symbol}","a":${t.id},"p":"${t.price}","q":"${t.qty}","f":${t.id},"l":${t.id},"T":${t.time},"m":${t.isBuyerMaker},"M":true}`,
              );
            }
            break;
          }
          const lastId = lastIdOf(spec.symbol);
          const prev = state.lastTradeId ?? lastId - 1;
          state.lastTradeId = lastId;
          if (lastId <= prev) break;
          const price = market.lastPrice(spec.symbol);
          const qty = market.ticker24h(spec.symbol).lastQty;
          for (let id = Math.max(prev + 1, lastId - 2); id <= lastId; id++) {
            const m = (id & 1) === 1;
            payloads.push(
              spec.kind === 'trade'
                ? `{"e":"trade","E":${now},"s":"${spec.symbol}","t":${id},"p":"${price}","q":"${qty}","T":${now},"m":${m},"M":true}`
                : `{"e":"aggTrade","E":${now},"s":"${spec.symbol}","a":${id},"p":"${price}","q":"${qty}","f":${id},"l":${id},"T":${now},"m":${m},"M":true}`,
            );
          }
          break;
        }
        case 'kline': {
          const cur = market.klines(spec.symbol, spec.interval, { limit: 1 })[0];
          if (!cur) break;
          const lastId = lastIdOf(spec.symbol);
          const curFirst = lastId - cur[8] + 1;
          const event = (k: typeof cur, closed: boolean, last: number): string => {
            const n = k[8];
            const f = n > 0 ? last - n + 1 : -1;
            const l = n > 0 ? last : -1;
            return `{"e":"kline","E":${now},"s":"${spec.symbol}","k":{"t":${k[0]},"T":${k[6]},"s":"${spec.symbol}","i":"${spec.interval}","f":${f},"L":${l},"o":"${k[1]}","c":"${k[4]}","h":"${k[2]}","l":"${k[3]}","v":"${k[5]}","n":${n},"x":${closed},"q":"${k[7]}","V":"${k[9]}","Q":"${k[10]}","B":"0"}}`;
          };
          if (state.klineStart !== undefined && state.klineStart !== cur[0]) {
            const prev = market.klines(spec.symbol, spec.interval, { startTime: state.klineStart, limit: 1 })[0];
            if (prev && prev[0] === state.klineStart) payloads.push(event(prev, true, curFirst - 1));
          }
          state.klineStart = cur[0];
          payloads.push(event(cur, false, lastId));
          break;
        }
        case 'depthPartial': {
          const d = market.depth(spec.symbol, spec.levels);
          if (d.lastUpdateId !== state.depthId) {
            state.depthId = d.lastUpdateId;
            payloads = [JSON.stringify({ lastUpdateId: d.lastUpdateId, bids: d.bids, asks: d.asks })];
          }
          break;
        }
        case 'depthDiff': {
          const d = market.depth(spec.symbol, DIFF_WINDOW);
          const prev = state.depth;
          if (!prev) {
            state.depth = d;
            break;
          }
          if (d.lastUpdateId === prev.lastUpdateId) break;
          state.depth = d;
          payloads = [
            JSON.stringify({
              e: 'depthUpdate',
              E: now,
              s: spec.symbol,
              U: prev.lastUpdateId + 1,
              u: d.lastUpdateId,
              b: diffSide(prev.bids, d.bids, true),
              a: diffSide(prev.asks, d.asks, false),
            }),
          ];
          break;
        }
      }
      if (payloads.length === 0) continue;
      for (const payload of payloads) {
        let raw: Buffer | undefined;
        let wrapped: Buffer | undefined;
        for (const c of set) {
          if (c.combined) {
            wrapped ??= Buffer.from(`{"stream":"${name}","data":${payload}}`);
            sendText(c, wrapped);
          } else {
            raw ??= Buffer.from(payload);
            sendText(c, raw);
          }
        }
      }
    }
  };

  const onAction = (action: FaultAction): void => {
    if (action.type === 'closeAll') {
      if (action.kind === 'ws-api') return;
      for (const c of [...conns]) terminate(c);
    } else if (action.type === 'serverShutdown') {
      const E = clock.now();
      const raw = `{"e":"serverShutdown","E":${E}}`;
      const wrapped = `{"stream":"!serverShutdown","data":${raw}}`;
      for (const c of [...conns]) {
        sendText(c, c.combined ? wrapped : raw);
        const t = setTimeout(() => closeConn(c, 1001, 'Server shutdown'), shutdownDelay);
        t.unref?.();
        c.timers.push(t);
      }
    }
  };

  const offTick = market.onTick(onTick);
  const offAction = faults.onAction(onAction);

  const closeAll = (code = 1001, reason = 'Server stopping'): void => {
    for (const c of [...conns]) {
      closeConn(c, code, reason);
      dropConn(c);
    }
  };

  return {
    handleUpgrade,
    closeAll,
    connectionCount: () => conns.size,
    dispose() {
      offTick();
      offAction();
      closeAll();
    },
  };
}
