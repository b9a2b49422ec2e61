/**
 * Perch's core in a process of its own, for the crash-consistency runner (scripts/chaos/run.ts).
 * Built like the web host builds it (src/webhost/host.ts): file settings, the SQLite journal in a
 * real data folder, the simulator in another process. Commands arrive over the child-process IPC
 * channel and go through the same command router and handlers the renderer's calls go through.
 *
 * Kill points: PERCH_CHAOS_KILL="<point>:<n>" makes this process SIGKILL itself the n-th time it
 * reaches <point> (see KILL_POINTS). The hooks sit in the ports the core is given (the journal
 * repository and fetch), so the product code runs unchanged; a SIGKILL gives nothing a chance to
 * flush or clean up, exactly like a crash or a power cut.
 *
 * The alert engine and the P&L history sync run as in the app (both start with the exchange
 * session). What the person would see is written down as it happens, one line per event and
 * synchronously (it survives the SIGKILL that follows): every banner shown (shown.jsonl, with
 * the alert log entry it belongs to) and every in-app notice (notices.jsonl). The runner checks
 * that no event was shown twice across all the lives of the core.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore } from '../../src/main/core/create-core';
import type { DemoSimulator } from '../../src/main/core/ports';
import { createCommandRouter } from '../../src/main/ipc/command-router';
import { DEMO_ACCOUNT_ID } from '../../src/main/sim/simulator';
import { openDatabase, type OrderIntentRepository } from '../../src/main/storage/database';
import { createMemorySecretStore } from '../../src/main/storage/secret-store';
import { createFileSettingsBackend, createSettingsStore } from '../../src/main/storage/settings';
import { parseKillPlan, type KillPoint } from './kill-points';

interface SimInfo {
  readonly restUrl: string;
  readonly streamUrl: string;
  readonly wsApiUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

const dataDir = process.env.PERCH_CHAOS_DATA ?? '';
const sim = JSON.parse(process.env.PERCH_CHAOS_SIM ?? '{}') as SimInfo;
const plan = parseKillPlan(process.env.PERCH_CHAOS_KILL ?? '');
/** Self-checks of the runner: deliberately broken cores (see ChaosOptions.sabotage). */
const sabotage = new Set((process.env.PERCH_CHAOS_SABOTAGE ?? '').split(','));
const hits = new Map<KillPoint, number>();

function die(name: KillPoint, n: number): void {
  process.send?.({ t: 'dying', point: name, n });
  process.kill(process.pid, 'SIGKILL');
}

/** Counts an arrival at this point; true when the plan says to die on this one. */
function arrive(name: KillPoint): { readonly n: number; readonly kill: boolean } {
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  return { n, kill: plan !== null && plan.point === name && plan.count === n };
}

/** Die here if the plan says so (the n-th arrival at this point in this process). */
function point(name: KillPoint): void {
  const a = arrive(name);
  if (a.kill) die(name, a.n);
}

function pathOf(input: Parameters<typeof fetch>[0]): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return new URL(url).pathname;
}

const realFetch = globalThis.fetch;
/** Signed REST goes through here (CorePorts.fetchImpl). */
const chaosFetch: typeof fetch = async (input, init) => {
  const path = pathOf(input);
  const method = (init?.method ?? 'GET').toUpperCase();
  const places = method === 'POST' && (path === '/api/v3/order' || path === '/api/v3/orderList/oco');
  const cancels = method === 'DELETE' && (path === '/api/v3/order' || path === '/api/v3/orderList' || path === '/api/v3/openOrders');
  const queries = method === 'GET' && (path === '/api/v3/order' || path === '/api/v3/orderList' || path === '/api/v3/allOrders');
  if (queries) point('reconcile-query');
  const p = realFetch(input, init);
  if (places || cancels) {
    // In flight: the request is on its way (or already written); die before any answer is read.
    const delay = Number(process.env.PERCH_CHAOS_FLIGHT_MS ?? '20');
    const name: KillPoint = places ? 'post-in-flight' : 'cancel-in-flight';
    const a = arrive(name);
    if (a.kill) setTimeout(() => die(name, a.n), delay);
  }
  const res = await p;
  if (places) point('after-answer');
  return res;
};

const database = openDatabase(join(dataDir, 'perch.sqlite'));
const real = database.orderIntents;
const journal: OrderIntentRepository = {
  ...real,
  insert(intent) {
    point('before-journal');
    // Self-check of the runner only: a core that sends without journaling must be caught.
    if (!sabotage.has('skip-journal')) real.insert(intent);
    point('after-journal');
  },
  updateState(id, update) {
    if (update.state !== 'pending' && update.state !== 'sent') point('before-journal-update');
    return real.updateState(id, update);
  },
  get: (id) => (sabotage.has('skip-journal') ? null : real.get(id)),
  listUnfinished: (env) => real.listUnfinished(env),
  listNotPlacedSince: (env, since) => real.listNotPlacedSince(env, since),
};

