/**
 * Seam: an order whose outcome is unknown when the person switches environment. The order was
 * sent to one exchange (a simulator standing in for Testnet) with that environment's key; after
 * the switch to Demo, Perch must keep asking THAT exchange with THAT key until it knows, record
 * the answer in the journal and say what happened - never drop the question silently.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { simulatorEnvironment } from '../../../src/main/exchange/environments';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { openDatabase, type Database } from '../../../src/main/storage/database';
import { keyFingerprint } from '../../../src/main/orders/key-fingerprint';
import type { Notice } from '../../../src/shared/domain';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

let testnet: Simulator;
const dirs: string[] = [];
const running: Core[] = [];
const databases: Database[] = [];

beforeAll(async () => {
  testnet = await startSimulator({ seed: 5, marketStepMs: 3_600_000 });
}, 60_000);

afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  for (const d of databases.splice(0)) d.close();
  testnet.faults.reset();
});

afterAll(async () => {
  await testnet.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SimOrderRow = z.object({ clientOrderId: z.string(), status: z.string() });

/** What the Testnet stand-in has (a plain signed request, outside Perch). */
async function testnetOrders(symbol: string): Promise<z.infer<typeof SimOrderRow>[]> {
  const query = `symbol=${symbol}&timestamp=${Date.now()}&recvWindow=60000`;
  const signature = createHmac('sha256', testnet.apiSecret).update(query).digest('hex');
  const res = await fetch(`${testnet.restUrl}/api/v3/allOrders?${query}&signature=${signature}`, {
    headers: { 'X-MBX-APIKEY': testnet.apiKey },
  });
  return z.array(SimOrderRow).parse(await res.json());
}

interface Started {
  core: Core;
  settings: ReturnType<typeof memorySettings>;
  notices: Notice[];
  database: Database;
  secrets: ReturnType<typeof memorySecrets>;
}

function newDatabase(): Database {
  const dir = mkdtempSync(join(tmpdir(), 'perch-switch-orders-'));
  dirs.push(dir);
  const database = openDatabase(join(dir, 'perch.sqlite'));
  databases.push(database);
  return database;
}

async function startOnTestnet(): Promise<Started> {
  const started = await startCore({ environment: 'testnet', database: newDatabase(), secrets: memorySecrets() });
  await started.core.handlers['keys:save'](
    { environment: 'testnet', material: { kind: 'hmac', apiKey: testnet.apiKey, secret: testnet.apiSecret } },
    testSender,
  );
  await waitFor(
    'testnet orders ready',
    () => started.core.inspect.orders()?.isReady() && started.core.inspect.session()?.environment === 'testnet',
  );
  return started;
}

async function startCore(o: {
  environment: 'testnet' | 'demo';
  database: Database;
  secrets: ReturnType<typeof memorySecrets>;
}): Promise<Started> {
  const { database, secrets } = o;
  const settings = memorySettings({ environment: o.environment, tradingEnabled: true, onboarded: true });
  const core = createCore(
    {
      secrets,
      settings,
      logger: memoryLogger(),
      database,
      flushIntervalMs: 100,
      environmentOverrides: { testnet: simulatorEnvironment(testnet, { label: 'Spot Testnet' }) },
      demo: { seed: 11, startSimulator: async (o) => startSimulator({ seed: o.seed, marketStepMs: 3_600_000 }) },
    },
    {
      sessionTuning: FAST_SESSION_TUNING,
      ordersTuning: {
        orderApi: { graceMs: 400, backoff: { baseMs: 40, capMs: 160, minMs: 20 }, placeTimeoutMs: 5_000, cancelCheckMs: 3_000 },
        service: { openCoalesceMs: 20, placeTimeoutMs: 5_000, ocoGraceMs: 400 },
      },
    },
  );
  running.push(core);
  const notices: Notice[] = [];
  core.onEvent((name, payload) => {
    if (name === 'app:notice') notices.push(payload as Notice);
  });
  await core.start();
  return { core, settings, notices, database, secrets };
}

