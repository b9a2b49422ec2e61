/**
 * The crash-consistency runner: the simulator in one process, Perch's core in another
 * (core-process.ts) on a real data folder, and this driver placing, canceling and replacing
 * orders of every type through the renderer's commands while SIGKILLing the core at chosen
 * points (kill-points.ts) or at random times, then starting it again on the same folder.
 *
 * After every restart and at the end it checks Perch against the simulator's own ledger
 * (GET /__control/ledger): every journaled intent settled (none pending/sent/unknown); every
 * order on the exchange belongs to exactly one journaled intent and every intent the journal
 * calls placed is on the exchange (none lost, none duplicated, by client order id); the open
 * orders and balances the core reports equal the exchange's; each trade appears once in the
 * core's history and once in the P&L ledger (none missing, none extra); no alert or notification
 * fires twice for the same event (a one-shot price alert logs once and its rule says so, a
 * repeating one never within its cooldown, a fill or outcome once per order and status, no banner
 * or in-app notice of an order event shown twice across the core's lives). Everything random
 * comes from one seed, printed with the kill points, so a failure replays with --seed.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import Decimal from 'decimal.js';
import { KILL_POINTS } from './kill-points';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

export type Sabotage = 'skip-journal' | 'alerts-forget' | 'pnl-drop';

export interface ChaosOptions {
  readonly seed: number;
  /** How many times the core is killed. */
  readonly kills: number;
  readonly log?: (line: string) => void;
  /**
   * Self-check of the checks: run a deliberately broken core ('skip-journal' sends without
   * journaling; 'alerts-forget' re-arms a fired alert on disk, as if its firing was not kept;
   * 'pnl-drop' loses the newest trade of the P&L ledger after each history sync).
   */
  readonly sabotage?: Sabotage | readonly Sabotage[];
  /** End the run at the first check that finds a violation (the self-check needs no more). */
  readonly stopOnViolation?: boolean;
}

export interface KillRecord {
  readonly round: number;
  /** A named kill point with its count, or 'random-time' (the driver's SIGKILL after ms). */
  readonly planned: string;
  /** What actually happened: the point reached, 'random-time', or 'not-reached' (the driver killed it). */
  readonly fired: string;
}

export interface ChaosReport {
  readonly seed: number;
  readonly kills: readonly KillRecord[];
  readonly violations: readonly string[];
  readonly intents: number;
  readonly exchangeOrders: number;
  readonly trades: number;
  /** Trades in the core's P&L ledger at the end. */
  readonly pnlTrades: number;
  /** Alert log entries at the end, by kind, and banners shown over all the core's lives. */
  readonly alerts: { readonly price: number; readonly order: number; readonly outcome: number; readonly shown: number };
  readonly checks: number;
  readonly ms: number;
}

interface SimInfo {
  readonly restUrl: string;
  readonly streamUrl: string;
  readonly wsApiUrl: string;
  readonly controlUrl: string;
  readonly controlToken: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

interface LedgerOrder {
  symbol: string;
  orderId: string;
  clientOrderId: string;
  orderListId: string;
  listClientOrderId: string | null;
  status: string;
  type: string;
}
interface Ledger {
  orders: LedgerOrder[];
  trades: Array<{ symbol: string; id: string; orderId: string }>;
  balances: Array<{ asset: string; free: string; locked: string }>;
}

type CallResult = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/** mulberry32: small, seedable, good enough to pick actions and timings. */
export function createRng(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => {
      const x = xs[Math.floor(next() * xs.length)];
      if (x === undefined) throw new Error('pick from nothing');
      return x;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startSim(seed: number): Promise<{ info: SimInfo; proc: ChildProcess }> {
  const proc = spawn(
    TSX,
    ['src/main/sim/cli.ts', '--json', '--seed', String(seed), '--market-step-ms', '3600000', '--request-weight-limit', '10000000'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const info = await new Promise<SimInfo>((ok, fail) => {
    let buf = '';
    proc.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) ok(JSON.parse(buf.slice(0, nl)) as SimInfo);
    });
    proc.once('exit', (code) => fail(new Error(`simulator exited (${code}) before it started`)));
  });
  return { info, proc };
}

/** The core process and the IPC channel the driver talks to it over. */
class CoreProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: CallResult) => void>();
  readonly exited: Promise<{ signal: NodeJS.Signals | null; dying: string | null }>;
  dying: string | null = null;
  started = false;

