import { generateKeyPairSync, sign as cryptoSign, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClock } from '../../../src/main/sim/clock';
import { SimError } from '../../../src/main/sim/errors';
import {
  authenticateSigned,
  createKeyRegistry,
  restSignatureParts,
  verifySignature,
  wsSignaturePayload,
} from '../../../src/main/sim/server/auth';

// The docs' example HMAC key material: https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § HMAC Keys.
const DOC_API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const FULLWIDTH = '\uff11\uff12\uff13\uff14\uff15\uff16';

function docKey() {
  const keys = createKeyRegistry(createClock());
  return keys.register({ type: 'HMAC', apiKey: DOC_API_KEY, secret: DOC_SECRET, accountId: 'a' });
}

function restVerify(rawQuery: string, body = ''): boolean {
  const parts = restSignatureParts(rawQuery, Buffer.from(body, 'latin1'));
  if (parts.signature === undefined) return false;
  return verifySignature(docKey(), parts.payload, parts.signature);
}

/** Turn a documented "k=v&k=v" payload into a params object in a scrambled order. */
function paramsFrom(payload: string, signature: string): Record<string, unknown> {
  const entries = payload.split('&').map((kv) => {
    const i = kv.indexOf('=');
    const k = kv.slice(0, i);
    const v = kv.slice(i + 1);
    // Numbers are sent as JSON numbers by clients, as in the docs' request examples.
    return [k, k === 'timestamp' || k === 'recvWindow' ? Number(v) : v] as const;
  });
  const scrambled = [...entries].reverse();
  scrambled.splice(1, 0, ['signature', signature]);
  return Object.fromEntries(scrambled);
}

describe('REST HMAC vectors (Binance REST examples, V1-V3)', () => {
  const v1 = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
  const v1sig = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
  const v2 =
    'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
  const v2sig = 'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3';

  it('V1 ASCII verifies, in lower and upper case', () => {
    expect(restVerify(`${v1}&signature=${v1sig}`)).toBe(true);
    expect(restVerify(`${v1}&signature=${v1sig.toUpperCase()}`)).toBe(true);
  });

  it('V2 non-ASCII verifies over the percent-encoded bytes', () => {
    expect(restVerify(`${v2}&signature=${v2sig}`)).toBe(true);
  });

  it('V2 signed over the un-encoded string is rejected (the 2026-01-15 rule)', () => {
    const unencoded = v2.replace('%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96', FULLWIDTH);
    const wrongSig = createHmac('sha256', DOC_SECRET).update(unencoded).digest('hex');
    expect(restVerify(`${v2}&signature=${wrongSig}`)).toBe(false);
  });

  it('V3 query + body are concatenated without separator', () => {
    const sig = '0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77';
    expect(
      restVerify(
        'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC',
        `quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=${sig}`,
      ),
    ).toBe(true);
    // The signature may sit in the query while the signed params are in the body.
    expect(
      restVerify(
        `symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&signature=${sig}`,
        'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
      ),
    ).toBe(true);
  });

  it('a tampered payload or signature does not verify', () => {
    expect(restVerify(`${v1.replace('price=0.1', 'price=0.2')}&signature=${v1sig}`)).toBe(false);
    const flipped = (v1sig[0] === 'c' ? 'd' : 'c') + v1sig.slice(1);
    expect(restVerify(`${v1}&signature=${flipped}`)).toBe(false);
    expect(restVerify(`${v1}&signature=${v1sig.slice(0, 63)}`)).toBe(false);
  });
});

