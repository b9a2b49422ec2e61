import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import type { Environment } from '../../../src/main/exchange/environments';
import { createCommandRouter } from '../../../src/main/ipc/command-router';
import { AppState, events } from '../../../src/shared/ipc/contract';
import type { EventName } from '../../../src/shared/ipc/channels';
import { fakeExchangeFetch, memoryLogger, memorySecrets, memorySettings, testSender } from './fakes';

const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

const fakeEnv = (id: Environment['id'], hasSapi: boolean): Environment => ({
  id,
  label: `fake ${id}`,
  restUrl: 'http://exchange.invalid',
  streamUrl: 'ws://127.0.0.1:9',
  wsApiUrl: 'ws://127.0.0.1:9/ws-api/v3',
  hasSapi,
});

function setup(opts: { restrictions?: Record<string, unknown>; environment?: 'production' | 'testnet' | 'demo' } = {}) {
  const secrets = memorySecrets();
  const settings = memorySettings({ environment: opts.environment ?? 'production' });
  const logger = memoryLogger();
  const exchange = fakeExchangeFetch({ acceptApiKey: API_KEY, restrictions: opts.restrictions });
  const core = createCore({
    secrets,
    settings,
    logger,
    fetchImpl: exchange.fetch,
    appVersion: '1.2.3',
    environmentOverrides: {
      production: fakeEnv('production', true),
      testnet: fakeEnv('testnet', false),
      'demo-mode': fakeEnv('demo-mode', false),
    },
  });
  const seen: Array<{ name: EventName; payload: unknown }> = [];
  core.onEvent((name, payload) => {
    // every event must satisfy the contract
    expect(events[name].safeParse(payload).success).toBe(true);
    seen.push({ name, payload });
  });
  const results: unknown[] = [];
  const call = async <T>(p: Promise<T> | T): Promise<T> => {
    const r = await p;
    results.push(r);
    return r;
  };
  return { core, secrets, settings, logger, exchange, seen, results, call };
}

let current: Core | null = null;
afterEach(async () => {
  await current?.stop();
  current = null;
});

const hmac = { kind: 'hmac' as const, apiKey: API_KEY, secret: SECRET };

