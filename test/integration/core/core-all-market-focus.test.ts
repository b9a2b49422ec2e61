/**
 * Seam: the core against the real simulator with a portfolio that needs more than 200 markets,
 * so the session watches the all-market `!miniTicker@arr` stream. Only the markets the
 * portfolio (and the order forms) watch are applied from it; the others are skipped
 * (docs/ARCHITECTURE.md §5), and the watched ones keep arriving.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src/main/core/create-core';
import { startSimulator, type Simulator } from '../../../src/main/sim/simulator';
import { memoryLogger, memorySecrets, memorySettings } from '../../unit/core/fakes';
import { FAST_SESSION_TUNING, waitFor } from './core-harness';

let running: Core | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('all-market stream with a focus on the watched markets', () => {
  it('applies the watched markets from !miniTicker@arr and skips every other one', async () => {
    let sim: Simulator | null = null;
    const core = createCore(
      {
        secrets: memorySecrets(),
        settings: memorySettings({ environment: 'demo' }),
        logger: memoryLogger(),
        flushIntervalMs: 100,
        demo: {
          seed: 3,
          startSimulator: async (o) => {
            sim = await startSimulator({ seed: o.seed, symbolCount: 600, marketStepMs: 200 });
            // 260 held assets: valuing them needs more than the 200 markets of the threshold.
            const bases = [
              ...new Set(
                sim.market
                  .symbols()
                  .filter((s) => s.quoteAsset === 'USDT')
                  .map((s) => s.baseAsset),
              ),
            ].slice(0, 260);
            for (const asset of bases) sim.accounts.adjustBalance(sim.demoAccountId, asset, '3');
            return sim;
          },
        },
      },
      { sessionTuning: FAST_SESSION_TUNING },
    );
    running = core;
    await core.start();
    const session = await waitFor('a session', () => core.inspect.session());
    await session.ready();
    const watched = await waitFor('more than 200 watched markets', () => {
      const w = session.portfolio.watchedSymbols();
      return w.size > 200 ? w : null;
    });
    const all = sim!.market.symbols().map((s) => s.symbol);
    // An alert or watchlist symbol the portfolio does not hold is watched too (watchExtra): the
    // focus must let its frames through, or its alerts would never see a price.
    const extra = all.find((s) => !watched.has(s) && s.endsWith('BTC'))!;
    session.watchExtra(new Set([extra]));
    const unwatched = all.filter((s) => !watched.has(s) && s !== extra);
    expect(unwatched.length).toBeGreaterThan(100);

    // Frames arrive once a second: wait until most watched markets have a streamed last price.
    await waitFor(
      'watched prices from the stream',
      () => [...watched].filter((s) => session.quote(s)?.last != null).length > watched.size / 2,
      60_000,
    );
    // Several more frames: an unwatched market that changed would have been applied by now.
    const seenFrames = session.status().connections[0]!.lastMessageAt!;
    await waitFor('three more frames', () => (session.status().connections[0]!.lastMessageAt ?? 0) >= seenFrames + 3_000, 30_000);
    expect(unwatched.filter((s) => session.quote(s) !== undefined)).toEqual([]);
    // the extra symbol's price keeps moving with the stream (its REST seed is read only once)
    const first = await waitFor('a price for the extra symbol', () => session.quote(extra)?.last ?? null, 30_000);
    await waitFor(
      'the extra symbol streamed',
      () => {
        const last = session.quote(extra)?.last;
        return last != null && last !== first ? last : null;
      },
      30_000,
    );
  }, 120_000);
});