describe('WS API HMAC vectors (Binance WS API examples, W1-W14)', () => {
  const vectors: ReadonlyArray<readonly [string, string, string]> = [
    [
      'W1',
      `apiKey=${DOC_API_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
      'aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24',
    ],
    [
      'W2',
      `apiKey=${DOC_API_KEY}&price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=${FULLWIDTH}&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
      'b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd',
    ],
    ['W3', `apiKey=${DOC_API_KEY}&timestamp=1649729878532`, '1cf54395b336b0a9727ef27d5d98987962bc47aca6e13fe978612d0adee066ed'],
    ['W4', `apiKey=${DOC_API_KEY}&timestamp=1660801839480`, '83303b4a136ac1371795f465808367242685a9e3a42b22edb4d977d0696eb45c'],
    [
      'W5',
      `apiKey=${DOC_API_KEY}&orderId=12569099453&symbol=BTCUSDT&timestamp=1660801720951`,
      '2c3aab5a078ee4ea465ecd95523b77289f61476c2f238ec10c55ea6cb11a6f35',
    ],
    [
      'W6',
      `apiKey=${DOC_API_KEY}&symbol=BTCUSDT&timestamp=1660813156812`,
      'd632b3fdb8a81dd44f82c7c901833309dd714fe508772a89b0a35b0ee0c48b89',
    ],
    [
      'W7',
      `apiKey=${DOC_API_KEY}&origClientOrderId=4d96324ff9d44481926157&symbol=BTCUSDT&timestamp=1660801715830`,
      '33d5b721f278ae17a52f004a82a6f68a70c68e7dd6776ed0be77a455ab855282',
    ],
    [
      'W8',
      `apiKey=${DOC_API_KEY}&price=23416.10000000&quantity=0.00847000&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1660801715431&type=LIMIT`,
      '15af09e41c36f3cc61378c2fbe2c33719a03dd5eba8d0f9206fbda44de717c88',
    ],
    [
      'W9',
      `apiKey=${DOC_API_KEY}&cancelOrigClientOrderId=4d96324ff9d44481926157&cancelReplaceMode=ALLOW_FAILURE&price=23416.10000000&quantity=0.00847000&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1660813156900&type=LIMIT`,
      '7028fdc187868754d25e42c37ccfa5ba2bab1d180ad55d4c3a7e2de643943dc5',
    ],
    [
      'W10',
      `apiKey=${DOC_API_KEY}&symbol=BTCUSDT&timestamp=1660805557200`,
      '773f01b6e3c2c9e0c1d217bc043ce383c1ddd6f0e25f8d6070f2b66a6ceaf3a5',
    ],
    [
      'W11',
      `apiKey=${DOC_API_KEY}&endTime=1660867200000&limit=5&startTime=1660780800000&symbol=BTCUSDT&timestamp=1661955123341`,
      'f50a972ba7fad92842187643f6b930802d4e20bce1ba1e788e856e811577bd42',
    ],
    [
      'W12',
      `apiKey=${DOC_API_KEY}&endTime=1660867200000&startTime=1660780800000&symbol=BTCUSDT&timestamp=1661955125250`,
      'c5a5ffb79fd4f2e10a92f895d488943a57954edf5933bde3338dfb6ea6d6eefc',
    ],
    ['W13', `apiKey=${DOC_API_KEY}&timestamp=1660801839500`, '76289424d6e288f4dc47d167ac824e859dabf78736f4348abbbac848d719eb94'],
    ['W14', `apiKey=${DOC_API_KEY}&timestamp=1660801713831`, '1bea8b157dd78c3da30359bddcd999e4049749fe50b828e620e12f64e8b433c9'],
  ];

  for (const [id, payload, sig] of vectors) {
    it(`${id}: sorted unencoded payload is rebuilt from scrambled params and verifies`, () => {
      const params = paramsFrom(payload, sig);
      expect(wsSignaturePayload(params)).toBe(payload);
      expect(verifySignature(docKey(), wsSignaturePayload(params), String(params.signature))).toBe(true);
    });
  }

  it('W2 is not verified when the symbol is percent-encoded in the payload', () => {
    const [, payload, sig] = vectors[1] ?? ['', '', ''];
    const encoded = payload.replace(FULLWIDTH, encodeURIComponent(FULLWIDTH));
    expect(verifySignature(docKey(), encoded, sig)).toBe(false);
  });

  it('a tampered param fails', () => {
    const [, payload, sig] = vectors[0] ?? ['', '', ''];
    const params = paramsFrom(payload, sig);
    params.price = '52000.01';
    expect(verifySignature(docKey(), wsSignaturePayload(params), sig)).toBe(false);
  });
});