describe('core handlers (no network)', () => {
  it('app:getState answers a complete, contract-valid state without a key', async () => {
    const h = setup();
    current = h.core;
    const state = await h.core.handlers['app:getState'](undefined, testSender);
    expect(AppState.safeParse(state).success).toBe(true);
    expect(state).toMatchObject({ version: '1.2.3', demo: false, key: null, keys: [], portfolio: null });
    expect(state.settings.environment).toBe('production');
  });

  it('tells a person there is no key instead of connecting', async () => {
    const h = setup();
    current = h.core;
    await h.core.start();
    await h.core.inspect.idle();
    const state = await h.core.handlers['app:getState'](undefined, testSender);
    expect(state.status.connections[0]).toMatchObject({ state: 'offline', lastError: expect.stringMatching(/No API key/) });
    expect(h.seen.some((e) => e.name === 'status:connections')).toBe(true);
    await expect(h.core.handlers['keys:health']({ environment: 'production' }, testSender)).rejects.toMatchObject({ code: 'no-key' });
  });

  it('keys:test reports health from apiRestrictions with the IP and trading warnings', async () => {
    const h = setup({ restrictions: { enableSpotAndMarginTrading: true, tradingAuthorityExpirationTime: 1_800_000_000_000 } });
    current = h.core;
    const health = await h.call(h.core.handlers['keys:test']({ environment: 'production', material: hmac }, testSender));
    expect(health).toMatchObject({
      environment: 'production',
      type: 'HMAC',
      reading: true,
      spotTrading: true,
      withdrawals: false,
      ipRestricted: false,
      tradingAuthorityExpiresAt: 1_800_000_000_000,
    });
    expect(health.warnings.map((w) => w.code).sort()).toEqual(['not-ip-restricted', 'trading-unrestricted-ip']);
    expect(h.exchange.calls).toContain('/sapi/v1/account/apiRestrictions');
    expect(h.secrets.entries.size).toBe(0); // testing stores nothing
  });

  it('keys:test says permissions are unknown where the environment has no /sapi', async () => {
    const h = setup();
    current = h.core;
    const health = await h.core.handlers['keys:test']({ environment: 'testnet', material: hmac }, testSender);
    expect(health).toMatchObject({ reading: true, spotTrading: null, withdrawals: null, ipRestricted: null });
    expect(health.warnings.map((w) => w.code)).toEqual(['restrictions-unknown']);
    expect(h.exchange.calls).not.toContain('/sapi/v1/account/apiRestrictions');
  });

  it('keys:test rejects a wrong key with an auth error that quotes no secret', async () => {
    const h = setup();
    current = h.core;
    const wrong = { kind: 'hmac' as const, apiKey: 'WrongKey12345678', secret: SECRET };
    const e = await Promise.resolve(h.core.handlers['keys:test']({ environment: 'production', material: wrong }, testSender)).catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: 'auth' });
    expect(String((e as Error).message)).not.toContain(SECRET);
  });

  it('keys:save refuses a key that can withdraw unless the risk is explicitly accepted', async () => {
    const h = setup({ restrictions: { enableWithdrawals: true, ipRestrict: true } });
    current = h.core;
    await expect(h.core.handlers['keys:save']({ environment: 'production', material: hmac }, testSender)).rejects.toMatchObject({
      code: 'confirmation-required',
    });
    expect(h.secrets.entries.size).toBe(0);
    const info = await h.call(
      h.core.handlers['keys:save']({ environment: 'production', material: hmac, acceptWithdrawalRisk: true }, testSender),
    );
    expect(info).toMatchObject({ environment: 'production', type: 'HMAC', apiKeyMasked: 'vmPU…Eh8A', publicKeyPem: null });
    const health = await h.call(h.core.handlers['keys:health']({ environment: 'production' }, testSender));
    expect(health.warnings.find((w) => w.code === 'can-withdraw')).toMatchObject({ level: 'danger' });
  });

  it('keys:save keeps the secret only in the keychain and announces the change', async () => {
    const h = setup();
    current = h.core;
    const info = await h.call(h.core.handlers['keys:save']({ environment: 'production', material: hmac }, testSender));
    expect(info.apiKeyMasked).toBe('vmPU…Eh8A');
    expect([...h.secrets.entries.values()].join()).toContain(SECRET);
    expect(h.seen.find((e) => e.name === 'keys:changed')?.payload).toMatchObject({
      environment: 'production',
      key: { apiKeyMasked: 'vmPU…Eh8A' },
    });
    const state = await h.call(h.core.handlers['app:getState'](undefined, testSender));
    expect(state.key).toMatchObject({ environment: 'production', type: 'HMAC' });
    expect(state.keychain.state).toBe('available');
    // nothing the renderer or the log ever saw contains the secret or the full API key
    const visible = JSON.stringify([h.results, h.seen]) + h.logger.text();
    expect(visible).not.toContain(SECRET);
    expect(visible).not.toContain(API_KEY);
  });

  it('keys:remove deletes the key from the keychain', async () => {
    const h = setup();
    current = h.core;
    await h.core.handlers['keys:save']({ environment: 'production', material: hmac }, testSender);
    expect(await h.core.handlers['keys:remove']({ environment: 'production' }, testSender)).toEqual({ removed: true });
    expect(h.secrets.entries.size).toBe(0);
    expect(h.seen.filter((e) => e.name === 'keys:changed').at(-1)?.payload).toEqual({ environment: 'production', key: null });
    expect(await h.core.handlers['keys:remove']({ environment: 'production' }, testSender)).toEqual({ removed: false });
  });

  it('generates an Ed25519 pair: only the public key comes back, the private key goes to the keychain', async () => {
    const h = setup();
    current = h.core;
    const { publicKeyPem } = await h.call(h.core.handlers['keys:generateEd25519']({ environment: 'production' }, testSender));
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const stored = [...h.secrets.entries.values()].join();
    expect(stored).toContain('PRIVATE KEY');
    const privatePem = JSON.parse([...h.secrets.entries.values()][0]!).privateKeyPem as string;

    const info = await h.call(
      h.core.handlers['keys:save']({ environment: 'production', material: { kind: 'ed25519-generated', apiKey: API_KEY } }, testSender),
    );
    expect(info).toMatchObject({ type: 'ED25519', publicKeyPem });
    expect([...h.secrets.entries.keys()]).toEqual(['api-key:production']);

    const visible = JSON.stringify([h.results, h.seen]) + h.logger.text();
    const body = privatePem.split('\n')[1]!;
    expect(visible).not.toContain(body);
  });

  it('shows the public key of a generated pair again after the form was closed, derived from the keychain, never the private key', async () => {
    const h = setup();
    current = h.core;
    expect(await h.call(h.core.handlers['keys:publicKey']({ environment: 'production' }, testSender))).toBeNull();
    const { publicKeyPem } = await h.call(h.core.handlers['keys:generateEd25519']({ environment: 'production' }, testSender));
    // the form is gone (nothing kept in the renderer): main still knows the public half
    expect(await h.call(h.core.handlers['keys:publicKey']({ environment: 'production' }, testSender))).toEqual({
      publicKeyPem,
      saved: false,
    });
    expect(await h.call(h.core.handlers['keys:publicKey']({ environment: 'testnet' }, testSender))).toBeNull();
    await h.call(
      h.core.handlers['keys:save']({ environment: 'production', material: { kind: 'ed25519-generated', apiKey: API_KEY } }, testSender),
    );
    expect(await h.call(h.core.handlers['keys:publicKey']({ environment: 'production' }, testSender))).toEqual({
      publicKeyPem,
      saved: true,
    });
    const privatePem = JSON.parse([...h.secrets.entries.values()][0]!).privateKeyPem as string;
    expect(JSON.stringify([h.results, h.seen])).not.toContain(privatePem.split('\n')[1]!);
  });

  it('a generated key cannot be saved before one was generated', async () => {
    const h = setup();
    current = h.core;
    await expect(
      h.core.handlers['keys:save']({ environment: 'production', material: { kind: 'ed25519-generated', apiKey: API_KEY } }, testSender),
    ).rejects.toMatchObject({ code: 'not-available' });
  });

  it('a locked keychain gives a clear error, and the app state still paints', async () => {
    const h = setup();
    current = h.core;
    h.secrets.lock();
    await expect(h.core.handlers['keys:save']({ environment: 'production', material: hmac }, testSender)).rejects.toMatchObject({
      code: 'keychain-locked',
    });
    const state = await h.core.handlers['app:getState'](undefined, testSender);
    expect(state.keychain).toMatchObject({ state: 'locked', message: expect.stringMatching(/locked/) });
    expect(state.keys).toEqual([]);
  });

  it('settings:update persists, announces, and demo:reset refuses outside demo', async () => {
    const h = setup();
    current = h.core;
    const next = await h.core.handlers['settings:update']({ quoteCurrency: 'BTC', theme: 'dark' }, testSender);
    expect(next).toMatchObject({ quoteCurrency: 'BTC', theme: 'dark' });
    expect(h.settings.current().quoteCurrency).toBe('BTC');
    expect(h.seen.find((e) => e.name === 'settings:changed')?.payload).toMatchObject({ quoteCurrency: 'BTC' });
    // "< 1 USDT" does not become "< 1 BTC": without a price to convert at, a default for BTC, said out loud
    expect(next.smallBalanceThreshold).toBe('0.00001');
    expect(h.seen.find((e) => e.name === 'app:notice')?.payload).toMatchObject({
      level: 'info',
      message: expect.stringContaining('0.00001 BTC'),
    });
    // a threshold sent with the quote is taken as it is
    expect(await h.core.handlers['settings:update']({ quoteCurrency: 'ETH', smallBalanceThreshold: '0.5' }, testSender)).toMatchObject({
      smallBalanceThreshold: '0.5',
    });
    await expect(h.core.handlers['demo:reset'](undefined, testSender)).rejects.toMatchObject({ code: 'not-available' });
  });

  it('app:dismissNotice removes a notice handed over at start', async () => {
    const h = setup();
    current = h.core;
    const core = createCore({
      secrets: h.secrets,
      settings: h.settings,
      initialNotices: [{ id: 'settings-corrupt', level: 'warning', message: 'Settings were reset.', at: 1 }],
    });
    expect((await core.handlers['app:getState'](undefined, testSender)).notices).toHaveLength(1);
    await core.handlers['app:dismissNotice']({ id: 'settings-corrupt' }, testSender);
    expect((await core.handlers['app:getState'](undefined, testSender)).notices).toHaveLength(0);
    await core.stop();
  });

  it('app:openExternal refuses without a shell and when the shell refuses', async () => {
    const h = setup();
    current = h.core;
    await expect(h.core.handlers['app:openExternal']({ url: 'https://www.binance.com' }, testSender)).rejects.toMatchObject({
      code: 'not-available',
    });
    const opened: string[] = [];
    const core = createCore({
      secrets: h.secrets,
      settings: h.settings,
      shell: {
        openExternal: (u) => (u.startsWith('https://www.binance.com') ? (opened.push(u), true) : false),
        setStartAtLogin: () => undefined,
      },
    });
    expect(await core.handlers['app:openExternal']({ url: 'https://www.binance.com/x' }, testSender)).toBeNull();
    await expect(core.handlers['app:openExternal']({ url: 'https://evil.example' }, testSender)).rejects.toMatchObject({
      code: 'not-allowed',
    });
    expect(opened).toEqual(['https://www.binance.com/x']);
    await core.stop();
  });
});