  constructor(readonly proc: ChildProcess) {
    // Writing to a core that is being killed fails with EPIPE, reported as an 'error' event: expected here.
    proc.on('error', () => undefined);
    proc.on('message', (raw) => {
      const m = raw as { t: string; id?: number; result?: CallResult; point?: string; n?: number };
      if (m.t === 'result' && m.id !== undefined) {
        this.waiting.get(m.id)?.(m.result as CallResult);
        this.waiting.delete(m.id);
      } else if (m.t === 'dying') this.dying = `${m.point}:${m.n}`;
      else if (m.t === 'started') this.started = true;
    });
    this.exited = new Promise((ok) =>
      proc.once('exit', (_code, signal) => {
        for (const w of this.waiting.values()) w({ ok: false, error: { code: 'died', message: 'the core process died' } });
        this.waiting.clear();
        ok({ signal, dying: this.dying });
      }),
    );
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private send(msg: Record<string, unknown>): Promise<CallResult> {
    if (!this.alive) return Promise.resolve({ ok: false, error: { code: 'died', message: 'the core process is dead' } });
    const id = this.nextId++;
    return new Promise((ok) => {
      this.waiting.set(id, ok);
      const closed = (): void => {
        this.waiting.delete(id);
        ok({ ok: false, error: { code: 'died', message: 'channel closed' } });
      };
      try {
        this.proc.send({ ...msg, id }, (err) => {
          if (err !== null) closed();
        });
      } catch {
        closed();
      }
    });
  }

  call(name: string, input?: unknown): Promise<CallResult> {
    return this.send({ t: 'call', name, input });
  }

  async ready(): Promise<boolean> {
    const r = await this.send({ t: 'ready?' });
    return r.ok && r.value === true;
  }

  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.proc.send({ t: 'stop' }, () => undefined);
    await Promise.race([this.exited, sleep(5_000).then(() => this.kill())]);
  }
}

function startCore(dataDir: string, sim: SimInfo, kill: string, flightMs: number, sabotage: string): CoreProcess {
  const proc = fork(join(ROOT, 'scripts/chaos/core-process.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env,
      PERCH_CHAOS_DATA: dataDir,
      PERCH_CHAOS_SIM: JSON.stringify(sim),
      PERCH_CHAOS_KILL: kill,
      PERCH_CHAOS_FLIGHT_MS: String(flightMs),
      PERCH_CHAOS_SABOTAGE: sabotage,
    },
  });
  return new CoreProcess(proc);
}

async function control(sim: SimInfo, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.controlUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${sim.controlToken}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const ledger = async (sim: SimInfo): Promise<Ledger> => (await control(sim, 'GET', '/ledger')) as Ledger;

interface IntentRow {
  client_order_id: string;
  state: string;
  type: string;
  symbol: string;
}

function readJournal(dataDir: string): IntentRow[] {
  const db = new DatabaseSync(join(dataDir, 'perch.sqlite'), { readOnly: true });
  try {
    return db.prepare('SELECT client_order_id, state, type, symbol FROM order_intents').all() as unknown as IntentRow[];
  } catch {
    return []; // no journal yet (the first start died before its migrations)
  } finally {
    db.close();
  }
}

interface AlertLogRow {
  id: number;
  ts: number;
  rule_id: string;
  payload: string;
}
interface AlertRuleRow {
  id: string;
  rule: string;
  armed: number;
  done: number;
  last_fired_at: number | null;
}

/** The alert log, the rules with their runtime, and duplicate P&L trades, read from the data folder. */
function readAlertsAndPnl(dataDir: string): { log: AlertLogRow[]; rules: AlertRuleRow[]; pnlDuplicates: string[] } {
  const db = new DatabaseSync(join(dataDir, 'perch.sqlite'), { readOnly: true });
  const all = <T>(sql: string): T[] => {
    try {
      return db.prepare(sql).all() as unknown as T[];
    } catch {
      return []; // the feature's tables are made on its first use
    }
  };
  try {
    // One read transaction: the log and the rules' runtime as one snapshot (a firing writes both at once).
    db.exec('BEGIN');
    return {
      log: all<AlertLogRow>('SELECT id, ts, rule_id, payload FROM alert_log ORDER BY ts, id'),
      rules: all<AlertRuleRow>('SELECT id, rule, armed, done, last_fired_at FROM alert_rules'),
      pnlDuplicates: all<{ symbol: string; trade_id: string; n: number }>(
        'SELECT symbol, trade_id, COUNT(*) AS n FROM pnl_trades GROUP BY environment, symbol, trade_id HAVING n > 1',
      ).map((r) => `trade ${r.trade_id} (${r.symbol}) is ${r.n} times in the P&L ledger's table`),
    };
  } finally {
    if (db.isTransaction) db.exec('COMMIT');
    db.close();
  }
}

function readLines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return []; // a line cut by the SIGKILL
      }
    });
}

