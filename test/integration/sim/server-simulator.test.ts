import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator } from '../../../src/main/sim/simulator';
import type { Simulator } from '../../../src/main/sim/simulator';

let sim: Simulator;
const edPair = generateKeyPairSync('ed25519');

beforeEach(async () => {
  sim = await startSimulator({ seed: 3, ed25519PublicKeyPem: edPair.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
});
afterEach(async () => {
  await sim.stop();
});

function signed(secret: string, params: Record<string, string>): string {
  const q = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
  return `${q}&signature=${createHmac('sha256', secret).update(q).digest('hex')}`;
}

interface Balance {
  asset: string;
  free: string;
  locked: string;
}

describe('the composed simulator', () => {
  it('signed GET /api/v3/account shows the funded demo balances', async () => {
    const res = await fetch(`${sim.restUrl}/api/v3/account?${signed(sim.apiSecret, { omitZeroBalances: 'true' })}`, {
      headers: { 'X-MBX-APIKEY': sim.apiKey },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-mbx-used-weight-1m')).toBe('20');
    const body = (await res.json()) as { balances: Balance[] };
    const by = new Map(body.balances.map((b) => [b.asset, b]));
    expect(Number(by.get('USDT')?.free)).toBeGreaterThanOrEqual(10_000);
    for (const a of ['BTC', 'ETH', 'BNB']) expect(Number(by.get(a)?.free), a).toBeGreaterThan(0);
    expect(by.get('USDT')?.free).toMatch(/^\d+\.\d{8}$/);
  });

  it('public market routes, the apiRestrictions route and the control endpoint are on the same port', async () => {
    expect((await fetch(`${sim.restUrl}/api/v3/ping`)).status).toBe(200);
    const info = (await (await fetch(`${sim.restUrl}/api/v3/exchangeInfo?symbol=BTCUSDT`)).json()) as {
      symbols: Array<{ symbol: string }>;
    };
    expect(info.symbols[0]?.symbol).toBe('BTCUSDT');
    const r = await fetch(`${sim.restUrl}/sapi/v1/account/apiRestrictions?${signed(sim.apiSecret, {})}`, {
      headers: { 'X-MBX-APIKEY': sim.apiKey },
    });
    expect(await r.json()).toMatchObject({ enableReading: true, enableSpotAndMarginTrading: true, enableWithdrawals: false });
    const c = await fetch(`${sim.controlUrl}/state`, { headers: { Authorization: `Bearer ${sim.controlToken}` } });
    expect(c.status).toBe(200);
  });

  it('stream upgrades reach the market stream server; control setPrice moves the market', async () => {
    const ws = new WebSocket(`${sim.streamUrl}/ws/btcusdt@miniTicker`);
    try {
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      expect(ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ws.terminate();
    }
    const res = await fetch(`${sim.controlUrl}/price`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.controlToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ symbol: 'BTCUSDT', price: '12345.67' }),
    });
    expect(res.status).toBe(200);
    const t = (await (await fetch(`${sim.restUrl}/api/v3/ticker/price?symbol=BTCUSDT`)).json()) as { price: string };
    expect(Number(t.price)).toBeCloseTo(12345.67, 2);
  });

  it('WS API logon with the registered Ed25519 key receives balance events from a control adjustBalance', async () => {
    const ws = new WebSocket(sim.wsApiUrl);
    const messages: Array<Record<string, unknown>> = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (d) => {
      messages.push(JSON.parse(d.toString()) as Record<string, unknown>);
      waiters.splice(0).forEach((w) => w());
    });
    const until = async (pred: () => boolean): Promise<void> => {
      while (!pred()) await new Promise<void>((r) => waiters.push(r));
    };
    try {
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      const params: Record<string, string | number> = { apiKey: sim.ed25519ApiKey ?? '', timestamp: Date.now() };
      const payload = Object.keys(params)
        .sort()
        .map((k) => `${k}=${params[k]}`)
        .join('&');
      const signature = cryptoSign(null, Buffer.from(payload), edPair.privateKey).toString('base64');
      ws.send(JSON.stringify({ id: 1, method: 'session.logon', params: { ...params, signature } }));
      ws.send(JSON.stringify({ id: 2, method: 'userDataStream.subscribe' }));
      await until(() => messages.some((m) => m.id === 2));
      expect(messages.find((m) => m.id === 2)).toMatchObject({ status: 200, result: { subscriptionId: 0 } });
      const res = await fetch(`${sim.controlUrl}/balance`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sim.controlToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ asset: 'USDT', delta: '5.5' }),
      });
      expect(res.status).toBe(200);
      await until(() => messages.some((m) => (m.event as { e?: string } | undefined)?.e === 'outboundAccountPosition'));
      const events = messages.filter((m) => m.event !== undefined).map((m) => m as { subscriptionId: number; event: { e: string } });
      expect(events.every((m) => m.subscriptionId === 0)).toBe(true);
      expect(events.map((m) => m.event.e)).toContain('balanceUpdate');
    } finally {
      ws.terminate();
    }
  });
});
