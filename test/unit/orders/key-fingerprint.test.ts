import { describe, expect, it } from 'vitest';
import { checkableWith, intentKeyFingerprint, keyFingerprint } from '../../../src/main/orders/key-fingerprint';

describe('key fingerprint of an intent', () => {
  it('is the first 16 hex characters of the SHA-256 of the API key, and differs between keys', () => {
    // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    expect(keyFingerprint('abc')).toBe('ba7816bf8f01cfea');
    expect(keyFingerprint('abd')).not.toBe(keyFingerprint('abc'));
  });

  it('only the key that sent an intent may check it; without a saved key none may; an older intent without one is checked as before', () => {
    const sent = { payload: { kind: 'order', keyFingerprint: keyFingerprint('key-a') } };
    expect(intentKeyFingerprint(sent.payload)).toBe(keyFingerprint('key-a'));
    expect(checkableWith(sent, keyFingerprint('key-a'))).toBe(true);
    expect(checkableWith(sent, keyFingerprint('key-b'))).toBe(false);
    expect(checkableWith(sent, null)).toBe(false);
    const older = { payload: { kind: 'order' } };
    expect(intentKeyFingerprint(older.payload)).toBeNull();
    expect(checkableWith(older, keyFingerprint('key-b'))).toBe(true);
    expect(checkableWith(older, null)).toBe(false);
  });
});