const settings = createSettingsStore(createFileSettingsBackend(join(dataDir, 'settings.json')));
if (!settings.get().tradingEnabled || settings.get().environment !== 'demo') {
  await settings.update({ environment: 'demo', tradingEnabled: true });
}
const facade: DemoSimulator = {
  restUrl: sim.restUrl,
  streamUrl: sim.streamUrl,
  wsApiUrl: sim.wsApiUrl,
  apiKey: sim.apiKey,
  apiSecret: sim.apiSecret,
  demoAccountId: DEMO_ACCOUNT_ID,
  accounts: { reset: () => undefined },
  stop: async () => undefined,
};
const logLines: string[] = [];
/** The alert log entry being delivered: the banner that follows belongs to it (see alerts-service deliver). */
let delivering: { id: number; ruleId: string; at: number; kind: string } | null = null;
const note = (file: string, record: Record<string, unknown>): void => appendFileSync(join(dataDir, file), `${JSON.stringify(record)}\n`);
const core = createCore(
  {
    secrets: createMemorySecretStore(),
    settings,
    database: { ...database, orderIntents: journal },
    fetchImpl: chaosFetch,
    notifications: {
      show: (n) => note('shown.jsonl', { entry: delivering, title: n.title, body: n.body, pid: process.pid }),
    },
    logger: {
      log: (level, message) => {
        if (level !== 'debug') logLines.push(`${level} ${message}`);
      },
    },
    appVersion: '0.1.0-chaos',
    demo: { seed: 1, startSimulator: async () => facade },
    flushIntervalMs: 50,
  },
  {
    sessionTuning: {
      market: {
        staleAfterMs: 3_000,
        pingIntervalMs: 1_000,
        pongTimeoutMs: 2_000,
        dataSilenceLimitMs: 6_000,
        backoff: { baseMs: 100, capMs: 400 },
      },
      wsApi: {
        staleAfterMs: 3_000,
        pingIntervalMs: 1_000,
        pongTimeoutMs: 2_000,
        requestTimeoutMs: 5_000,
        backoff: { baseMs: 100, capMs: 400 },
      },
      bootBackoff: { baseMs: 100, capMs: 400 },
    },
    // Seconds instead of minutes: the grace window after which "not found" may conclude "not placed".
    ordersTuning: {
      orderApi: {
        graceMs: 1_500,
        backoff: { baseMs: 50, capMs: 200, minMs: 20 },
        placeTimeoutMs: 2_000,
        cancelCheckMs: 3_000,
        cancelBackoff: { baseMs: 50, capMs: 200, minMs: 20 },
      },
      service: {
        openCoalesceMs: 20,
        placeTimeoutMs: 2_000,
        ocoGraceMs: 1_500,
        ocoBackoff: { baseMs: 50, capMs: 200, minMs: 20 },
        historyRefreshMs: 100,
      },
    },
  },
);
core.onEvent((name, payload) => {
  if (name === 'alerts:fired') {
    const e = payload as { id: number; ruleId: string; at: number; kind: string };
    delivering = { id: e.id, ruleId: e.ruleId, at: e.at, kind: e.kind };
    // Self-check of the runner only: a core that forgets a firing (its rule re-armed on disk) must be caught.
    if (sabotage.has('alerts-forget') && e.kind === 'price')
      database.db.prepare('UPDATE alert_rules SET armed = 1, done = 0, last_fired_at = NULL WHERE id = ?').run(e.ruleId);
  } else if (name === 'pnl:syncProgress' && (payload as { phase: string }).phase === 'done' && sabotage.has('pnl-drop')) {
    // Self-check of the runner only: a P&L ledger that loses a trade it read (its cursor is past it) must be caught.
    database.db.exec('DELETE FROM pnl_trades WHERE rowid = (SELECT MAX(rowid) FROM pnl_trades)');
  } else if (name === 'app:notice') {
    const n = payload as { id: string; code?: string; at: number };
    note('notices.jsonl', { id: n.id, code: n.code ?? null, at: n.at, pid: process.pid });
  }
});
const router = createCommandRouter({ handlers: core.handlers, isTrustedSender: () => true, validateOutput: true });
const sender = { transport: 'test' as const, frameUrl: null, webContentsId: null };

process.on('message', (raw: unknown) => {
  const msg = raw as { t?: string; id?: number; name?: string; input?: unknown };
  if (msg.t === 'call' && typeof msg.id === 'number' && typeof msg.name === 'string') {
    const id = msg.id;
    void router.dispatch(msg.name, msg.input, sender).then((result) => process.send?.({ t: 'result', id, result }));
  } else if (msg.t === 'ready?' && typeof msg.id === 'number') {
    process.send?.({ t: 'result', id: msg.id, result: { ok: true, value: core.inspect.orders()?.isReady() === true } });
  } else if (msg.t === 'log?' && typeof msg.id === 'number') {
    process.send?.({ t: 'result', id: msg.id, result: { ok: true, value: logLines.slice(-40) } });
  } else if (msg.t === 'stop') {
    void core.stop().finally(() => {
      database.close();
      process.exit(0);
    });
  }
});
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));

await core.start();
process.send?.({ t: 'started' });
