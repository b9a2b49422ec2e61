import { generateKeyPairSync, verify, constants } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredentials } from '../../../src/main/exchange/credentials';
import { encodeParams, percentEncode, restSignaturePayload, wsApiSignaturePayload } from '../../../src/main/exchange/signing';

// The docs' HMAC key material: https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § HMAC Keys.
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const hmac = createCredentials({ type: 'HMAC', apiKey: API_KEY, secret: SECRET });
const FULLWIDTH = '\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16'; // １２３４５６

describe('REST signature payload (Binance signed-endpoint examples, vectors V1-V3)', () => {
  const order = (symbol: string) => ({
    symbol,
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '1',
    price: '0.1',
    recvWindow: 5000,
    timestamp: 1499827319559,
  });

  it('V1 ASCII: builds the documented string and signature', () => {
    const query = encodeParams(order('LTCBTC'));
    expect(query).toBe('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559');
    expect(hmac.sign(restSignaturePayload(query, ''))).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
  });

  it('V2 non-ASCII: percent-encodes the UTF-8 bytes before signing', () => {
    const query = encodeParams(order(FULLWIDTH));
    expect(query).toBe(
      'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
    );
    expect(hmac.sign(restSignaturePayload(query, ''))).toBe('e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3');
  });

  it('V3 mixed query + body: concatenated without a separator', () => {
    const query = encodeParams({ symbol: 'LTCBTC', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' });
    const body = encodeParams({ quantity: '1', price: '0.1', recvWindow: 5000, timestamp: 1499827319559 });
    const payload = restSignaturePayload(query, body);
    expect(payload).toBe('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559');
    expect(hmac.sign(payload)).toBe('0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77');
  });

  it('signing the unencoded non-ASCII string gives a different signature (what -1022 rejects)', () => {
    const raw = `symbol=${FULLWIDTH}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559`;
    expect(hmac.sign(raw)).not.toBe('e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3');
  });
});

describe('percent-encoding', () => {
  it('keeps only the unreserved set and encodes UTF-8 bytes', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode("!'()* +/=&")).toBe('%21%27%28%29%2A%20%2B%2F%3D%26');
    expect(percentEncode('这')).toBe('%E8%BF%99');
  });
  it('encodes arrays as JSON, skips undefined, refuses floats', () => {
    expect(encodeParams({ symbols: ['BTCUSDT', 'BNBUSDT'], limit: undefined, omitZeroBalances: true })).toBe(
      'symbols=%5B%22BTCUSDT%22%2C%22BNBUSDT%22%5D&omitZeroBalances=true',
    );
    expect(() => encodeParams({ price: 0.1 + 0.2 })).toThrow(/decimal strings/);
    expect(encodeParams({ orderId: 8389765612825190229n })).toBe('orderId=8389765612825190229');
  });
});

