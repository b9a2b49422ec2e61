import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_PATTERN,
  isPerchClientOrderId,
  isValidClientOrderId,
  newClientOrderId,
} from '../../../src/main/exchange/client-order-id';

// The FIX-safe set (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/fix-api.md) is stricter than the REST one; our ids stay inside both.
const FIX_SAFE = /^[a-zA-Z0-9\-_]{1,36}$/;

describe('newClientOrderId', () => {
  it('has the documented shape, no broker prefix, and fits both id charsets', () => {
    const id = newClientOrderId();
    expect(id).toMatch(/^perch-[0-9a-z]+-[0-9A-Za-z]{10}$/);
    expect(id).toMatch(CLIENT_ORDER_ID_PATTERN);
    expect(id).toMatch(FIX_SAFE);
    expect(id.startsWith('x-')).toBe(false);
    expect(isPerchClientOrderId(id)).toBe(true);
  });

  it('is deterministic for a given time and random source, and encodes the time', () => {
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);
    const id = newClientOrderId({ now: () => 1_767_225_600_000, randomBytes: bytes });
    expect(id).toBe(`perch-${(1_767_225_600_000).toString(36)}-0123456789`);
  });

  it('drops biased bytes instead of folding them onto the alphabet', () => {
    let call = 0;
    const bytes = (n: number): Uint8Array => (call++ === 0 ? new Uint8Array(n).fill(255) : new Uint8Array(n).fill(61));
    expect(newClientOrderId({ now: () => 0, randomBytes: bytes })).toBe('perch-0-zzzzzzzzzz');
  });

  it('stays valid for any time and any random bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), (now, raw) => {
        // Feed the arbitrary bytes first, then plain ones so rejection sampling always finishes.
        let first = true;
        const id = newClientOrderId({
          now: () => now,
          randomBytes: (n) => (first ? ((first = false), raw.slice(0, n)) : new Uint8Array(n).fill(7)),
        });
        return CLIENT_ORDER_ID_PATTERN.test(id) && FIX_SAFE.test(id) && id.length <= 36;
      }),
      { numRuns: 300 },
    );
  });

  it('does not repeat over many ids generated in the same millisecond', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(newClientOrderId({ now: () => 1 }));
    expect(seen.size).toBe(20_000);
  });
});

describe('isValidClientOrderId', () => {
  it.each([
    ['a', true],
    ['x'.repeat(36), true],
    ['x'.repeat(37), false],
    ['my.order_1-2', true],
    ['', false],
    ['has space', false],
    ['ünï', false],
    ['a/b', false],
  ])('%j -> %s', (id, ok) => {
    expect(isValidClientOrderId(id)).toBe(ok);
  });

  it('rejects non-strings', () => {
    expect(isValidClientOrderId(42)).toBe(false);
    expect(isValidClientOrderId(undefined)).toBe(false);
  });

  it('only claims our own ids', () => {
    expect(isPerchClientOrderId('web_abc123')).toBe(false);
    expect(isPerchClientOrderId('perch-ok')).toBe(true);
  });
});
