/**
 * The simulator's internal seams. Three parts are built against these interfaces:
 *   market/   market model, market REST endpoints, market stream server
 *   server/   HTTP server + router, authentication, rate limits, WS API, faults, control, CLI
 *   account/ + matching/   balances, commissions, matching engine, account/trade REST endpoints,
 *             user data events
 * simulator.ts wires them. Nothing here may import the Perch client (src/main/exchange): the
 * simulator is an independent stand-in for Binance, so a bug cannot hide in shared code.
 *
 * Money inside the simulator is decimal.js `Decimal`; on the wire it is a string with the
 * symbol's precision (8 decimals, like Binance: "0.00100000").
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

// ---------------------------------------------------------------------------------------------
// Market (market/)

export type SymbolStatus = 'TRADING' | 'END_OF_DAY' | 'HALT' | 'BREAK' | 'CANCEL_ONLY';

/** Everything exchangeInfo says about a symbol; filters as Binance's JSON objects. */
export interface SymbolInfo {
  readonly symbol: string;
  status: SymbolStatus;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly baseAssetPrecision: number;
  readonly quoteAssetPrecision: number;
  /** tickSize decimals, for formatting prices */
  readonly priceDecimals: number;
  /** stepSize decimals, for formatting quantities */
  readonly qtyDecimals: number;
  readonly orderTypes: readonly string[];
  readonly permissionSets: readonly (readonly string[])[];
  /** Binance filter objects exactly as exchangeInfo returns them (PRICE_FILTER, LOT_SIZE, ...). */
  readonly filters: readonly Readonly<Record<string, string | number | boolean>>[];
  /** What the catalogue's symbols also carry (market/symbols.ts); absent on hand-built test markets. */
  readonly amendAllowed?: boolean;
  readonly defaultSelfTradePreventionMode?: string;
  readonly allowedSelfTradePreventionModes?: readonly string[];
}

export interface BookTicker {
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
}
export interface Ticker24h {
  symbol: string;
  priceChange: string;
  priceChangePercent: string;
  weightedAvgPrice: string;
  prevClosePrice: string;
  lastPrice: string;
  lastQty: string;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
  openPrice: string;
  highPrice: string;
  lowPrice: string;
  volume: string;
  quoteVolume: string;
  openTime: number;
  closeTime: number;
  firstId: number;
  lastId: number;
  count: number;
}
/** [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, "0"] */
export type Kline = [number, string, string, string, string, string, number, string, number, string, string, string];