// W1-W14: WS API sorted, unencoded payloads (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § SIGNED request example (HMAC)).
const WS_VECTORS: ReadonlyArray<{ id: string; params: Record<string, string | number>; payload: string; signature: string }> = [
  {
    id: 'W1',
    params: {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01000000',
      price: '52000.00',
      recvWindow: 100,
      timestamp: 1645423376532,
      apiKey: API_KEY,
    },
    payload: `apiKey=${API_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
    signature: 'aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24',
  },
  {
    id: 'W2',
    params: {
      symbol: FULLWIDTH,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1.00000000',
      price: '0.10000000',
      recvWindow: 5000,
      timestamp: 1645423376532,
      apiKey: API_KEY,
    },
    payload: `apiKey=${API_KEY}&price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=${FULLWIDTH}&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
    signature: 'b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd',
  },
  {
    id: 'W3',
    params: { apiKey: API_KEY, timestamp: 1649729878532 },
    payload: `apiKey=${API_KEY}&timestamp=1649729878532`,
    signature: '1cf54395b336b0a9727ef27d5d98987962bc47aca6e13fe978612d0adee066ed',
  },
  {
    id: 'W4',
    params: { timestamp: 1660801839480, apiKey: API_KEY },
    payload: `apiKey=${API_KEY}&timestamp=1660801839480`,
    signature: '83303b4a136ac1371795f465808367242685a9e3a42b22edb4d977d0696eb45c',
  },
  {
    id: 'W5',
    params: { symbol: 'BTCUSDT', orderId: 12569099453, apiKey: API_KEY, timestamp: 1660801720951 },
    payload: `apiKey=${API_KEY}&orderId=12569099453&symbol=BTCUSDT&timestamp=1660801720951`,
    signature: '2c3aab5a078ee4ea465ecd95523b77289f61476c2f238ec10c55ea6cb11a6f35',
  },
  {
    id: 'W6',
    params: { symbol: 'BTCUSDT', apiKey: API_KEY, timestamp: 1660813156812 },
    payload: `apiKey=${API_KEY}&symbol=BTCUSDT&timestamp=1660813156812`,
    signature: 'd632b3fdb8a81dd44f82c7c901833309dd714fe508772a89b0a35b0ee0c48b89',
  },
  {
    id: 'W7',
    params: { symbol: 'BTCUSDT', origClientOrderId: '4d96324ff9d44481926157', apiKey: API_KEY, timestamp: 1660801715830 },
    payload: `apiKey=${API_KEY}&origClientOrderId=4d96324ff9d44481926157&symbol=BTCUSDT&timestamp=1660801715830`,
    signature: '33d5b721f278ae17a52f004a82a6f68a70c68e7dd6776ed0be77a455ab855282',
  },
  {
    id: 'W8',
    params: {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '23416.10000000',
      quantity: '0.00847000',
      apiKey: API_KEY,
      timestamp: 1660801715431,
    },
    payload: `apiKey=${API_KEY}&price=23416.10000000&quantity=0.00847000&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1660801715431&type=LIMIT`,
    signature: '15af09e41c36f3cc61378c2fbe2c33719a03dd5eba8d0f9206fbda44de717c88',
  },
  {
    id: 'W9',
    params: {
      symbol: 'BTCUSDT',
      cancelReplaceMode: 'ALLOW_FAILURE',
      cancelOrigClientOrderId: '4d96324ff9d44481926157',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '23416.10000000',
      quantity: '0.00847000',
      apiKey: API_KEY,
      timestamp: 1660813156900,
    },
    payload: `apiKey=${API_KEY}&cancelOrigClientOrderId=4d96324ff9d44481926157&cancelReplaceMode=ALLOW_FAILURE&price=23416.10000000&quantity=0.00847000&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1660813156900&type=LIMIT`,
    signature: '7028fdc187868754d25e42c37ccfa5ba2bab1d180ad55d4c3a7e2de643943dc5',
  },
  {
    id: 'W10',
    params: { symbol: 'BTCUSDT', apiKey: API_KEY, timestamp: 1660805557200 },
    payload: `apiKey=${API_KEY}&symbol=BTCUSDT&timestamp=1660805557200`,
    signature: '773f01b6e3c2c9e0c1d217bc043ce383c1ddd6f0e25f8d6070f2b66a6ceaf3a5',
  },
  {
    id: 'W11',
    params: { symbol: 'BTCUSDT', startTime: 1660780800000, endTime: 1660867200000, limit: 5, apiKey: API_KEY, timestamp: 1661955123341 },
    payload: `apiKey=${API_KEY}&endTime=1660867200000&limit=5&startTime=1660780800000&symbol=BTCUSDT&timestamp=1661955123341`,
    signature: 'f50a972ba7fad92842187643f6b930802d4e20bce1ba1e788e856e811577bd42',
  },
  {
    id: 'W12',
    params: { symbol: 'BTCUSDT', startTime: 1660780800000, endTime: 1660867200000, apiKey: API_KEY, timestamp: 1661955125250 },
    payload: `apiKey=${API_KEY}&endTime=1660867200000&startTime=1660780800000&symbol=BTCUSDT&timestamp=1661955125250`,
    signature: 'c5a5ffb79fd4f2e10a92f895d488943a57954edf5933bde3338dfb6ea6d6eefc',
  },
  {
    id: 'W13',
    params: { apiKey: API_KEY, timestamp: 1660801839500 },
    payload: `apiKey=${API_KEY}&timestamp=1660801839500`,
    signature: '76289424d6e288f4dc47d167ac824e859dabf78736f4348abbbac848d719eb94',
  },
  {
    id: 'W14',
    params: { timestamp: 1660801713831, apiKey: API_KEY },
    payload: `apiKey=${API_KEY}&timestamp=1660801713831`,
    signature: '1bea8b157dd78c3da30359bddcd999e4049749fe50b828e620e12f64e8b433c9',
  },
];

describe('WS API signature payload (vectors W1-W14)', () => {
  it.each(WS_VECTORS)('$id', ({ params, payload, signature }) => {
    const built = wsApiSignaturePayload(params);
    expect(built).toBe(payload);
    expect(hmac.sign(built)).toBe(signature);
  });
  it('excludes an existing signature param', () => {
    expect(wsApiSignaturePayload({ b: '2', signature: 'x', a: 1 })).toBe('a=1&b=2');
  });
});

describe('RSA and Ed25519 signers (sign then verify with a local key pair)', () => {
  const payloadV2 = encodeParams({
    symbol: FULLWIDTH,
    side: 'SELL',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '1',
    price: '0.2',
    timestamp: 1668481559918,
    recvWindow: 5000,
  });

  it('RSA: RSASSA-PKCS1-v1_5 / SHA-256, base64', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const creds = createCredentials({
      type: 'RSA',
      apiKey: 'CAvIjXy3F44yW6Pou5k8Dy1swsYDWJZLeoK2r8G4cFDnE9nosRppc2eKc1T8TRTQ',
      privateKeyPem: pem,
    });
    const sig = creds.sign(payloadV2);
    expect(sig).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sig, 'base64')).toHaveLength(256);
    expect(
      verify('sha256', Buffer.from(payloadV2), { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(sig, 'base64')),
    ).toBe(true);
    // deterministic scheme: same payload, same signature (PSS would differ)
    expect(creds.sign(payloadV2)).toBe(sig);
    expect(verify('sha256', Buffer.from(payloadV2 + 'x'), publicKey, Buffer.from(sig, 'base64'))).toBe(false);
  });

  it('Ed25519: plain Ed25519 over the payload bytes, base64 (88 chars)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const creds = createCredentials({
      type: 'ED25519',
      apiKey: '4yNzx3yWC5bS6YTwEkSRaC0nRmSQIIStAUOh1b6kqaBrTLIhjCpI5lJH8q8R8WNO',
      privateKeyPem: pem,
    });
    const wsPayload = wsApiSignaturePayload({ apiKey: creds.apiKey, symbol: FULLWIDTH, timestamp: 1645423376532 });
    for (const payload of [payloadV2, wsPayload]) {
      const sig = creds.sign(payload);
      expect(sig).toHaveLength(88);
      expect(verify(null, Buffer.from(payload, 'utf8'), publicKey, Buffer.from(sig, 'base64'))).toBe(true);
    }
  });
});
