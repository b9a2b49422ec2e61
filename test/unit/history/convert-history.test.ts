/**
 * Convert history paging: 30-day windows over the whole period, and within a window, while the
 * exchange says moreData, asked again up to the oldest time seen; overlaps are stored once and
 * only completed conversions count.
 */
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { createAccountHistorySync } from '../../../src/main/history/account-history-sync';
import type { RestRequest } from '../../../src/main/exchange/rest-client';
import { createHistoryRepository } from '../../../src/main/storage/history-repository';

const DAY = 86_400_000;
const NOW = 1_000 * DAY;

/** Conversions at these times; the fake exchange gives at most 2 per page, newest first. */
const times = [NOW - 70 * DAY, NOW - 10 * DAY - 5, NOW - 10 * DAY, NOW - 10 * DAY, NOW - 9 * DAY, NOW - DAY];
const flows = times.map((t, i) => ({
  quoteId: `q${i}`,
  orderId: String(940_708_407_462_087_000n + BigInt(i)),
  orderStatus: i === 4 ? 'PROCESS' : 'SUCCESS',
  fromAsset: 'USDT',
  fromAmount: '10',
  toAsset: 'BNB',
  toAmount: `0.0${i + 1}`,
  ratio: '0.001',
  inverseRatio: '1000',
  createTime: t,
}));

describe('Convert history sync', () => {
  it('covers the period in 30-day windows, follows moreData back to the oldest time, stores each completed conversion once', async () => {
    const asked: Array<{ startTime: number; endTime: number }> = [];
    const rest = {
      requestWithMeta: async (req: RestRequest) => {
        const p = req.params as Record<string, number>;
        let data: unknown = [];
        if (req.path === '/sapi/v1/asset/dribblet') data = { total: 0, userAssetDribblets: [] };
        if (req.path === '/sapi/v1/convert/tradeFlow') {
          expect(p['endTime']! - p['startTime']!).toBeLessThanOrEqual(30 * DAY);
          asked.push({ startTime: p['startTime']!, endTime: p['endTime']! });
          const inWindow = flows
            .filter((f) => f.createTime >= p['startTime']! && f.createTime <= p['endTime']!)
            .sort((a, b) => b.createTime - a.createTime);
          data = { list: inWindow.slice(0, 2), startTime: p['startTime'], endTime: p['endTime'], limit: 2, moreData: inWindow.length > 2 };
        }
        return { data: data as never, httpStatus: 200, headers: {}, durationMs: 1 };
      },
    };
    const repo = createHistoryRepository(new DatabaseSync(':memory:'));
    const sync = createAccountHistorySync({
      rest,
      repo,
      environment: 'production',
      symbols: () => [],
      heldAssets: () => [],
      transfersAvailable: true,
      now: () => NOW,
      sleep: async () => undefined,
      historyDays: 100,
    });
    expect((await sync.sync()).phase).toBe('done');
    const stored = repo
      .transfers('production')
      .filter((t) => t.id.startsWith('convert-'))
      .map((t) => [t.id, t.time, t.toAmount]);
    // Every SUCCESS conversion once (the one still PROCESSing is not one yet).
    expect(stored.sort()).toEqual(
      flows
        .filter((f) => f.orderStatus === 'SUCCESS')
        .map((f) => [`convert-${f.orderId}`, f.createTime, f.toAmount])
        .sort(),
    );
    // The last window holds five: asked again up to the oldest time seen while there is more, and once
    // more just before it when a page was all of one time (two at NOW - 10 d).
    const last = asked.filter((a) => a.startTime === NOW - 11 * DAY).map((a) => a.endTime);
    expect(last).toEqual([NOW, NOW - 9 * DAY, NOW - 10 * DAY, NOW - 10 * DAY - 1]);
    // The 101 days from the start of the history (a day of overlap) to now, 30 days at a time.
    expect(new Set(asked.map((a) => a.startTime)).size).toBe(4);
  });
});
