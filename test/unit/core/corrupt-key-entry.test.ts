// A damaged keychain entry is most likely a fragment of a private key: commands that read it must
// answer a clean error, and no log line may carry any part of it (V8's JSON.parse error quotes the
// start of its input, so an unguarded parse reaching the log would leak it).
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { describeError } from '../../../src/main/core/redacting-logger';
import { createCommandRouter } from '../../../src/main/ipc/command-router';
import { memoryLogger, memorySecrets, memorySettings } from './fakes';

const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const sender = { transport: 'test' as const, frameUrl: null, webContentsId: null };

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** The base64 body of a real private key, e.g. "MC4CAQAwBQYDK2VwBCIEI…". */
const body = pem
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('-----'))
  .join('');

/** Every fragment of the secret a log line must not contain (a V8 message quotes ~10 chars). */
function fragments(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i += 4) out.push(secret.slice(i, i + 8));
  return out;
}

let core: Core | null = null;
afterEach(async () => {
  await core?.stop();
  core = null;
});

function setup(entries: Record<string, string>) {
  const secrets = memorySecrets();
  for (const [k, v] of Object.entries(entries)) secrets.entries.set(k, v);
  const sink = memoryLogger();
  core = createCore({ secrets, settings: memorySettings({ environment: 'demo' }), logger: sink, appVersion: '1.0.0' });
  const logger = core.inspect.logger;
  // the same wiring as src/main/index.ts and src/webhost/host.ts
  const router = createCommandRouter({
    handlers: core.handlers,
    isTrustedSender: () => true,
    onInternalError: (command, error) => logger.error(`command ${command} failed`, { error: describeError(error, logger) }),
  });
  return { router, sink };
}

const damaged: ReadonlyArray<[string, string]> = [
  ['a bare key body', body],
  ['a truncated JSON entry with a PEM', JSON.stringify({ privateKeyPem: pem, publicKeyPem: 'x', createdAt: 1 }).slice(0, 60)],
  ['JSON of the wrong shape', JSON.stringify({ privateKeyPem: 42, note: body })],
];

describe('a damaged keychain entry', () => {
  it.each(damaged)(
    'pending generated pair (%s): keys:test and keys:save answer a clean error, nothing of it is logged',
    async (_label, raw) => {
      const { router, sink } = setup({ 'ed25519-pending:testnet': raw });
      for (const name of ['keys:test', 'keys:save'] as const) {
        const r = await router.dispatch(name, { environment: 'testnet', material: { kind: 'ed25519-generated', apiKey: API_KEY } }, sender);
        expect(r).toMatchObject({ ok: false, error: { code: 'keychain-unavailable', message: expect.stringMatching(/damaged/) } });
        const message = r.ok ? '' : r.error.message;
        for (const f of fragments(body)) expect(message).not.toContain(f);
      }
      // the damage is noted (without the content)
      expect(sink.lines.some((l) => l.level === 'warn' && /generated key pair entry/.test(l.message))).toBe(true);
      const text = sink.text();
      for (const f of fragments(body)) expect(text).not.toContain(f);
      expect(text).not.toContain(raw.slice(0, 10));
    },
  );

  it('saved key entry: app:getState still answers (no key), nothing of it is logged', async () => {
    const { router, sink } = setup({ 'api-key:demo-mode': body, 'api-key:testnet': `{"v":1,"secret":"${body}` });
    const r = await router.dispatch('app:getState', undefined, sender);
    expect(r).toMatchObject({ ok: true, value: { keys: [] } });
    expect(sink.lines.filter((l) => /saved key entry could not be read/.test(l.message))).toHaveLength(2);
    const text = sink.text();
    for (const f of fragments(body)) expect(text).not.toContain(f);
  });

  it('an unexpected error quoting key material reaches the log only redacted', async () => {
    const secrets = memorySecrets();
    const sink = memoryLogger();
    const quoting = {
      ...secrets,
      get: async (): Promise<string | null> => {
        throw new Error(`backend failed on ${pem}`);
      },
    };
    core = createCore({ secrets: quoting, settings: memorySettings({ environment: 'demo' }), logger: sink, appVersion: '1.0.0' });
    const logger = core.inspect.logger;
    const router = createCommandRouter({
      handlers: core.handlers,
      isTrustedSender: () => true,
      onInternalError: (command, error) => logger.error(`command ${command} failed`, { error: describeError(error, logger) }),
    });
    const r = await router.dispatch(
      'keys:test',
      { environment: 'testnet', material: { kind: 'ed25519-generated', apiKey: API_KEY } },
      sender,
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    const failed = sink.lines.find((l) => l.message === 'command keys:test failed');
    expect(failed).toBeDefined();
    expect(String(failed?.fields?.['error'])).toContain('backend failed');
    const text = sink.text();
    for (const f of fragments(body)) expect(text).not.toContain(f);
  });
});
