/**
 * Control endpoint: the fault handle and test/demo knobs over HTTP, for tests in other processes
 * and for manual testing against `npm run sim`.
 *
 * Served on the simulator's port under /__control, loopback clients only, and every request must
 * carry `Authorization: Bearer <controlToken>` (the token is printed by the CLI and returned by
 * startSimulator); anything else gets 403. Bodies are JSON; unknown fields are rejected (400).
 * Replies are JSON: the route's result, or {"error":"..."} with 400/404.
 *
 *   GET  /__control/state                  -> { serverTime, clockOffsetMs, faults: {...every knob...} }
 *   GET  /__control/ledger                 -> { orders, orderLists, trades, balances } of the demo account (read-only;
 *                                            the exchange's own records, which crash tests compare Perch against)
 *   POST /__control/faults                 { latencyMs?, hangPaths?, force429?, banUntil?, silentSockets?,
 *                                            noPongs?, refuseUpgrades? (0|429|503), reorderUserEvents?,
 *                                            duplicateUserEvents?, bigIds? }  -> state (sets only what is sent)
 *   POST /__control/faults/reset           -> state (every knob back to its default; also clears rate limits)
 *   POST /__control/faults/order           { kind: "http500"|"http503"|"code-1006"|"code-1007"|"timeout-hang",
 *                                            execute?: boolean (false), count?: n (1) }  queue order faults
 *   POST /__control/faults/unknown-order   { key: clientOrderId or orderId, count?: n (1) }  next n queries -> -2013
 *   POST /__control/faults/ban             { ms } or { until }  ban every client IP (418) for ms / until epoch ms
 *   POST /__control/close-all              { kind?: "streams"|"ws-api"|"all" ("all") }  force-close connections
 *   POST /__control/server-shutdown        send the serverShutdown event on WS API (and stream) connections
 *   POST /__control/event-stream-terminated { accountId? }  end user data subscriptions (one account or all)
 *   POST /__control/rate-limits/reset      forget used weight, order counts and IP bans
 *   GET  /__control/clock                  -> { serverTime, offsetMs }
 *   POST /__control/clock                  { set?: epochMs } | { offset?: ms } | { jump?: ms }  -> { serverTime, offsetMs }
 *   POST /__control/price                  { symbol, price: "decimal" }  move the market now
 *   POST /__control/status                 { symbol, status: "TRADING"|"HALT"|"BREAK"|"END_OF_DAY"|"CANCEL_ONLY" }
 *   POST /__control/balance                { accountId? (demo), asset, delta: "decimal" }  credit/debit
 *   POST /__control/account/reset          { accountId? (demo) }  cancel orders, restore opening balances
 *   POST /__control/keys                   { type: "HMAC"|"RSA"|"ED25519", apiKey?, secret?, publicKeyPem?,
 *                                            accountId? (demo), permissions?: { reading?, spotTrading?,
 *                                            withdrawals?, ipRestrict? } }  -> { apiKey, secret? }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SimClock } from '../clock';
import type { AccountsModel, Faults, KeyPermissions, KeyType, MarketModel } from '../types';
import type { ControlHandler } from './http';
import type { RateLimiter } from './rate-limit';

export interface ControlDeps {
  readonly token: string;
  readonly clock: SimClock;
  readonly faults: Faults;
  readonly limiter: RateLimiter;
  readonly demoAccountId: string;
  readonly market?: MarketModel;
  readonly accounts?: AccountsModel;
  readonly resetAccount?: (accountId: string) => void;
  /** The demo account's orders, order lists, trades and balances as the engine holds them (read-only). */
  readonly ledger?: () => unknown;
  readonly registerKey: (o: {
    type: KeyType;
    secret?: string;
    publicKeyPem?: string;
    permissions?: Partial<KeyPermissions>;
    accountId?: string;
    apiKey?: string;
  }) => { apiKey: string; secret?: string };
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const decimal = z.string().regex(/^-?[0-9]+(\.[0-9]+)?$/);
const faultsBody = z
  .object({
    latencyMs: z.number().int().min(0).optional(),
    hangPaths: z.array(z.string()).optional(),
    force429: z.number().int().min(0).optional(),
    banUntil: z.number().int().min(0).optional(),
    silentSockets: z.boolean().optional(),
    noPongs: z.boolean().optional(),
    refuseUpgrades: z.union([z.literal(0), z.literal(429), z.literal(503)]).optional(),
    reorderUserEvents: z.boolean().optional(),
    duplicateUserEvents: z.boolean().optional(),
    bigIds: z.boolean().optional(),
  })
  .strict();
