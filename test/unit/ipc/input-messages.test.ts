// Seam: the command router's answer to input that fails the contract, as a person reads it.
import { describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, type CommandName } from '../../../src/shared/ipc/channels';
import { createCommandRouter, type CommandHandlers, type CommandSender } from '../../../src/main/ipc/command-router';
import { invalidInputs, sampleOutputs } from './fixtures';

const trusted: CommandSender = { transport: 'test', frameUrl: 'app://perch/index.html', webContentsId: 1 };

function router() {
  const h = {} as Record<CommandName, ReturnType<typeof vi.fn>>;
  for (const name of COMMAND_NAMES) h[name] = vi.fn(async () => sampleOutputs[name]);
  return createCommandRouter({ handlers: h as unknown as CommandHandlers, isTrustedSender: () => true });
}

async function message(name: CommandName, input: unknown): Promise<string> {
  const res = await router().dispatch(name, input, trusted);
  if (res.ok) throw new Error(`${name} accepted ${JSON.stringify(input)}`);
  expect(res.error.code).toBe('invalid-input');
  return res.error.message;
}

/** What must never reach a person: channel names, schema paths, validator wording. */
function expectPersonReadable(text: string): void {
  expect(text).not.toMatch(/\b[a-z]+:[a-zA-Z]+\b/); // keys:test, orders:preflight
  expect(text).not.toMatch(/\b(draft|material|order)\.[a-zA-Z]/); // schema paths
  expect(text).not.toMatch(/expected|Too big|Too small|Invalid input|Invalid option|Unrecognized|received|\bNaN\b|undefined|regex/i);
  expect(text.length).toBeGreaterThan(10);
  expect(text).toMatch(/\.$/);
}

const limit = (over: Record<string, unknown>) => ({
  draft: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '1', ...over },
});
const hmac = (over: Record<string, unknown>) => ({
  environment: 'testnet',
  material: { kind: 'hmac', apiKey: 'abcdefgh12345678', secret: 'S3cretS3cret', ...over },
});

describe('invalid input is answered in the words of the screen (issue 8, B10)', () => {
  it('names the field, says what is wrong and what to do', async () => {
    expect(await message('keys:test', hmac({ apiKey: 'abc' }))).toBe(
      'API key is too short (at least 8 characters). Copy it again from API Management on Binance.',
    );
    expect(await message('keys:test', hmac({ apiKey: '   ' }))).toBe('API key is required. Copy it again from API Management on Binance.');
    expect(await message('keys:test', hmac({ apiKey: 'x'.repeat(10_000) }))).toBe(
      'API key is too long (at most 256 characters). Copy it again from API Management on Binance.',
    );
    expect(await message('keys:test', hmac({ apiKey: 'abcd🔑efgh12345' }))).toBe(
      'API key may contain only letters and digits. Copy it again from API Management on Binance.',
    );
    expect(
      await message('keys:save', {
        environment: 'testnet',
        material: { kind: 'ed25519', apiKey: 'abcdefgh12345678', privateKeyPem: 'not a pem at all, only some words that are long enough' },
      }),
    ).toMatch(/^Private key must be a PEM private key\. Paste the whole file/);
    expect(await message('orders:preflight', limit({ quantity: '1'.repeat(10_000) }))).toBe(
      'Quantity is too long (at most 40 characters).',
    );
    expect(await message('orders:preflight', limit({ quantity: 0.001 }))).toBe('Quantity must be a number like 0.0012.');
    expect(await message('settings:update', { smallBalanceThreshold: 'lots' })).toMatch(
      /^Small-balance threshold must be a number like 10/,
    );
  });

  it('never echoes the rejected value', async () => {
    const text = await message('keys:test', hmac({ apiKey: 'SECRETVALUE🔑' }));
    expect(text).not.toContain('SECRETVALUE');
  });

  it('a request the app itself got wrong gets a plain sentence, not the validator', async () => {
    expect(await message('keys:test', { ...hmac({}), extra: 1 })).toMatch(/^Perch could not use this request/);
  });

  it('every malformed input of every command reads as a person-readable message', async () => {
    let checked = 0;
    for (const name of COMMAND_NAMES) {
      for (const input of invalidInputs[name]) {
        expectPersonReadable(await message(name, input));
        checked++;
      }
    }
    const hostile = [
      '',
      '   ',
      'garbage',
      'x'.repeat(10_000),
      '🚀🚀🚀',
      'ǅěšť ünïcödé 数量',
      '-----BEGIN PRIVATE KEY-----\nnope\n',
      '1e309',
      '99999999999999999999999999999999999999999999999999999999999999999999',
    ];
    for (const v of hostile) {
      for (const field of ['quantity', 'price', 'stopPrice', 'quoteOrderQty', 'symbol']) {
        const res = await router().dispatch('orders:preflight', limit({ [field]: v }), trusted);
        if (!res.ok) {
          expectPersonReadable(res.error.message);
          checked++;
        }
      }
      for (const field of ['apiKey', 'secret']) {
        const res = await router().dispatch('keys:test', hmac({ [field]: v }), trusted);
        if (!res.ok) {
          expectPersonReadable(res.error.message);
          checked++;
        }
      }
      const pem = await router().dispatch(
        'keys:save',
        { environment: 'testnet', material: { kind: 'ed25519', apiKey: 'abcdefgh12345678', privateKeyPem: v } },
        trusted,
      );
      if (!pem.ok) {
        expectPersonReadable(pem.error.message);
        checked++;
      }
      const s = await router().dispatch('settings:update', { smallBalanceThreshold: v }, trusted);
      if (!s.ok) {
        expectPersonReadable(s.error.message);
        checked++;
      }
    }
    // Most of those are refusals; make sure the sweep really read many messages.
    expect(checked).toBeGreaterThan(60);
  });
});

describe('a field the message map does not know yet', () => {
  it('still gets a sentence with the bound, not the validator text', async () => {
    const { describeInvalidInput } = await import('../../../src/main/ipc/input-messages');
    expect(
      describeInvalidInput(
        [
          {
            code: 'too_big',
            origin: 'string',
            maximum: 128,
            path: ['newField'],
            message: 'Too big: expected string to have <=128 characters',
          },
        ],
        { newField: 'x'.repeat(200) },
      ),
    ).toBe('One of the values entered is too long (at most 128 characters).');
  });
});