/** Places a market buy on Testnet whose answer is lost and whose checks fail until `release()`. */
async function unknownOrder(core: Core): Promise<{ token: string; release: () => void }> {
  const pre = await core.handlers['orders:preflight'](
    { draft: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '30' }, confirm: true },
    testSender,
  );
  if (pre.confirmation === null) throw new Error(`not confirmable: ${JSON.stringify(pre.issues)}`);
  const token = pre.confirmation.token;
  // Executed, but answered -1007 (timeout waiting for the backend); no user data events; every
  // check answers 503 (proves nothing), so the outcome stays unknown for as long as we like.
  testnet.faults.state.silentSockets = true;
  testnet.faults.state.orderFaults.push({ kind: 'code-1007', execute: true });
  const failures = [
    {
      method: 'GET',
      path: '/api/v3/order',
      status: 503,
      body: '{"code":-1008,"msg":"Server is currently overloaded with other requests. Please try again in a few minutes."}',
      count: 1_000_000,
    },
    {
      method: 'GET',
      path: '/api/v3/allOrders',
      status: 503,
      body: '{"code":-1008,"msg":"Server is currently overloaded with other requests. Please try again in a few minutes."}',
      count: 1_000_000,
    },
  ];
  testnet.faults.state.restFailures = failures;
  const first = await core.handlers['orders:submit']({ token, order: pre.confirmation.order, confirmed: true }, testSender);
  expect(first.status).toBe('unknown');
  return {
    token,
    release: () => {
      for (const f of failures) f.count = 0;
      testnet.faults.state.silentSockets = false;
    },
  };
}

