/**
 * The shared cancellable sleep: on a fake clock it resolves after its delay, and disposing it
 * wakes every pending sleep, clears its timer and makes later sleeps resolve at once.
 */
import { describe, expect, it } from 'vitest';
import { createSleeper } from '../../../src/main/exchange/sleeper';
import { fakeClock } from '../../helpers/fake-clock';

/** Let resolved promises run their continuations. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await Promise.resolve();
};

function track(p: Promise<void>): { readonly done: () => boolean } {
  let done = false;
  void p.then(() => {
    done = true;
  });
  return { done: () => done };
}

describe('createSleeper', () => {
  it('resolves after the given delay on the clock, not before', async () => {
    const clock = fakeClock();
    const sleeper = createSleeper(clock);
    const s = track(sleeper.sleep(1_000));
    expect(clock.timers().map((x) => x.at)).toEqual([1_000]);
    clock.advance(999);
    await flush();
    expect(s.done()).toBe(false);
    clock.advance(1);
    await flush();
    expect(s.done()).toBe(true);
    expect(clock.timers()).toHaveLength(0);
    sleeper.dispose();
    expect(clock.cleared()).toBe(0);
  });

  it('dispose wakes every pending sleep and clears its timer', async () => {
    const clock = fakeClock();
    const sleeper = createSleeper(clock);
    const a = track(sleeper.sleep(5_000));
    const b = track(sleeper.sleep(60_000));
    const c = track(sleeper.sleep(100));
    clock.advance(100);
    await flush();
    expect([a.done(), b.done(), c.done()]).toEqual([false, false, true]);
    expect(clock.timers()).toHaveLength(2);

    sleeper.dispose();
    await flush();
    expect([a.done(), b.done()]).toEqual([true, true]);
    expect(clock.timers()).toHaveLength(0);
    expect(clock.cleared()).toBe(2);
    expect(clock.now()).toBe(100);
  });

  it('a sleep started after dispose resolves at once and sets no timer', async () => {
    const clock = fakeClock();
    const sleeper = createSleeper(clock);
    sleeper.dispose();
    const s = track(sleeper.sleep(10_000));
    await flush();
    expect(s.done()).toBe(true);
    expect(clock.timers()).toHaveLength(0);
    expect(clock.now()).toBe(0);
  });

  it('dispose is idempotent and leaves no timers behind', async () => {
    const clock = fakeClock();
    const sleeper = createSleeper(clock);
    const s = track(sleeper.sleep(1_000));
    sleeper.dispose();
    sleeper.dispose();
    await flush();
    expect(s.done()).toBe(true);
    expect(clock.cleared()).toBe(1);
    expect(clock.timers()).toHaveLength(0);
  });
});