export interface MarketModel {
  symbols(): readonly SymbolInfo[];
  symbol(symbol: string): SymbolInfo | undefined;
  /** Test/demo knob: HALT, BREAK, CANCEL_ONLY ... (streams and exchangeInfo reflect it). */
  setStatus(symbol: string, status: SymbolStatus): void;
  lastPrice(symbol: string): string;
  bookTicker(symbol: string): BookTicker;
  ticker24h(symbol: string): Ticker24h;
  avgPrice(symbol: string): { mins: number; price: string; closeTime: number };
  klines(symbol: string, interval: string, opts: { startTime?: number; endTime?: number; limit: number }): Kline[];
  depth(symbol: string, limit: number): { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
  /** Test knob: move the market to this price now (emits a tick; resting orders may trigger). */
  setPrice(symbol: string, price: string): void;
  /** Called after every market step with the symbols whose price changed. Returns unsubscribe. */
  onTick(listener: (changed: readonly string[]) => void): () => void;
  start(): void;
  stop(): void;
}

// ---------------------------------------------------------------------------------------------
// Keys and authentication (server/)

export type KeyType = 'HMAC' | 'RSA' | 'ED25519';
export interface KeyPermissions {
  readonly reading: boolean;
  readonly spotTrading: boolean;
  readonly withdrawals: boolean;
  readonly ipRestrict: boolean;
}
export interface ApiKeyRecord {
  readonly apiKey: string;
  readonly type: KeyType;
  /** HMAC secret (HMAC keys only). */
  readonly secret?: string;
  /** Public key (RSA / Ed25519). */
  readonly publicKey?: KeyObject;
  readonly accountId: string;
  permissions: KeyPermissions;
  readonly createdAt: number;
}

// ---------------------------------------------------------------------------------------------
// Accounts, matching and user data (account/, matching/)

/** A user data event payload exactly as Binance sends it inside {"subscriptionId":N,"event":{...}}. */
export type UserDataEvent = Readonly<Record<string, unknown>> & { readonly e: string };

export interface UserDataBus {
  /** Deliver an event to every subscription of the account, in order. */
  publish(accountId: string, event: UserDataEvent): void;
  subscribe(accountId: string, listener: (event: UserDataEvent) => void): () => void;
}

export interface AccountsModel {
  /** Creates (or resets) an account with these balances (decimal strings). */
  createAccount(accountId: string, balances: Readonly<Record<string, string>>): void;
  has(accountId: string): boolean;
  /** Restore the account to the balances it was created with, cancel its orders. */
  reset(accountId: string): void;
  /** Test/demo knob: credit (positive) or debit an asset, emitting balanceUpdate + outboundAccountPosition. */
  adjustBalance(accountId: string, asset: string, delta: string): void;
  balances(accountId: string): ReadonlyArray<{ asset: string; free: string; locked: string }>;
}

// ---------------------------------------------------------------------------------------------
// Faults (server/faults.ts implements; every part reads the knobs it is concerned with)

export type OrderFaultKind = 'http500' | 'http503' | 'code-1006' | 'code-1007' | 'timeout-hang';
export interface OrderFault {
  readonly kind: OrderFaultKind;
  /** true: the order is executed by the engine although the reply is the fault. */
  readonly execute: boolean;
}

export interface FaultsState {
  /** Extra delay on every REST reply and WS API response, ms. */
  latencyMs: number;
  /** REST requests whose path starts with one of these never get a reply (socket kept open). */
  hangPaths: string[];
  /** Next N order placements (REST POST /api/v3/order, orderList/oco, order.place) fail this way. */
  orderFaults: OrderFault[];
  /** Order queries by this clientOrderId / orderId answer -2013 for the next N queries. */
  unknownOrderQueries: Map<string, number>;
  /** Next N REST requests answer 429 (then 418 if the client ignores Retry-After). */
  force429: number;
  /** Ban the IP for this long (418) from now. */
  banUntil: number;
  /** Stream / WS API connections: stop sending data and pongs. */
  silentSockets: boolean;
  /** Send data but never answer pings with pongs. */
  noPongs: boolean;
  /** Refuse WebSocket upgrades with this HTTP status (503 or 429), 0 = accept. */
  refuseUpgrades: number;
  /** Deliver user data events out of order (swap adjacent pairs) and/or duplicated. */
  reorderUserEvents: boolean;
  duplicateUserEvents: boolean;
  /** New order ids and trade ids start above 2^53. */
  bigIds: boolean;
  /**
   * The next `count` REST requests matching `method` (any when absent) and `path` (exact) are
   * answered with this status and body before anything else happens (no auth, no weight): a
   * 503 from a load balancer, a 502 HTML page from a proxy. Optional so hand-built fault states
   * in tests need not name it.
   */
  restFailures?: RestFailure[];
}
export interface RestFailure {
  readonly method?: string;
  readonly path: string;
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  count: number;
}

export interface Faults {
  readonly state: FaultsState;
  /** Consume the next order fault, if any. */
  takeOrderFault(): OrderFault | undefined;
  /** Consume one "-2013 for the next N queries" for this order key, true if it applies now. */
  takeUnknownOrderQuery(keys: readonly string[]): boolean;
  reset(): void;
  /** Connection-level actions, delivered to the connection servers that registered for them. */
  closeAll(kind: 'streams' | 'ws-api' | 'all'): void;
  serverShutdown(): void;
  eventStreamTerminated(accountId?: string): void;
  onAction(listener: (action: FaultAction) => void): () => void;
}
export type FaultAction =
  | { readonly type: 'closeAll'; readonly kind: 'streams' | 'ws-api' | 'all' }
  | { readonly type: 'serverShutdown' }
  | { readonly type: 'eventStreamTerminated'; readonly accountId?: string };

// ---------------------------------------------------------------------------------------------
// REST routing (server/ implements dispatch; market/ and account/ + matching/ provide routes)

/** MARKET_DATA: an API key, no signature (as USER_STREAM), and no permission needed. */
export type Security = 'NONE' | 'MARKET_DATA' | 'USER_STREAM' | 'USER_DATA' | 'TRADE';

export interface RestRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Query and body parameters, decoded; the query string wins on duplicates. */
  readonly params: Readonly<Record<string, string>>;
  /** The authenticated key (SIGNED endpoints), already checked for signature and timing. */
  readonly key?: ApiKeyRecord;
  /** Server time when the request was received. */
  readonly receivedAt: number;
}

export interface RestRoute {
  readonly method: RestRequest['method'];
  /** Exact path, e.g. "/api/v3/order". */
  readonly path: string;
  readonly security: Security;
  /** REQUEST_WEIGHT cost; may depend on the parameters (e.g. depth limit). */
  readonly weight: number | ((params: Readonly<Record<string, string>>) => number);
  /** Counts toward the ORDERS limits (X-MBX-ORDER-COUNT-*). */
  readonly countsAsOrder?: boolean;
  /** Served only under /sapi (production-only endpoints). */
  readonly sapi?: boolean;
  /**
   * The parameter names this endpoint reads, from the docs' parameter table (without timestamp,
   * recvWindow, signature: the dispatcher adds those for SIGNED routes). Any other name sent is
   * -1104. Absent: not checked.
   */
  readonly params?: readonly string[];
  /** Returns the JSON body; throws SimError for a Binance error reply. */
  handler(req: RestRequest): unknown | Promise<unknown>;
}

/** A WebSocket endpoint (market streams, WS API) that takes over upgraded sockets. */
export interface UpgradeHandler {
  /** Return true when this handler accepted the upgrade. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
  /** Close every connection (stop). */
  closeAll(code?: number, reason?: string): void;
  connectionCount(): number;
}

export interface MatchingEngine {
  /** REST routes for account, order, order list, trade endpoints. */
  routes(): RestRoute[];
  /** Cancel everything, restore the account's original balances. */
  resetAccount(accountId: string): void;
  /**
   * The WS API methods that mirror REST (optional for the issue, used by order.place etc.):
   * invoke a route handler by its REST path with already-authenticated params.
   */
  stop(): void;
}
