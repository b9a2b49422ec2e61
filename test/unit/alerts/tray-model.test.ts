/**
 * The tray model is computed in the core (no Electron), so what the tray says is tested in Node:
 * total and 24 h change in the tooltip and title, masked in privacy mode; the menu lists the top
 * holdings or the watch symbols with price and change, and the pause/resume items.
 */
import { describe, expect, it } from 'vitest';
import { computeTrayModel, tomorrowMorning, TRAY_MASK } from '../../../src/main/alerts/tray-model';
import { defaultAlertSettings, type PortfolioSnapshot } from '../../../src/shared/domain';

const T0 = Date.UTC(2026, 11, 4, 12, 0);
const snapshot: PortfolioSnapshot = {
  environment: 'demo',
  seq: 3,
  quote: 'USDT',
  total: '58123.456',
  total24hChange: '512.1',
  total24hChangePct: '0.89',
  asOf: T0,
  freshness: { state: 'live', since: T0 },
  holdings: [
    {
      asset: 'USDT',
      free: '25000',
      locked: '0',
      total: '25000',
      price: '1',
      value: '25000',
      change24hPct: '0',
      share: '43',
      priceRoute: 'quote',
    },
    {
      asset: 'BTC',
      free: '0.5',
      locked: '0',
      total: '0.5',
      price: '64250.5',
      value: '32125.25',
      change24hPct: '-1.5',
      share: '55',
      priceRoute: 'direct',
    },
    {
      asset: 'ETH',
      free: '0.3',
      locked: '0',
      total: '0.3',
      price: '3120',
      value: '936',
      change24hPct: '2.25',
      share: '1.6',
      priceRoute: 'direct',
    },
  ],
};
const base = {
  snapshot,
  privacy: false,
  settings: defaultAlertSettings(),
  watch: [],
  windowVisible: true,
  now: T0,
  offsetMinutes: () => 0,
};

