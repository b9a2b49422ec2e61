/**
 * The short form of the crash-consistency run (npm run test:chaos runs 100 kills): the simulator
 * and Perch's core in separate processes, the core SIGKILLed at 15 points (named kill points and
 * random times) and started again on the same data folder, every check against the simulator's
 * ledger after each restart. A failure names the seed; replay it with
 * `npm run test:chaos -- --seed <seed> --kills 15`.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../../scripts/chaos/runner';

const seed = process.env.PERCH_CHAOS_SEED !== undefined ? Number(process.env.PERCH_CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);

describe('crash consistency under SIGKILL (short form)', () => {
  it('15 kills: nothing lost, nothing duplicated, screen equals the exchange', async () => {
    const lines: string[] = [];
    const report = await runChaos({ seed, kills: 15, log: (l) => lines.push(l) });
    expect(report.kills).toHaveLength(15);
    // The run must have done real work, not passed on an empty exchange.
    expect(report.intents).toBeGreaterThan(10);
    expect(report.trades).toBeGreaterThan(0);
    // The P&L ledger was checked against every trade, and alerts fired while the core was being killed.
    expect(report.pnlTrades).toBe(report.trades);
    expect(report.alerts.price).toBeGreaterThan(0);
    expect(report.alerts.order).toBeGreaterThan(0);
    expect(report.alerts.shown).toBeGreaterThan(0);
    expect(report.violations, `seed ${seed}; replay: npm run test:chaos -- --seed ${seed} --kills 15\n${lines.join('\n')}`).toEqual([]);
  }, 240_000);

  it('the checks catch a core that sends an order without journaling it, forgets an alert it fired, loses a P&L trade', async () => {
    const report = await runChaos({
      seed: 3,
      kills: 1,
      sabotage: ['skip-journal', 'alerts-forget', 'pnl-drop'],
      stopOnViolation: true,
      log: () => undefined,
    });
    expect(report.violations.some((v) => /orphan|unjournaled/.test(v))).toBe(true);
    expect(report.violations.some((v) => /one-shot alert .* is logged as fired but its rule is not done and armed/.test(v))).toBe(true);
    expect(report.violations.some((v) => /missing from the P&L ledger/.test(v))).toBe(true);
  }, 120_000);
});
