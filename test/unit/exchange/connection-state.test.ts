import { describe, expect, it } from 'vitest';
import { createConnectionState, redactSecrets } from '../../../src/main/exchange/connection-state';

describe('connection state (B19)', () => {
  it('reports status changes, message age, reconnect count and errors to subscribers', () => {
    let now = 1000;
    const registry = createConnectionState({ clock: { now: () => now }, weightUsed: () => 42, clockOffsetMs: () => -120 });
    const seen: string[] = [];
    const unsubscribe = registry.subscribe((s) => seen.push(s.connections.map((c) => `${c.id}:${c.status}`).join(',')));
    const a = registry.register('market#0', 'connecting');
    a.setStatus('live');
    a.setStatus('live'); // no change, no notification
    a.messageAt(1500);
    now = 4000;
    expect(registry.connection('market#0')).toMatchObject({
      status: 'live',
      lastMessageAt: 1500,
      ageMs: 2500,
      reconnectCount: 0,
      lastError: null,
    });
    a.setStatus('stale');
    a.setStatus('reconnecting');
    a.reconnected();
    a.error(new Error('stream closed (1006)'));
    a.setStatus('live');
    const snap = registry.get();
    expect(snap.rest).toEqual({ weightUsed: 42, clockOffsetMs: -120 });
    expect(snap.connections[0]).toMatchObject({ status: 'live', reconnectCount: 1, lastError: 'stream closed (1006)' });
    expect(seen).toEqual([
      'market#0:connecting',
      'market#0:live',
      'market#0:stale',
      'market#0:reconnecting',
      'market#0:reconnecting',
      'market#0:live',
    ]);
    a.release();
    expect(registry.get().connections).toEqual([]);
    unsubscribe();
    expect(registry.listenerCount()).toBe(0);
  });

  it('keeps secrets out of lastError', () => {
    const registry = createConnectionState();
    const r = registry.register('ws-api');
    const secret = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
    r.error(
      new Error(
        `failed GET /api/v3/account?timestamp=1&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71 apiKey=${secret}`,
      ),
    );
    const msg = r.info().lastError ?? '';
    expect(msg).not.toContain('c8db5682');
    expect(msg).not.toContain(secret);
    expect(msg).toContain('[redacted]');
    expect(redactSecrets('{"apiKey":"abcdEFGH1234","x":1}')).toBe('{"apiKey":"[redacted]","x":1}');
  });

  it('refuses the same id twice', () => {
    const registry = createConnectionState();
    registry.register('x');
    expect(() => registry.register('x')).toThrow(/already registered/);
  });
});