describe('an unknown outcome survives a switch of environment', () => {
  it('lists the order before the switch, keeps checking it on Testnet with the Testnet key after switching to Demo, and tells the person', async () => {
    const { core, settings, notices, database } = await startOnTestnet();
    const { token, release } = await unknownOrder(core);

    // What the settings warn about before the switch: symbol, side, quantity, time, environment.
    const listed = await core.handlers['orders:unresolved'](undefined, testSender);
    expect(listed).toEqual([
      expect.objectContaining({
        clientOrderId: token,
        environment: 'testnet',
        symbol: 'BTCUSDT',
        side: 'BUY',
        quantity: '30 (quote)',
        status: 'unknown',
      }),
    ]);

    await core.handlers['settings:update']({ environment: 'demo' }, testSender);
    await waitFor('the demo session', () => core.inspect.session()?.environment === 'demo');
    expect(settings.current().environment).toBe('demo');
    // still open, now checked in the background
    expect(await core.handlers['orders:unresolved'](undefined, testSender)).toEqual([
      expect.objectContaining({ clientOrderId: token, checkedInBackground: true }),
    ]);
    expect(database.orderIntents.get(token)?.state).toBe('unknown');

    // Testnet answers again: the order is found there, with the key that sent it.
    release();
    await waitFor('the background check to find the order', () => database.orderIntents.get(token)?.state === 'accepted');
    expect(notices.some((n) => n.code === 'order-filled' && n.message.startsWith('Spot Testnet: Order filled'))).toBe(true);
    expect(await core.handlers['orders:unresolved'](undefined, testSender)).toEqual([]);
    expect((await core.handlers['orders:outcome']({ clientOrderId: token }, testSender))?.status).toBe('filled');
    // one order on Testnet, never a second one
    expect((await testnetOrders('BTCUSDT')).filter((o) => o.clientOrderId === token)).toEqual([
      expect.objectContaining({ status: 'FILLED' }),
    ]);
  }, 90_000);

  it('removing the key that sent it does not stop the checks either: they go on with the key that sent the order', async () => {
    const { core, notices, database } = await startOnTestnet();
    const { token, release } = await unknownOrder(core);
    await core.handlers['keys:remove']({ environment: 'testnet' }, testSender);
    await waitFor('the session to end (no key)', () => core.inspect.session() === null);
    expect(await core.handlers['orders:unresolved'](undefined, testSender)).toEqual([
      expect.objectContaining({ clientOrderId: token, checkedInBackground: true }),
    ]);
    release();
    await waitFor('the background check to find the order', () => database.orderIntents.get(token)?.state === 'accepted');
    expect(notices.some((n) => n.code === 'order-filled' && n.message.startsWith('Spot Testnet: '))).toBe(true);
  }, 90_000);

  it('switching back while the check runs: the new session leaves the order to the background check, which still finds it once', async () => {
    const { core, database } = await startOnTestnet();
    const { token, release } = await unknownOrder(core);
    await core.handlers['settings:update']({ environment: 'demo' }, testSender);
    await waitFor('the demo session', () => core.inspect.session()?.environment === 'demo');
    await core.handlers['settings:update']({ environment: 'testnet' }, testSender);
    await waitFor(
      'testnet orders ready again',
      () => core.inspect.session()?.environment === 'testnet' && core.inspect.orders()?.isReady(),
    );
    expect(await core.handlers['orders:unresolved'](undefined, testSender)).toEqual([
      expect.objectContaining({ clientOrderId: token, checkedInBackground: true }),
    ]);
    release();
    await waitFor('the background check to find the order', () => database.orderIntents.get(token)?.state === 'accepted');
    expect((await core.handlers['orders:outcome']({ clientOrderId: token }, testSender))?.status).toBe('filled');
    expect((await testnetOrders('BTCUSDT')).filter((o) => o.clientOrderId === token)).toHaveLength(1);
  }, 90_000);

  it('after a restart in another environment, the saved key of the environment an order was sent to keeps checking it', async () => {
    const first = await startOnTestnet();
    const { token, release } = await unknownOrder(first.core);
    // Perch quits while the outcome is unknown; it starts again, on Demo this time.
    await first.core.stop();
    running.splice(running.indexOf(first.core), 1);
    expect(first.database.orderIntents.get(token)?.state).toBe('unknown');
    release();
    const second = await startCore({ environment: 'demo', database: first.database, secrets: first.secrets });
    expect(second.core.inspect.session()?.environment).toBe('demo');
    await waitFor('the background check to find the order', () => first.database.orderIntents.get(token)?.state === 'accepted');
    expect(second.notices.some((n) => n.code === 'order-filled' && n.message.startsWith('Spot Testnet: '))).toBe(true);
    expect(await second.core.handlers['orders:unresolved'](undefined, testSender)).toEqual([]);
  }, 90_000);
});

describe('the duplicate guard survives a switch of environment', () => {
  it('an order concluded "probably not placed" on Testnet still guards the same order after Testnet -> Demo -> Testnet', async () => {
    const { core, database } = await startOnTestnet();
    const draft = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '31' } as const;
    const pre = await core.handlers['orders:preflight']({ draft, confirm: true }, testSender);
    if (pre.confirmation === null) throw new Error(`not confirmable: ${JSON.stringify(pre.issues)}`);
    const token = pre.confirmation.token;
    // Not executed, answer lost, no events: the checks find nothing and conclude "probably not placed".
    testnet.faults.state.silentSockets = true;
    testnet.faults.state.orderFaults.push({ kind: 'code-1007', execute: false });
    const first = await core.handlers['orders:submit']({ token, order: pre.confirmation.order, confirmed: true }, testSender);
    expect(['unknown', 'not-placed']).toContain(first.status);
    await waitFor('the "probably not placed" conclusion', () => database.orderIntents.get(token)?.state === 'not-placed');
    testnet.faults.state.silentSockets = false;

    await core.handlers['settings:update']({ environment: 'demo' }, testSender);
    await waitFor('the demo session', () => core.inspect.session()?.environment === 'demo');
    await core.handlers['settings:update']({ environment: 'testnet' }, testSender);
    await waitFor(
      'testnet orders ready again',
      () => core.inspect.session()?.environment === 'testnet' && core.inspect.orders()?.isReady(),
    );
    // The follow-up belongs to the background check; the guard does not depend on who follows it up.
    expect(await core.handlers['orders:unresolved'](undefined, testSender)).toEqual([
      expect.objectContaining({ clientOrderId: token, checkedInBackground: true }),
    ]);

    const again = await core.handlers['orders:preflight']({ draft, confirm: true }, testSender);
    expect(again.warnings.map((w) => w.code)).toContain('possible-duplicate');
    if (again.confirmation === null) throw new Error('not confirmable');
    await expect(
      core.handlers['orders:submit']({ token: again.confirmation.token, order: again.confirmation.order, confirmed: true }, testSender),
    ).rejects.toMatchObject({ code: 'confirmation-required' });
    // Nothing was sent by the refused submit.
    expect((await testnetOrders('BTCUSDT')).filter((o) => o.clientOrderId === again.confirmation?.token)).toEqual([]);
  }, 90_000);
});

