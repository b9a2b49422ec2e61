import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyHealth } from '../../../src/shared/domain';
import { assessKeyHealth, type ApiRestrictions } from '../../../src/main/core/keys';
import { createRedactingLogger } from '../../../src/main/core/redacting-logger';
import { memoryLogger } from './fakes';

const base: ApiRestrictions = {
  ipRestrict: true,
  createTime: 1_700_000_000_000,
  enableReading: true,
  enableWithdrawals: false,
  enableSpotAndMarginTrading: false,
};

describe('assessKeyHealth', () => {
  it('a read-only, IP-restricted key has no warnings', () => {
    const h = assessKeyHealth({ environment: 'production', type: 'HMAC', reading: true, restrictions: base, now: 5 });
    expect(KeyHealth.safeParse(h).success).toBe(true);
    expect(h).toMatchObject({
      reading: true,
      spotTrading: false,
      withdrawals: false,
      ipRestricted: true,
      createdAt: 1_700_000_000_000,
      checkedAt: 5,
    });
    expect(h.warnings).toEqual([]);
  });

  it('warns loudly about withdrawals', () => {
    const h = assessKeyHealth({
      environment: 'production',
      type: 'ED25519',
      reading: true,
      restrictions: { ...base, enableWithdrawals: true },
      now: 5,
    });
    expect(h.warnings).toEqual([
      expect.objectContaining({ code: 'can-withdraw', level: 'danger', message: expect.stringMatching(/WITHDRAW/) }),
    ]);
  });

  it('notes a missing IP restriction, and the 30-day trading rule only for trading keys', () => {
    const readOnly = assessKeyHealth({
      environment: 'production',
      type: 'HMAC',
      reading: true,
      restrictions: { ...base, ipRestrict: false },
      now: 5,
    });
    expect(readOnly.warnings.map((w) => w.code)).toEqual(['not-ip-restricted']);
    const trading = assessKeyHealth({
      environment: 'production',
      type: 'HMAC',
      reading: true,
      restrictions: { ...base, ipRestrict: false, enableSpotAndMarginTrading: true },
      now: 5,
    });
    expect(trading.warnings.map((w) => w.code)).toEqual(['not-ip-restricted', 'trading-unrestricted-ip']);
    expect(trading.warnings[1]!.message).toMatch(/30 days/);
    const dated = assessKeyHealth({
      environment: 'production',
      type: 'HMAC',
      reading: true,
      restrictions: { ...base, ipRestrict: false, enableSpotAndMarginTrading: true, tradingAuthorityExpirationTime: Date.UTC(2027, 0, 15) },
      now: 5,
    });
    expect(dated.warnings[1]!.message).toMatch(/2027-01-15/);
    expect(dated.tradingAuthorityExpiresAt).toBe(Date.UTC(2027, 0, 15));
  });

  it('says when a key cannot read', () => {
    const h = assessKeyHealth({
      environment: 'production',
      type: 'HMAC',
      reading: true,
      restrictions: { ...base, enableReading: false },
      now: 5,
    });
    expect(h.reading).toBe(false);
    expect(h.warnings[0]).toMatchObject({ code: 'no-reading', level: 'danger' });
  });
});

describe('redacting logger', () => {
  it('removes registered secrets and PEM bodies from messages and fields', () => {
    const sink = memoryLogger();
    const log = createRedactingLogger(sink);
    const secret = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    log.addSecret(secret);
    log.addSecret(pem);
    log.info(`failed with ${secret}`, { detail: `key ${pem}`, body: pem.split('\n')[1], n: 3 });
    const text = sink.text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain(pem.split('\n')[1]!);
    expect(text).toContain('[redacted');
    expect(sink.lines[0]!.fields?.['n']).toBe(3);
  });

  it('catches signatures, signed URLs and long hex even when nobody registered them', () => {
    const sink = memoryLogger();
    const log = createRedactingLogger(sink);
    const sig = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
    log.warn(`GET http://127.0.0.1:1/api/v3/account?timestamp=1&signature=${sig} failed`);
    log.warn(`signature=${sig}`);
    log.warn(`apiKey: "abcdefgh12345678"`);
    expect(sink.text()).not.toContain(sig);
    expect(sink.text()).not.toContain('abcdefgh12345678');
  });

  it('a failing sink does not throw into the caller', () => {
    const log = createRedactingLogger({
      log: () => {
        throw new Error('disk full');
      },
    });
    expect(() => log.error('x')).not.toThrow();
  });
});