describe('RSA and Ed25519 (the docs publish no usable key: sign-then-verify with local pairs)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const keys = createKeyRegistry(createClock());
  const rsaKey = keys.register({
    type: 'RSA',
    publicKeyPem: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    accountId: 'a',
  });
  const edKey = keys.register({
    type: 'ED25519',
    publicKeyPem: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    accountId: 'a',
  });
  const restPayload =
    'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000';

  it('RSA REST: base64 signature, percent-encoded in the query, verifies; tampered fails', () => {
    const sig = cryptoSign('sha256', Buffer.from(restPayload), rsa.privateKey).toString('base64');
    const parts = restSignatureParts(`${restPayload}&signature=${encodeURIComponent(sig)}`, Buffer.alloc(0));
    expect(parts.signature).toBe(sig);
    expect(verifySignature(rsaKey, parts.payload, sig)).toBe(true);
    expect(verifySignature(rsaKey, restPayload.replace('0.2', '0.3'), sig)).toBe(false);
    // Case-sensitive: swapping the case of a base64 signature breaks it.
    const swapped = sig.replace(/[a-z]/, (c) => c.toUpperCase());
    expect(verifySignature(rsaKey, parts.payload, swapped)).toBe(false);
  });

  it('RSA REST: the docs bash example (signature in the body, encoded twice) still verifies', () => {
    const payload = 'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918';
    const sig = cryptoSign('sha256', Buffer.from(payload), rsa.privateKey).toString('base64');
    const parts = restSignatureParts(payload, Buffer.from(`signature=${encodeURIComponent(encodeURIComponent(sig))}`));
    expect(verifySignature(rsaKey, parts.payload, parts.signature ?? '')).toBe(true);
  });

  it('Ed25519 REST and WS (non-ASCII raw UTF-8) verify; a wrong key fails', () => {
    const restSig = cryptoSign(null, Buffer.from(restPayload), ed.privateKey).toString('base64');
    expect(restSig).toHaveLength(88);
    const parts = restSignatureParts(`${restPayload}&signature=${encodeURIComponent(restSig)}`, Buffer.alloc(0));
    expect(verifySignature(edKey, parts.payload, parts.signature ?? '')).toBe(true);
    expect(verifySignature(rsaKey, parts.payload, parts.signature ?? '')).toBe(false);

    const params = { symbol: FULLWIDTH, side: 'BUY', apiKey: edKey.apiKey, timestamp: 1645423376532, price: '0.10000000' };
    const wsPayload = wsSignaturePayload(params);
    expect(wsPayload).toBe(`apiKey=${edKey.apiKey}&price=0.10000000&side=BUY&symbol=${FULLWIDTH}&timestamp=1645423376532`);
    const wsSig = cryptoSign(null, Buffer.from(wsPayload, 'utf8'), ed.privateKey).toString('base64');
    expect(verifySignature(edKey, wsPayload, wsSig)).toBe(true);
    expect(verifySignature(edKey, wsPayload.replace('BUY', 'SELL'), wsSig)).toBe(false);
  });

  it('registering a key of the wrong type is refused', () => {
    expect(() =>
      keys.register({ type: 'RSA', publicKeyPem: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(), accountId: 'a' }),
    ).toThrow();
    expect(() => keys.register({ type: 'ED25519', accountId: 'a' })).toThrow();
  });
});

describe('authenticateSigned: key errors and tamper', () => {
  const now = 1_700_000_000_000;
  const keys = createKeyRegistry(createClock({ fixedAtMs: now }));
  const key = keys.register({ type: 'HMAC', apiKey: DOC_API_KEY, secret: DOC_SECRET, accountId: 'a' });
  const payload = `symbol=BTCUSDT&timestamp=${now}`;
  const good = createHmac('sha256', DOC_SECRET).update(payload).digest('hex');
  const base = { keys, timestamp: String(now), recvWindow: undefined, signature: good, payload, serverTime: now };

  const code = (fn: () => unknown): number | undefined => {
    try {
      fn();
      return undefined;
    } catch (err) {
      return err instanceof SimError ? err.code : NaN;
    }
  };

  it('accepts the right key and signature', () => {
    expect(authenticateSigned({ ...base, apiKey: key.apiKey }).key).toBe(key);
  });
  it('missing or malformed key -> -2014, well-formed unknown key -> -2015', () => {
    expect(code(() => authenticateSigned({ ...base, apiKey: undefined }))).toBe(-2014);
    expect(code(() => authenticateSigned({ ...base, apiKey: 'short' }))).toBe(-2014);
    expect(code(() => authenticateSigned({ ...base, apiKey: 'A'.repeat(64) }))).toBe(-2015);
  });
  it('tampered signature -> -1022, missing signature -> -1102', () => {
    expect(
      code(() => authenticateSigned({ ...base, apiKey: key.apiKey, signature: good.replace(/^./, good[0] === 'a' ? 'b' : 'a') })),
    ).toBe(-1022);
    expect(code(() => authenticateSigned({ ...base, apiKey: key.apiKey, payload: `${payload}&x=1` }))).toBe(-1022);
    expect(code(() => authenticateSigned({ ...base, apiKey: key.apiKey, signature: undefined }))).toBe(-1102);
  });
});