/** Order event notices: one per order and outcome, ever. */
const ORDER_NOTICE_CODES = new Set(['order-filled', 'order-rejected', 'order-not-placed', 'order-placed-after-all']);

/**
 * No alert or notification fired twice for the same event: what the data folder and the records
 * of what was shown say, at any moment (a firing's log entry and its rule's runtime are written
 * in one transaction, so the two always agree).
 */
function alertProblems(dataDir: string): { problems: string[]; counts: ChaosReport['alerts'] } {
  const { log, rules } = readAlertsAndPnl(dataDir);
  const problems: string[] = [];
  const kindOf = (row: AlertLogRow): string => {
    try {
      return String((JSON.parse(row.payload) as { kind?: unknown }).kind ?? 'price');
    } catch {
      return 'price';
    }
  };
  const byRule = new Map<string, AlertLogRow[]>();
  for (const row of log) byRule.set(row.rule_id, [...(byRule.get(row.rule_id) ?? []), row]);
  for (const r of rules) {
    let rule: { repeat?: boolean; cooldownMs?: number; symbol?: string; kind?: string; level?: string };
    try {
      rule = JSON.parse(r.rule) as typeof rule;
    } catch {
      continue;
    }
    const name = `${rule.kind ?? '?'} ${rule.symbol ?? '?'} ${rule.level ?? '?'} (${r.id})`;
    const entries = byRule.get(r.id) ?? [];
    if (rule.repeat !== true) {
      if (entries.length > 1)
        problems.push(`one-shot alert ${name} fired ${entries.length} times (log entries ${entries.map((e) => e.id).join(', ')})`);
      if (entries.length > 0 && (r.done !== 1 || r.armed !== 0))
        problems.push(
          `one-shot alert ${name} is logged as fired but its rule is ${r.done === 1 ? 'done' : 'not done'} and ${r.armed === 1 ? 'armed' : 'disarmed'}`,
        );
      if (entries.length === 0 && r.done === 1) problems.push(`one-shot alert ${name} is marked fired, but nothing was logged`);
      const first = entries[0];
      if (first !== undefined && kindOf(first) === 'price' && r.last_fired_at !== first.ts)
        problems.push(`one-shot alert ${name} logged at ${first.ts}, its rule says it last fired at ${r.last_fired_at}`);
    } else {
      const live = entries.filter((e) => kindOf(e) === 'price');
      for (let i = 1; i < live.length; i++) {
        const gap = live[i]!.ts - live[i - 1]!.ts;
        if (gap < (rule.cooldownMs ?? 0))
          problems.push(
            `repeating alert ${name} fired again ${gap} ms after it last fired (cooldown ${rule.cooldownMs} ms; entries ${live[i - 1]!.id}, ${live[i]!.id})`,
          );
      }
    }
  }
  // Fills, expiries, cancels and reconciled outcomes: one entry per order event.
  for (const [id, entries] of byRule) {
    const perEvent = id.startsWith('order:') || (id.startsWith('outcome:') && id.includes('-'));
    if (perEvent && entries.length > 1)
      problems.push(`the order event ${id} was logged ${entries.length} times (entries ${entries.map((e) => e.id).join(', ')})`);
  }
  const logged = new Set(log.map((e) => e.id));
  const shown = readLines(join(dataDir, 'shown.jsonl'));
  const bannerCount = new Map<number, number>();
  for (const b of shown) {
    const entry = b['entry'] as { id: number; ruleId: string } | null;
    if (entry === null) {
      problems.push(`a banner (${String(b['title'])}) was shown with no alert log entry`);
      continue;
    }
    bannerCount.set(entry.id, (bannerCount.get(entry.id) ?? 0) + 1);
    if (!logged.has(entry.id)) problems.push(`a banner (${String(b['title'])}) belongs to log entry ${entry.id}, which is not in the log`);
  }
  for (const [id, n] of bannerCount) if (n > 1) problems.push(`the banner of log entry ${id} was shown ${n} times`);
  const noticeCount = new Map<string, number>();
  for (const n of readLines(join(dataDir, 'notices.jsonl'))) {
    if (!ORDER_NOTICE_CODES.has(String(n['code']))) continue;
    const id = String(n['id']);
    noticeCount.set(id, (noticeCount.get(id) ?? 0) + 1);
  }
  for (const [id, n] of noticeCount) if (n > 1) problems.push(`the notice ${id} was raised ${n} times`);
  return {
    problems,
    counts: {
      price: log.filter((e) => kindOf(e) === 'price' || kindOf(e) === 'catch-up').length,
      order: log.filter((e) => e.rule_id.startsWith('order:')).length,
      outcome: log.filter((e) => e.rule_id.startsWith('outcome:')).length,
      shown: shown.length,
    },
  };
}

