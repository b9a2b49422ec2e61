import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { ExchangeError } from '../../../src/main/exchange/errors';

const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('credentials never reveal key material (B20)', () => {
  const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const edBody = ed.split('\n')[1] ?? '';
  const cases = [
    { name: 'HMAC', creds: createCredentials({ type: 'HMAC', apiKey: API_KEY, secret: SECRET }), secret: SECRET },
    { name: 'ED25519', creds: createCredentials({ type: 'ED25519', apiKey: API_KEY, privateKeyPem: ed }), secret: edBody },
  ];
  it.each(cases)('$name: String, JSON, inspect, spread and keys show no secret and no full api key', ({ creds, secret }) => {
    expect(secret.length).toBeGreaterThan(20);
    const renderings = [
      String(creds),
      `${creds}`,
      JSON.stringify(creds),
      JSON.stringify({ nested: creds }),
      inspect(creds),
      inspect({ deep: { creds } }, { depth: 5 }),
      JSON.stringify({ ...creds }),
      Object.keys(creds).join(','),
    ];
    for (const text of renderings) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(0, 16));
    }
    for (const text of renderings.slice(0, 6)) expect(text).not.toContain(API_KEY);
    expect(String(creds)).toContain('vmPU…Eh8A');
    expect(creds.apiKey).toBe(API_KEY);
  });

  it('bad material gives actionable errors that do not quote the input', () => {
    const junk = '-----BEGIN PRIVATE KEY-----\nTOTALLYSECRETMATERIALxyz123==\n-----END PRIVATE KEY-----';
    const e1 = catchError(() => createCredentials({ type: 'ED25519', apiKey: API_KEY, privateKeyPem: junk }));
    expect(e1).toBeInstanceOf(ExchangeError);
    expect((e1 as ExchangeError).kind).toBe('auth');
    expect((e1 as ExchangeError).message).toMatch(/PKCS#8/);
    expect(JSON.stringify(e1) + String(e1) + inspect(e1)).not.toContain('TOTALLYSECRET');

    const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const e2 = catchError(() => createCredentials({ type: 'ED25519', apiKey: API_KEY, privateKeyPem: rsaPem })) as ExchangeError;
    expect(e2.message).toMatch(/rsa key.*Ed25519/);
    const e3 = catchError(() => createCredentials({ type: 'HMAC', apiKey: 'not a key!', secret: SECRET })) as ExchangeError;
    expect(e3.code).toBe('exchange.auth.bad-api-key');
    expect(e3.message).not.toContain(SECRET);
    const e4 = catchError(() => createCredentials({ type: 'HMAC', apiKey: API_KEY, secret: '  ' })) as ExchangeError;
    expect(e4.kind).toBe('auth');
  });

  it('rejects RSA keys shorter than 2048 bits and encrypted PEMs', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createCredentials({ type: 'RSA', apiKey: API_KEY, privateKeyPem: small })).toThrow(/1024 bits/);
    const enc = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString();
    expect(() => createCredentials({ type: 'ED25519', apiKey: API_KEY, privateKeyPem: enc })).toThrow(/passphrase/);
  });
});
