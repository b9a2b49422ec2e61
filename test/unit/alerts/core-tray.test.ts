/**
 * The core paces tray updates (at most one every few seconds, the last change never lost) but
 * masks the tray at once when privacy mode is switched on. Fake timers and a fake clock; no
 * exchange session (the tray then shows "Perch" and the menu).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import type { TrayModel } from '../../../src/shared/domain';
import { memoryLogger, memorySecrets, memorySettings, testSender } from '../core/fakes';

let core: Core | null = null;
afterEach(async () => {
  vi.useRealTimers();
  await core?.stop();
  core = null;
});

describe('core tray pacing', () => {
  it('pause changes are paced to one tray update per 3 s; privacy mode goes out at once', async () => {
    vi.useFakeTimers();
    const clock = { t: Date.UTC(2026, 11, 4, 12) };
    core = createCore({
      secrets: memorySecrets(),
      settings: memorySettings({ environment: 'testnet' }),
      logger: memoryLogger(),
      clock: { now: () => clock.t },
      offsetMinutes: () => 0,
    });
    const trays: TrayModel[] = [];
    core.onEvent((name, payload) => {
      if (name === 'tray:model') trays.push(payload as TrayModel);
    });
    const tick = async (ms: number): Promise<void> => {
      clock.t += ms;
      await vi.advanceTimersByTimeAsync(ms);
    };
    await core.handlers['alerts:pauseAll']({ until: '1h' }, testSender);
    await tick(0);
    expect(trays).toHaveLength(1);
    await core.handlers['alerts:pauseAll']({ until: 'resume' }, testSender);
    await core.handlers['alerts:pauseAll']({ until: 'tomorrow' }, testSender);
    await tick(1_000);
    expect(trays).toHaveLength(1);
    await tick(2_000);
    // one update for both changes, showing the last one
    expect(trays).toHaveLength(2);
    expect(trays[1]?.items.some((i) => i.label === 'Alerts paused until 5 Dec 08:00')).toBe(true);
    await core.handlers['settings:update']({ privacyMode: true }, testSender);
    expect(trays).toHaveLength(3);
    expect(trays[2]?.items.find((i) => i.id === 'privacy')?.checked).toBe(true);
  });
});