const UNFINISHED = new Set(['pending', 'sent', 'unknown']);
const OPEN = new Set(['NEW', 'PARTIALLY_FILLED']);
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;

/** Polls until the probe returns null (no problem) or the time is up; returns the last problem. */
async function settle(what: () => Promise<string | null>, ms: number): Promise<string | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const p = await what();
    if (p === null || Date.now() > deadline) return p;
    await sleep(200);
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rng = createRng(opts.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'perch-chaos-'));
  const { info: sim, proc: simProc } = await startSim(opts.seed);
  const kills: KillRecord[] = [];
  const violations: string[] = [];
  let checks = 0;
  const placedTokens = new Set<string>();
  let core: CoreProcess | null = null;
  const violate = (round: number, text: string): void => {
    violations.push(`round ${round}: ${text}`);
    log(`  VIOLATION (seed ${opts.seed}, round ${round}) ${text}`);
  };

  const bootCore = async (kill: string, flightMs: number): Promise<CoreProcess> => {
    const c = startCore(dataDir, sim, kill, flightMs, [opts.sabotage ?? []].flat().join(','));
    const deadline = Date.now() + 60_000;
    while (c.alive && !(c.started && (await c.ready()))) {
      if (Date.now() > deadline) throw new Error('the core did not become ready within 60 s');
      await sleep(100);
    }
    return c;
  };

  const price = async (symbol: string): Promise<Decimal> => {
    const res = await fetch(`${sim.restUrl}/api/v3/ticker/price?symbol=${symbol}`);
    return new Decimal(((await res.json()) as { price: string }).price);
  };

  /** Prices at the symbol's tick: 2 decimals is a multiple of both BTCUSDT's and ETHUSDT's tick. */
  const at = (p: Decimal, factor: number): string => p.mul(factor).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2);

  const draftFor = async (kind: string): Promise<Record<string, unknown>> => {
    const symbol = rng.pick(SYMBOLS);
    const p = await price(symbol);
    const qty = symbol === 'BTCUSDT' ? '0.001' : '0.01';
    switch (kind) {
      case 'limit-rest':
        return { symbol, side: 'BUY', type: 'LIMIT', quantity: qty, price: at(p, 0.97), timeInForce: 'GTC' };
      case 'limit-cross':
        return { symbol, side: rng.pick(['BUY', 'SELL']), type: 'LIMIT', quantity: qty, price: at(p, 1), timeInForce: 'GTC' };
      case 'market-qty':
        return { symbol, side: rng.pick(['BUY', 'SELL']), type: 'MARKET', quantity: qty };
      case 'market-quote':
        return { symbol, side: 'BUY', type: 'MARKET', quoteOrderQty: '25' };
      case 'stop-limit':
        return {
          symbol,
          side: 'SELL',
          type: 'STOP_LOSS_LIMIT',
          quantity: qty,
          stopPrice: at(p, 0.96),
          price: at(p, 0.95),
          timeInForce: 'GTC',
        };
      default:
        return {
          symbol,
          side: 'SELL',
          type: 'OCO',
          quantity: qty,
          price: at(p, 1.04),
          stopPrice: at(p, 0.96),
          stopLimitPrice: at(p, 0.95),
          stopLimitTimeInForce: 'GTC',
        };
    }
  };

  /** One place: pre-flight with confirm -> submit with the token, as the order form does. */
  const place = async (c: CoreProcess, kind: string): Promise<string | null> => {
    const draft = await draftFor(kind);
    const pre = await c.call('orders:preflight', { draft, confirm: true });
    if (!pre.ok) {
      if (pre.error.code !== 'died') log(`  (${kind} pre-flight refused: ${pre.error.message})`);
      return null;
    }
    const v = pre.value as {
      confirmation: { token: string; order: unknown } | null;
      issues: Array<{ message: string }>;
      warnings: Array<{ code: string }>;
    };
    if (v.confirmation === null) {
      log(`  (${kind} not confirmable: ${v.issues.map((i) => i.message).join('; ')})`);
      return null;
    }
    placedTokens.add(v.confirmation.token);
    // As the form does: the possible-duplicate warning is acknowledged only when it was shown.
    const ack = v.warnings.some((w) => w.code === 'possible-duplicate') ? { acknowledgePossibleDuplicate: true } : {};
    const sub = await c.call('orders:submit', { token: v.confirmation.token, order: v.confirmation.order, confirmed: true, ...ack });
    if (process.env.PERCH_CHAOS_VERBOSE === '1')
      log(`  ${kind} ${JSON.stringify(draft)} -> ${sub.ok ? (sub.value as { status: string }).status : sub.error.message}`);
    // The same confirmation twice (a double click): must never send a second order.
    if (sub.ok && rng.next() < 0.2)
      await c.call('orders:submit', { token: v.confirmation.token, order: v.confirmation.order, confirmed: true, ...ack });
    return v.confirmation.token;
  };

  const cancelOne = async (c: CoreProcess): Promise<void> => {
    const open = await c.call('orders:listOpen');
    if (!open.ok) return;
    const orders = (open.value as { orders: Array<{ symbol: string; orderId: string }> }).orders;
    if (orders.length === 0) return;
    const o = rng.pick(orders);
    await c.call('orders:cancel', { symbol: o.symbol, orderId: o.orderId, confirmed: true });
  };

  /** The checks against the exchange's ledger. Returns the number of problems found. */
  const check = async (c: CoreProcess, round: number, label: string): Promise<void> => {
    checks++;
    // Reconciliation of what the crash left is allowed its grace window (1.5 s here) and the two looks.
    const pending = await settle(async () => {
      const open = readJournal(dataDir).filter((r) => UNFINISHED.has(r.state));
      return open.length === 0
        ? null
        : `${open.length} intent(s) still unfinished after restart: ${open.map((r) => `${r.client_order_id}=${r.state}`).join(', ')}`;
    }, 30_000);
    if (pending !== null) violate(round, `${label}: ${pending}`);

    const consistency = async (): Promise<string[]> => {
      const problems: string[] = [];
      const l = await ledger(sim);
      const journal = new Map(readJournal(dataDir).map((r) => [r.client_order_id, r]));
      // Exchange orders by the intent they belong to (an OCO's legs share the list's id).
      const byIntent = new Map<string, Set<string>>();
      for (const o of l.orders) {
        const intent = o.listClientOrderId ?? o.clientOrderId;
        const group = o.listClientOrderId !== null ? `list:${o.orderListId}` : `order:${o.orderId}`;
        const s = byIntent.get(intent) ?? new Set<string>();
        s.add(group);
        byIntent.set(intent, s);
      }
      for (const [intent, groups] of byIntent) {
        if (groups.size > 1) problems.push(`duplicate: intent ${intent} is on the exchange ${groups.size} times`);
        const j = journal.get(intent);
        if (j === undefined) problems.push(`orphan: exchange order ${intent} has no journal entry`);
        else if (j.state !== 'accepted') problems.push(`lost: intent ${intent} is on the exchange but the journal says ${j.state}`);
      }
      for (const [id, j] of journal) {
        if (j.state === 'accepted' && !byIntent.has(id))
          problems.push(`phantom: journal says ${id} was placed, the exchange has no such order`);
      }
      for (const id of placedTokens) {
        if (byIntent.has(id) && !journal.has(id)) problems.push(`unjournaled: ${id} was sent without a journal entry`);
      }
      // Every settled intent answers a settled outcome.
      for (const [id, j] of journal) {
        if (UNFINISHED.has(j.state)) continue;
        const r = await c.call('orders:outcome', { clientOrderId: id });
        if (!r.ok) {
          problems.push(`outcome of ${id}: ${r.error.message}`);
          continue;
        }
        const v = r.value as { status: string } | null;
        if (v !== null && (v.status === 'sending' || v.status === 'unknown'))
          problems.push(`outcome of ${id} is ${v.status} while the journal says ${j.state}`);
      }
      // Open orders on screen == the exchange's.
      const open = await c.call('orders:listOpen');
      if (!open.ok) problems.push(`listOpen: ${open.error.message}`);
      else {
        const mine = new Set((open.value as { orders: Array<{ orderId: string }> }).orders.map((o) => o.orderId));
        const theirs = new Set(l.orders.filter((o) => OPEN.has(o.status)).map((o) => o.orderId));
        for (const id of theirs) if (!mine.has(id)) problems.push(`open order ${id} on the exchange is not shown`);
        for (const id of mine) if (!theirs.has(id)) problems.push(`order ${id} shown open is not open on the exchange`);
      }
      // Balances on screen == the exchange's.
      const snap = await c.call('portfolio:getSnapshot');
      if (!snap.ok || snap.value === null) problems.push('no portfolio snapshot');
      else {
        const holdings = new Map(
          (snap.value as { holdings: Array<{ asset: string; free: string; locked: string }> }).holdings.map((h) => [h.asset, h]),
        );
        for (const b of l.balances) {
          const h = holdings.get(b.asset);
          const free = new Decimal(h?.free ?? '0');
          const locked = new Decimal(h?.locked ?? '0');
          if (!free.eq(b.free) || !locked.eq(b.locked))
            problems.push(`balance ${b.asset}: shown ${free.toFixed()}/${locked.toFixed()} (free/locked), exchange ${b.free}/${b.locked}`);
        }
      }
      return problems;
    };
    const last = await settle(async () => {
      const p = await consistency();
      return p.length === 0 ? null : `${p.slice(0, 5).join('; ')}${p.length > 5 ? ` (and ${p.length - 5} more)` : ''}`;
    }, 10_000);
    if (last !== null) violate(round, `${label}: ${last}`);

    // Each trade once in the history, none missing.
    const l = await ledger(sim);
    const symbols = [...new Set(l.trades.map((t) => t.symbol))];
    if (symbols.length > 0) {
      const sync = await c.call('orders:syncHistory', { symbols });
      if (!sync.ok) violate(round, `${label}: history sync failed: ${sync.error.message}`);
      for (const symbol of symbols) {
        const h = await c.call('orders:history', { symbol, limit: 500 });
        if (!h.ok) {
          violate(round, `${label}: history ${symbol}: ${h.error.message}`);
          continue;
        }
        const fills = (h.value as { fills: Array<{ tradeId: string }> }).fills.map((f) => f.tradeId);
        const seen = new Set<string>();
        for (const f of fills) {
          if (seen.has(f)) violate(round, `${label}: trade ${f} appears twice in the history of ${symbol}`);
          seen.add(f);
        }
        for (const t of l.trades.filter((x) => x.symbol === symbol)) {
          if (!seen.has(t.id)) violate(round, `${label}: trade ${t.id} (${symbol}) is missing from the history`);
        }
      }
    }

    // Each trade once in the P&L ledger, none missing, none extra: read as the P&L page reads it
    // (pnl:sync starts the whole-history sync unless one is running; it also runs on its own).
    const pnl = await settle(async () => {
      const sync = await c.call('pnl:sync');
      if (!sync.ok) return `P&L sync: ${sync.error.message}`;
      const r = await c.call('pnl:trades', { limit: 2000 });
      if (!r.ok) return `P&L trades: ${r.error.message}`;
      const v = r.value as { rows: Array<{ symbol: string; tradeId: string }>; total: number };
      const theirs = new Set((await ledger(sim)).trades.map((t) => `${t.symbol}:${t.id}`));
      const problems = [...readAlertsAndPnl(dataDir).pnlDuplicates];
      if (v.total > v.rows.length) problems.push(`the P&L ledger has ${v.total} trades, more than the ${v.rows.length} read`);
      const count = new Map<string, number>();
      for (const row of v.rows) count.set(`${row.symbol}:${row.tradeId}`, (count.get(`${row.symbol}:${row.tradeId}`) ?? 0) + 1);
      for (const [k, n] of count) {
        if (n > 1) problems.push(`trade ${k} appears ${n} times in the P&L ledger`);
        if (!theirs.has(k)) problems.push(`trade ${k} in the P&L ledger is not on the exchange`);
      }
      const missing = [...theirs].filter((k) => !count.has(k));
      if (missing.length > 0) problems.push(`${missing.length} trade(s) missing from the P&L ledger: ${missing.slice(0, 5).join(', ')}`);
      return problems.length === 0
        ? null
        : `${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`;
    }, 15_000);
    if (pnl !== null) violate(round, `${label}: ${pnl}`);

    // No alert or notification twice for the same event.
    for (const p of alertProblems(dataDir).problems) violate(round, `${label}: ${p}`);
  };

  /** A one-shot price alert just beyond the current price, through the command the Alerts page uses. */
  const createAlert = async (
    c: CoreProcess,
    symbol: string,
    kind: 'price-above' | 'price-below',
    factor: number,
    more = {},
  ): Promise<void> => {
    const p = await price(symbol);
    const r = await c.call('alerts:create', { kind, symbol, level: at(p, factor), ...more });
    if (!r.ok && r.error.code !== 'died') log(`  (alert ${kind} ${symbol} refused: ${r.error.message})`);
  };

  /**
   * The alerts of the run: one-shot alerts on both symbols, a repeating one with a cooldown, and one
   * that is made to fire at once (the price moved past it), and a market order (a fill, its
   * notification and a trade for the P&L ledger), so every run has events the crashes must not
   * repeat or lose.
   */
  const setup = async (c: CoreProcess): Promise<void> => {
    await c.call('alerts:updateSettings', { notifications: true, sound: false });
    await createAlert(c, 'BTCUSDT', 'price-above', 1.01);
    await createAlert(c, 'ETHUSDT', 'price-below', 0.98);
    await createAlert(c, 'ETHUSDT', 'price-above', 1.01, { repeat: true, cooldownMs: 20_000, rearmPercent: '0.5' });
    const p = await price('BTCUSDT');
    await control(sim, 'POST', '/price', { symbol: 'BTCUSDT', price: at(p, 1.02) });
    await settle(async () => (alertProblems(dataDir).counts.price > 0 ? null : 'not yet'), 10_000);
    await place(c, 'market-qty');
  };

  const ACTIONS = [
    'limit-rest',
    'limit-cross',
    'market-qty',
    'market-quote',
    'stop-limit',
    'oco',
    'cancel',
    'cancel',
    'cancel-all',
    'replace',
    'move-price',
    'alert',
  ] as const;
  let round = 0;
  try {
    core = await bootCore('', 20);
    await setup(core);
    await check(core, round, 'first start');
    while (kills.length < opts.kills && !(opts.stopOnViolation === true && violations.length > 0)) {
      round++;
      // The plan for this life of the core: a named point (at its 1st-3rd arrival) or a random time.
      const usePoint = rng.next() < 0.8;
      const planned = usePoint ? `${rng.pick(KILL_POINTS)}:${rng.int(1, 3)}` : `random-time`;
      const flightMs = rng.int(1, 120);
      // Faults that widen the windows: latency on every request, an order answer lost or failed.
      await control(sim, 'POST', '/faults/reset');
      const latencyMs = rng.pick([0, 0, 50, 200]);
      await control(sim, 'POST', '/faults', { latencyMs });
      if (rng.next() < 0.25)
        await control(sim, 'POST', '/faults/order', {
          kind: rng.pick(['http500', 'timeout-hang', 'code-1006']),
          execute: rng.next() < 0.5,
        });
      await core.stop();
      core = await bootCore(usePoint ? planned : '', flightMs);
      if (!core.alive) {
        // Died while starting (a reconcile-query kill point during recovery).
        const how = await core.exited;
        kills.push({ round, planned, fired: how.dying ?? 'unexpected-exit' });
        log(`round ${round}: killed at ${how.dying ?? '?'} during start-up`);
        await control(sim, 'POST', '/faults/reset');
        core = await bootCore('', 20);
        await check(core, round, `after start-up kill ${planned}`);
        continue;
      }
      // A random-time kill is aimed at this life of the core only (never at the next one).
      const victim = core;
      const timer = usePoint ? null : setTimeout(() => victim.kill(), rng.int(50, 2_500));
      let ops = 0;
      while (core.alive && ops < 10) {
        ops++;
        const action = rng.pick(ACTIONS);
        if (action === 'cancel') await cancelOne(core);
        else if (action === 'cancel-all') await core.call('orders:cancelAll', { symbol: rng.pick(SYMBOLS), confirmed: true });
        else if (action === 'replace') {
          await cancelOne(core);
          if (core.alive) await place(core, rng.pick(['limit-rest', 'stop-limit', 'oco']));
        } else if (action === 'move-price') {
          // Move a market so resting orders fill and stops trigger (as makers, through the engine).
          const symbol = rng.pick(SYMBOLS);
          const p = await price(symbol);
          await control(sim, 'POST', '/price', { symbol, price: at(p, rng.pick([0.96, 0.99, 1.01, 1.04])) });
        } else if (action === 'alert') {
          // A new one-shot alert close to the price: the next move may fire it, a crash may follow.
          const above = rng.next() < 0.5;
          await createAlert(core, rng.pick(SYMBOLS), above ? 'price-above' : 'price-below', above ? 1.005 : 0.995);
        } else await place(core, action);
      }
      // The planned point was not reached in this life: the driver kills now (a kill at a random time).
      if (core.alive) core.kill();
      const how = await core.exited;
      if (timer !== null) clearTimeout(timer);
      const fired = how.dying ?? (usePoint ? 'not-reached' : 'random-time');
      kills.push({ round, planned, fired });
      log(`round ${round}: planned ${planned}, killed at ${fired} (latency ${latencyMs} ms)`);
      await control(sim, 'POST', '/faults/reset');
      core = await bootCore('', 20);
      if (!core.alive) throw new Error('the core died on a clean restart');
      await check(core, round, `after kill ${fired}`);
      if (opts.stopOnViolation === true && violations.length > 0) break;
    }
    round++;
    if (!(opts.stopOnViolation === true && violations.length > 0)) await check(core, round, 'final');
    const l = await ledger(sim);
    const intents = readJournal(dataDir).length;
    const pnlRows = await core.call('pnl:trades', { limit: 1 });
    const pnlTrades = pnlRows.ok ? (pnlRows.value as { total: number }).total : 0;
    await core.stop();
    return {
      seed: opts.seed,
      kills,
      violations,
      intents,
      exchangeOrders: l.orders.length,
      trades: l.trades.length,
      pnlTrades,
      alerts: alertProblems(dataDir).counts,
      checks,
      ms: Date.now() - t0,
    };
  } finally {
    core?.kill();
    simProc.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}