describe('core handlers behind the command router', () => {
  const router = (core: Core, trusted = true) =>
    createCommandRouter({ handlers: core.handlers, isTrustedSender: () => trusted, validateOutput: true });
  const sender = testSender.sender;

  it('valid input reaches the handler and the output satisfies the contract', async () => {
    const h = setup();
    current = h.core;
    const r = await router(h.core).dispatch('keys:test', { environment: 'testnet', material: hmac }, sender);
    expect(r).toMatchObject({ ok: true, value: { environment: 'testnet', reading: true } });
  });

  it('invalid input never reaches the handler and echoes no secret', async () => {
    const h = setup();
    current = h.core;
    const r = await router(h.core).dispatch('keys:save', { environment: 'production', material: { ...hmac, extra: SECRET } }, sender);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(h.exchange.calls).toEqual([]);
  });

  it('an untrusted sender is refused before anything runs', async () => {
    const h = setup();
    current = h.core;
    const r = await router(h.core, false).dispatch('keys:generateEd25519', { environment: 'production' }, sender);
    expect(r).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
    expect(h.secrets.entries.size).toBe(0);
  });

  it('an exchange error becomes a stable code, not internal', async () => {
    const h = setup();
    current = h.core;
    const r = await router(h.core).dispatch(
      'keys:test',
      { environment: 'production', material: { kind: 'hmac', apiKey: 'WrongKey12345678', secret: SECRET } },
      sender,
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'auth' } });
  });
});
