/**
 * Seam: the core's handlers behind the real command router, a fake exchange over fetch, and the
 * core's own redacting logger (core.inspect.logger). Two things are checked: Perch's own hint
 * text about PEM files reaches the person intact, and the set of secrets the redactor holds stays
 * as small as what Perch holds (a key tried once is released after its test).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { createRedactingLogger } from '../../../src/main/core/redacting-logger';
import type { Environment } from '../../../src/main/exchange/environments';
import { createCommandRouter, scrubMessage } from '../../../src/main/ipc/command-router';
import { fakeExchangeFetch, memoryLogger, memorySecrets, memorySettings, testSender } from './fakes';

const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const HINT = 'including the "-----BEGIN PRIVATE KEY-----" line';

const fakeEnv = (id: Environment['id'], hasSapi: boolean): Environment => ({
  id,
  label: `fake ${id}`,
  restUrl: 'http://exchange.invalid',
  streamUrl: 'ws://127.0.0.1:9',
  wsApiUrl: 'ws://127.0.0.1:9/ws-api/v3',
  hasSapi,
});

let current: Core | null = null;
afterEach(async () => {
  await current?.stop();
  current = null;
});

function setup() {
  const logger = memoryLogger();
  const core = createCore({
    secrets: memorySecrets(),
    settings: memorySettings({ environment: 'production' }),
    logger,
    fetchImpl: fakeExchangeFetch({ acceptApiKey: API_KEY }).fetch,
    appVersion: '1.2.3',
    environmentOverrides: {
      production: fakeEnv('production', true),
      testnet: fakeEnv('testnet', false),
      'demo-mode': fakeEnv('demo-mode', false),
    },
  });
  current = core;
  const router = createCommandRouter({ handlers: core.handlers, isTrustedSender: () => true, validateOutput: true });
  return { core, logger, router };
}

describe("Perch's own PEM hint is not redacted", () => {
  it('a malformed PEM is answered with the whole hint, through the router', async () => {
    const { router } = setup();
    const malformed = `-----BEGIN PRIVATE KEY-----\n${'not really a key!'.repeat(3)}\n-----END PRIVATE KEY-----`;
    const r = await router.dispatch(
      'keys:test',
      { environment: 'production', material: { kind: 'ed25519', apiKey: API_KEY, privateKeyPem: malformed } },
      testSender.sender,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain(HINT);
      expect(r.error.message).not.toContain('[redacted');
    }
  });

  it('the logger and the router keep the hint but still redact a real key body', () => {
    const log = createRedactingLogger(memoryLogger());
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const body = pem.split('\n')[1] ?? '';
    for (const redact of [log.redact, scrubMessage]) {
      expect(redact(`paste the whole file, ${HINT}.`)).toBe(`paste the whole file, ${HINT}.`);
      expect(redact(`got ${pem} back`)).not.toContain(body);
      expect(redact(`got ${pem} back`)).toContain('[redacted key]');
      // a header with its body on the same line, cut off before its END line
      expect(redact(`-----BEGIN PRIVATE KEY-----${body}`)).not.toContain(body);
      // a short block with its END line
      expect(redact('k=-----BEGIN PRIVATE KEY-----\nMC4CAQ\n-----END PRIVATE KEY----- end')).toBe('k=[redacted key] end');
    }
  });
});

describe('the redactor holds only what Perch holds', () => {
  it('keys:test with mistyped secrets adds nothing that outlives the test', async () => {
    const { core, router } = setup();
    const logger = core.inspect.logger;
    const before = logger.secretCount();
    const tried: string[] = [];
    for (let i = 0; i < 25; i++) {
      const secret = `mistyped-secret-${i}-of-25`;
      tried.push(secret);
      const r = await router.dispatch(
        'keys:test',
        { environment: 'production', material: { kind: 'hmac', apiKey: `WrongKey${String(i).padStart(8, '0')}`, secret } },
        testSender.sender,
      );
      expect(r).toMatchObject({ ok: false, error: { code: 'auth' } });
    }
    expect(logger.secretCount()).toBe(before);
    // released: no longer a registered secret (none of these looks like key material by pattern)
    for (const s of tried) expect(logger.redact(s)).toBe(s);
  });

  it('a key is redacted while its test runs, and a saved key stays redacted after', async () => {
    const { core, router } = setup();
    const logger = core.inspect.logger;
    const release = logger.holdSecrets(['held-secret-value']);
    expect(logger.redact('x held-secret-value y')).toBe('x [redacted] y');
    release();
    expect(logger.redact('x held-secret-value y')).toBe('x held-secret-value y');

    const saved = await router.dispatch(
      'keys:save',
      { environment: 'production', material: { kind: 'hmac', apiKey: API_KEY, secret: SECRET } },
      testSender.sender,
    );
    expect(saved.ok).toBe(true);
    expect(logger.redact(`s=${SECRET.slice(0, 30)}-${SECRET}`)).not.toContain(SECRET);
    // testing the saved key again and again does not grow the set either
    const count = logger.secretCount();
    for (let i = 0; i < 5; i++)
      await router.dispatch(
        'keys:test',
        { environment: 'production', material: { kind: 'hmac', apiKey: API_KEY, secret: SECRET } },
        testSender.sender,
      );
    expect(logger.secretCount()).toBe(count);
  });

  it('generating key pairs again and again keeps one pending key per environment', async () => {
    const { core, router } = setup();
    const logger = core.inspect.logger;
    await router.dispatch('keys:generateEd25519', { environment: 'production' }, testSender.sender);
    const count = logger.secretCount();
    for (let i = 0; i < 5; i++) await router.dispatch('keys:generateEd25519', { environment: 'production' }, testSender.sender);
    expect(logger.secretCount()).toBe(count);
  });
});