describe('tray model', () => {
  it('shows the total and 24 h change, and the top holdings by value with price and change', () => {
    const m = computeTrayModel(base);
    expect(m.tooltip).toBe('Perch — 58,123.45 USDT (+0.89 % 24 h)');
    expect(m.title).toBe('58,123.45 USDT');
    expect(m.items.map((i) => i.label)).toEqual([
      'Hide Perch',
      'Hide amounts',
      '',
      'BTC  64,250.5  -1.5 %',
      'ETH  3,120  +2.25 %',
      '',
      'Pause alerts for 1 hour',
      'Pause alerts until tomorrow',
      '',
      'Quit Perch',
    ]);
    expect(m.items.find((i) => i.id === 'privacy')?.checked).toBe(false);
  });

  it('masks the total and its 24 h change in privacy mode (market prices stay)', () => {
    const m = computeTrayModel({ ...base, privacy: true });
    expect(m.tooltip).toBe(`Perch — ${TRAY_MASK}`);
    expect(m.title).toBe(TRAY_MASK);
    expect(JSON.stringify(m)).not.toContain('58,123');
    expect(m.items.find((i) => i.id === 'privacy')?.checked).toBe(true);
  });

  it('lists the watch symbols when chosen, says stale, and offers resume while paused', () => {
    const m = computeTrayModel({
      ...base,
      windowVisible: false,
      settings: { ...defaultAlertSettings(), trayShows: 'watchlist', pausedUntil: T0 + 3_600_000 },
      watch: [
        { symbol: 'SOLUSDT', last: '145.62', changePercent: '3.1', stale: false },
        { symbol: 'XRPUSDT', last: '0.52345', changePercent: null, stale: true },
      ],
    });
    expect(m.items.map((i) => i.label)).toEqual([
      'Show Perch',
      'Hide amounts',
      '',
      'SOLUSDT  145.62  +3.1 %',
      'XRPUSDT  0.5234  (stale)',
      '',
      'Alerts paused until 13:00',
      'Resume alerts',
      '',
      'Quit Perch',
    ]);
  });

  it('a stale portfolio says so; "until tomorrow" is the next local 08:00', () => {
    expect(computeTrayModel({ ...base, snapshot: { ...snapshot, freshness: { state: 'stale', since: T0 } } }).tooltip).toMatch(/— stale$/);
    expect(tomorrowMorning(T0, () => 60)).toBe(Date.UTC(2026, 11, 5, 7, 0));
  });
  it('before the first snapshot: just "Perch", no total, no holdings; a total with no known 24 h change has none', () => {
    const m = computeTrayModel({ ...base, snapshot: null });
    expect(m.tooltip).toBe('Perch');
    expect(m.title).toBe('');
    expect(m.items.filter((i) => i.id.startsWith('open:'))).toEqual([]);
    expect(m.asOf).toBe(T0);
    expect(computeTrayModel({ ...base, snapshot: { ...snapshot, total24hChangePct: null } }).tooltip).toBe('Perch — 58,123.45 USDT');
  });

  it('the top five holdings by value, without unpriced ones or the quote currency; small prices keep four significant digits', () => {
    const h = (asset: string, value: string | null, price: string | null, extra = {}) => ({
      asset,
      free: '1',
      locked: '0',
      total: '1',
      price,
      value,
      change24hPct: null,
      share: null,
      priceRoute: 'direct' as const,
      ...extra,
    });
    const m = computeTrayModel({
      ...base,
      snapshot: {
        ...snapshot,
        holdings: [
          h('USDT', '1000000', '1', { priceRoute: 'quote' as const }),
          h('AAA', '5', '5'),
          h('BBB', '900', '0.000123456'),
          h('CCC', null, null),
          h('DDD', '20', '20', { stale: true as const }),
          h('EEE', '300', '1.23456'),
          h('FFF', '40', '40'),
          h('GGG', '1', '1'),
        ],
      },
    });
    expect(m.items.filter((i) => i.id.startsWith('open:')).map((i) => i.label)).toEqual([
      'BBB  0.0001234',
      'EEE  1.23',
      'FFF  40',
      'DDD  20  (stale)',
      'AAA  5',
    ]);
  });

  it('a watched symbol without a price says so', () => {
    const m = computeTrayModel({
      ...base,
      settings: { ...defaultAlertSettings(), trayShows: 'watchlist' },
      watch: [{ symbol: 'SOLUSDT', last: null, changePercent: null, stale: true }],
    });
    expect(m.items.find((i) => i.id === 'open:SOLUSDT')?.label).toBe('SOLUSDT  no price  (stale)');
  });

  it('a pause that ends now is over: the pause items are back', () => {
    const m = computeTrayModel({ ...base, settings: { ...defaultAlertSettings(), pausedUntil: T0 } });
    expect(m.items.map((i) => i.id)).toContain('pause-1h');
    expect(m.items.map((i) => i.id)).not.toContain('resume-alerts');
    const later = computeTrayModel({ ...base, settings: { ...defaultAlertSettings(), pausedUntil: T0 + 1 } });
    expect(later.items.find((i) => i.id === 'alerts-paused')?.label).toBe('Alerts paused until 12:00');
    expect(later.items.find((i) => i.id === 'alerts-paused')?.enabled).toBe(false);
  });

  it('"until tomorrow" west of Greenwich and across a month end', () => {
    // 23:30 on 30 Nov at UTC-5 is 04:30 UTC on 1 Dec: tomorrow 08:00 there is 1 Dec 13:00 UTC
    expect(tomorrowMorning(Date.UTC(2026, 11, 1, 4, 30), () => -300)).toBe(Date.UTC(2026, 11, 1, 13, 0));
    expect(tomorrowMorning(Date.UTC(2026, 11, 31, 12, 0), () => 0)).toBe(Date.UTC(2027, 0, 1, 8, 0));
  });
  it('the menu items: ids, which can be clicked, the mask itself, at most five watch rows, an unpriced holding left out', () => {
    const w = (symbol: string) => ({ symbol, last: '1', changePercent: null, stale: false });
    const m = computeTrayModel({
      ...base,
      privacy: true,
      settings: { ...defaultAlertSettings(), trayShows: 'watchlist' },
      watch: ['A', 'B', 'C', 'D', 'E', 'F'].map((x) => w(`${x}USDT`)),
    });
    expect(m.title).toBe('•••••');
    expect(m.items.map((i) => [i.id, i.enabled])).toEqual([
      ['toggle-window', true],
      ['privacy', true],
      ['separator:1', false],
      ['open:AUSDT', true],
      ['open:BUSDT', true],
      ['open:CUSDT', true],
      ['open:DUSDT', true],
      ['open:EUSDT', true],
      ['separator:2', false],
      ['pause-1h', true],
      ['pause-tomorrow', true],
      ['separator:3', false],
      ['quit', true],
    ]);
    const paused = computeTrayModel({ ...base, settings: { ...defaultAlertSettings(), pausedUntil: T0 + 60_000 } });
    expect(paused.items.slice(-4).map((i) => [i.id, i.enabled])).toEqual([
      ['alerts-paused', false],
      ['resume-alerts', true],
      ['separator:3', false],
      ['quit', true],
    ]);
    const unpriced = computeTrayModel({
      ...base,
      snapshot: { ...snapshot, holdings: [...snapshot.holdings, { ...snapshot.holdings[1]!, asset: 'ZZZ', price: null, value: null }] },
    });
    expect(unpriced.items.map((i) => i.id)).not.toContain('open:ZZZ');
  });
});
