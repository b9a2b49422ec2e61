/**
 * `npm run test:chaos -- [--seed N] [--kills N]`: the crash-consistency run (runner.ts).
 * Prints the seed and every kill point; exits 1 on any violation. Replay a failure with its seed.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './runner';

const { values } = parseArgs({ options: { seed: { type: 'string' }, kills: { type: 'string' } } });
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const kills = values.kills !== undefined ? Number(values.kills) : 100;
if (!Number.isInteger(seed) || seed < 0 || !Number.isInteger(kills) || kills < 1) {
  process.stderr.write('usage: npm run test:chaos -- [--seed N] [--kills N]\n');
  process.exit(2);
}
process.stdout.write(`chaos: seed ${seed}, ${kills} kills (replay: npm run test:chaos -- --seed ${seed} --kills ${kills})\n`);
const report = await runChaos({ seed, kills, log: (line) => process.stdout.write(`${line}\n`) });
const byPoint = new Map<string, number>();
for (const k of report.kills) byPoint.set(k.fired.split(':')[0] ?? k.fired, (byPoint.get(k.fired.split(':')[0] ?? k.fired) ?? 0) + 1);
process.stdout.write(
  `\nchaos: seed ${report.seed}; ${report.kills.length} kills (${[...byPoint].map(([p, n]) => `${p} ${n}`).join(', ')}); ` +
    `${report.intents} intents, ${report.exchangeOrders} exchange orders, ${report.trades} trades (${report.pnlTrades} in the P&L ledger); ` +
    `alert log: ${report.alerts.price} price alerts, ${report.alerts.order} order events, ${report.alerts.outcome} outcomes, ${report.alerts.shown} banners shown; ` +
    `${report.checks} checks; ` +
    `${report.violations.length} violations; ${Math.round(report.ms / 1000)} s\n`,
);
for (const v of report.violations) process.stdout.write(`  seed ${report.seed}: ${v}\n`);
process.exit(report.violations.length === 0 ? 0 : 1);