const orderFaultBody = z
  .object({
    kind: z.enum(['http500', 'http503', 'code-1006', 'code-1007', 'timeout-hang']),
    execute: z.boolean().optional(),
    count: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
const unknownOrderBody = z.object({ key: z.string().min(1), count: z.number().int().min(1).optional() }).strict();
const banBody = z.union([z.object({ ms: z.number().int().min(0) }).strict(), z.object({ until: z.number().int().min(0) }).strict()]);
const closeAllBody = z.object({ kind: z.enum(['streams', 'ws-api', 'all']).optional() }).strict();
const accountBody = z.object({ accountId: z.string().min(1).optional() }).strict();
const clockBody = z.union([
  z.object({ set: z.number().int() }).strict(),
  z.object({ offset: z.number().int() }).strict(),
  z.object({ jump: z.number().int() }).strict(),
]);
const priceBody = z.object({ symbol: z.string().min(1), price: decimal }).strict();
const statusBody = z
  .object({ symbol: z.string().min(1), status: z.enum(['TRADING', 'END_OF_DAY', 'HALT', 'BREAK', 'CANCEL_ONLY']) })
  .strict();
const balanceBody = z.object({ accountId: z.string().min(1).optional(), asset: z.string().min(1), delta: decimal }).strict();
const keyBody = z
  .object({
    type: z.enum(['HMAC', 'RSA', 'ED25519']),
    apiKey: z.string().min(1).optional(),
    secret: z.string().min(1).optional(),
    publicKeyPem: z.string().min(1).optional(),
    accountId: z.string().min(1).optional(),
    permissions: z
      .object({
        reading: z.boolean().optional(),
        spotTrading: z.boolean().optional(),
        withdrawals: z.boolean().optional(),
        ipRestrict: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function tokenMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parse<T>(schema: z.ZodType<T>, body: Buffer): T {
  let json: unknown = {};
  if (body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ControlError(400, 'body is not JSON');
    }
  }
  const result = schema.safeParse(json);
  if (!result.success)
    throw new ControlError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

export function createControlHandler(deps: ControlDeps): ControlHandler {
  const { clock, faults, limiter } = deps;

  const faultsView = (): Record<string, unknown> => ({
    ...faults.state,
    hangPaths: [...faults.state.hangPaths],
    orderFaults: [...faults.state.orderFaults],
    unknownOrderQueries: Object.fromEntries(faults.state.unknownOrderQueries),
  });
  const stateView = (): Record<string, unknown> => ({ serverTime: clock.now(), clockOffsetMs: clock.offset(), faults: faultsView() });
  const clockView = (): Record<string, unknown> => ({ serverTime: clock.now(), offsetMs: clock.offset() });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new ControlError(404, `${what} is not available in this simulator`);
    return value;
  };
  const wrap = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ControlError) throw err;
      throw new ControlError(400, err instanceof Error ? err.message : String(err));
    }
  };

  const routes: Record<string, (body: Buffer) => unknown> = {
    'GET /state': () => stateView(),
    'GET /ledger': () => need(deps.ledger, 'ledger')(),
    'POST /faults': (body) => {
      const b = parse(faultsBody, body);
      Object.assign(faults.state, b);
      return stateView();
    },
    'POST /faults/reset': () => {
      faults.reset();
      limiter.reset();
      return stateView();
    },
    'POST /faults/order': (body) => {
      const b = parse(orderFaultBody, body);
      for (let i = 0; i < (b.count ?? 1); i++) faults.state.orderFaults.push({ kind: b.kind, execute: b.execute ?? false });
      return stateView();
    },
    'POST /faults/unknown-order': (body) => {
      const b = parse(unknownOrderBody, body);
      faults.state.unknownOrderQueries.set(b.key, b.count ?? 1);
      return stateView();
    },
    'POST /faults/ban': (body) => {
      const b = parse(banBody, body);
      faults.state.banUntil = 'ms' in b ? clock.now() + b.ms : b.until;
      return stateView();
    },
    'POST /close-all': (body) => {
      faults.closeAll(parse(closeAllBody, body).kind ?? 'all');
      return {};
    },
    'POST /server-shutdown': () => {
      faults.serverShutdown();
      return {};
    },
    'POST /event-stream-terminated': (body) => {
      const b = parse(accountBody, body);
      faults.eventStreamTerminated(b.accountId);
      return {};
    },
    'POST /rate-limits/reset': () => {
      limiter.reset();
      return {};
    },
    'GET /clock': () => clockView(),
    'POST /clock': (body) => {
      const b = parse(clockBody, body);
      if ('set' in b) clock.setFixed(b.set);
      else if ('offset' in b) clock.setOffset(b.offset);
      else clock.jump(b.jump);
      return clockView();
    },
    'POST /price': (body) => {
      const b = parse(priceBody, body);
      const market = need(deps.market, 'market');
      if (market.symbol(b.symbol) === undefined) throw new ControlError(400, `unknown symbol ${b.symbol}`);
      wrap(() => market.setPrice(b.symbol, b.price));
      return { symbol: b.symbol, price: market.lastPrice(b.symbol) };
    },
    'POST /status': (body) => {
      const b = parse(statusBody, body);
      const market = need(deps.market, 'market');
      if (market.symbol(b.symbol) === undefined) throw new ControlError(400, `unknown symbol ${b.symbol}`);
      wrap(() => market.setStatus(b.symbol, b.status));
      return { symbol: b.symbol, status: b.status };
    },
    'POST /balance': (body) => {
      const b = parse(balanceBody, body);
      const accounts = need(deps.accounts, 'accounts');
      const accountId = b.accountId ?? deps.demoAccountId;
      if (!accounts.has(accountId)) throw new ControlError(404, `unknown account ${accountId}`);
      wrap(() => accounts.adjustBalance(accountId, b.asset, b.delta));
      return { accountId, balances: accounts.balances(accountId) };
    },
    'POST /account/reset': (body) => {
      const b = parse(accountBody, body);
      const accountId = b.accountId ?? deps.demoAccountId;
      const accounts = need(deps.accounts, 'accounts');
      if (!accounts.has(accountId)) throw new ControlError(404, `unknown account ${accountId}`);
      wrap(() => (deps.resetAccount ?? ((id: string) => accounts.reset(id)))(accountId));
      return { accountId, balances: accounts.balances(accountId) };
    },
    'POST /keys': (body) => {
      const b = parse(keyBody, body);
      let out: { apiKey: string; secret?: string } = { apiKey: '' };
      wrap(() => {
        out = deps.registerKey(b);
      });
      return out;
    },
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> => {
    const send = (status: number, value: unknown): void => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
    };
    const auth = req.headers.authorization;
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '') || !tokenMatches(auth, deps.token)) {
      send(403, { error: 'forbidden' });
      return;
    }
    const sub = url.pathname.slice('/__control'.length) || '/';
    const route = routes[`${req.method ?? 'GET'} ${sub}`];
    if (route === undefined) {
      send(404, { error: `no control route ${req.method ?? 'GET'} ${sub}` });
      return;
    }
    try {
      send(200, route(body));
    } catch (err) {
      if (err instanceof ControlError) send(err.status, { error: err.message });
      else send(500, { error: err instanceof Error ? err.message : String(err) });
    }
  };
}