describe('an unknown outcome is checked only with the key that sent it', () => {
  /** The saved Testnet key replaced (outside Perch's session) by `to`, or removed (null). */
  function replaceSavedKey(secrets: ReturnType<typeof memorySecrets>, to: { apiKey: string; secret: string } | null): void {
    for (const [k, v] of [...secrets.entries]) {
      if (!v.includes(testnet.apiKey)) continue;
      if (to === null) secrets.entries.delete(k);
      else secrets.entries.set(k, v.replaceAll(testnet.apiKey, to.apiKey).replaceAll(testnet.apiSecret, to.secret));
    }
  }

  it('after a restart with the key replaced by another account\'s, the order stays unknown (never "not placed") and the person is told to look on Binance', async () => {
    const first = await startOnTestnet();
    const { token, release } = await unknownOrder(first.core);
    // The journal knows which key sent it, never the key itself.
    const payload = JSON.stringify(first.database.orderIntents.get(token)?.payload);
    expect(payload).toContain(`"keyFingerprint":"${keyFingerprint(testnet.apiKey)}"`);
    expect(payload).not.toContain(testnet.apiKey);
    await first.core.stop();
    running.splice(running.indexOf(first.core), 1);
    release();
    const other = testnet.registerKey({ type: 'HMAC', accountId: 'another-account' });
    replaceSavedKey(first.secrets, { apiKey: other.apiKey, secret: other.secret ?? '' });

    const second = await startCore({ environment: 'testnet', database: first.database, secrets: first.secrets });
    // Ready means every intent this session checks has been reconciled.
    await waitFor(
      'testnet orders ready',
      () => second.core.inspect.orders()?.isReady() && second.core.inspect.session()?.environment === 'testnet',
    );
    expect(first.database.orderIntents.get(token)?.state).toBe('unknown');
    expect(second.notices).toContainEqual(
      expect.objectContaining({
        code: 'orders-uncheckable',
        level: 'warning',
        message: '1 order sent with a key that is no longer saved (Spot Testnet) cannot be checked by Perch; look at it on Binance.',
      }),
    );
  }, 90_000);

  it('after a restart in another environment, an environment without a saved key raises the notice (not only a log line)', async () => {
    const first = await startOnTestnet();
    const { token } = await unknownOrder(first.core);
    await first.core.stop();
    running.splice(running.indexOf(first.core), 1);
    replaceSavedKey(first.secrets, null);
    const second = await startCore({ environment: 'demo', database: first.database, secrets: first.secrets });
    await waitFor('the notice', () => second.notices.some((n) => n.code === 'orders-uncheckable'));
    expect(second.notices.find((n) => n.code === 'orders-uncheckable')?.message).toBe(
      '1 order sent with a key that is no longer saved (Spot Testnet) cannot be checked by Perch; look at it on Binance.',
    );
    expect(first.database.orderIntents.get(token)?.state).toBe('unknown');
  }, 90_000);
});
