/**
 * Seam: createCore with in-memory ports (no key, no network) and faked intervals. Main's
 * liveness signal for every window: app:heartbeat once a second from start until stop.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCore } from '../../../src/main/core/create-core';
import { events } from '../../../src/shared/ipc/contract';
import { APP_HEARTBEAT_MS } from '../../../src/shared/ipc/liveness';
import { memoryLogger, memorySecrets, memorySettings } from './fakes';

afterEach(() => {
  vi.useRealTimers();
});

describe('app:heartbeat', () => {
  it('is sent every second while the core runs, valid by the contract, and stops with it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const core = createCore({ secrets: memorySecrets(), settings: memorySettings({ environment: 'production' }), logger: memoryLogger() });
    const beats: unknown[] = [];
    core.onEvent((name, payload) => {
      if (name === 'app:heartbeat') beats.push(payload);
    });
    await core.start();
    vi.advanceTimersByTime(APP_HEARTBEAT_MS * 5);
    expect(beats.length).toBe(5);
    for (const b of beats) expect(events['app:heartbeat'].safeParse(b).success).toBe(true);
    await core.stop();
    vi.advanceTimersByTime(APP_HEARTBEAT_MS * 5);
    expect(beats.length).toBe(5);
  });
});
