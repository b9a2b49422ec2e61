/**
 * What the tray shows, computed in the core (no Electron): the tooltip and macOS title with the
 * total and its 24 h change (both masked in privacy mode), and the menu. The Electron adapter draws
 * it; the web host shows the same model in the page.
 */
import type { AlertSettings, PortfolioSnapshot, TrayItem, TrayModel, WatchItem } from '../../shared/domain';
import { Decimal } from '../../shared/money';
import { clockText, groupDecimal, signedPercent } from './format';

export const TRAY_MASK = '•••••';
/** The tray is redrawn at most this often (some desktops flicker on every change). */
export const TRAY_MIN_INTERVAL_MS = 3_000;
const MAX_ROWS = 5;

export interface TrayInput {
  readonly snapshot: PortfolioSnapshot | null;
  readonly privacy: boolean;
  readonly settings: AlertSettings;
  readonly watch: readonly WatchItem[];
  readonly windowVisible: boolean;
  readonly now: number;
  readonly offsetMinutes: (t: number) => number;
}

function priceText(value: string): string {
  const d = new Decimal(value);
  // a price keeps enough digits to be useful: 2 decimals above 1, significant digits below
  return groupDecimal(
    d.gte(1) ? d.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed() : d.toSignificantDigits(4, Decimal.ROUND_DOWN).toFixed(),
  );
}

function row(id: string, label: string, price: string | null, change: string | null, stale: boolean): TrayItem {
  const p = price === null ? 'no price' : priceText(price);
  const c = change === null ? '' : `  ${signedPercent(change)}`;
  return { id, label: `${label}  ${p}${c}${stale ? '  (stale)' : ''}`, enabled: true };
}

export function computeTrayModel(i: TrayInput): TrayModel {
  const s = i.snapshot;
  let summary = 'Perch';
  let title = '';
  if (s !== null) {
    const total = i.privacy ? TRAY_MASK : `${priceText(s.total)} ${s.quote}`;
    // The total's change is about the amount held (the window hides it in privacy mode too).
    const pct = s.total24hChangePct === null || i.privacy ? '' : ` (${signedPercent(s.total24hChangePct)} 24 h)`;
    const stale = s.freshness.state === 'live' ? '' : ` — ${s.freshness.state}`;
    summary = `Perch — ${total}${pct}${stale}`;
    title = i.privacy ? TRAY_MASK : `${priceText(s.total)} ${s.quote}`;
  }
  const items: TrayItem[] = [
    { id: 'toggle-window', label: i.windowVisible ? 'Hide Perch' : 'Show Perch', enabled: true },
    { id: 'privacy', label: 'Hide amounts', enabled: true, checked: i.privacy },
    { id: 'separator:1', label: '', enabled: false },
  ];
  if (i.settings.trayShows === 'watchlist') {
    for (const w of i.watch.slice(0, MAX_ROWS)) items.push(row(`open:${w.symbol}`, w.symbol, w.last, w.changePercent, w.stale));
  } else if (s !== null) {
    const top = [...s.holdings]
      .filter((h) => h.value !== null && h.priceRoute !== 'quote')
      .sort((a, b) => new Decimal(b.value ?? '0').cmp(new Decimal(a.value ?? '0')))
      .slice(0, MAX_ROWS);
    // Prices are market data (visible in privacy mode); the holding's value is not shown here.
    for (const h of top) items.push(row(`open:${h.asset}`, h.asset, h.price, h.change24hPct, h.stale === true));
  }
  items.push({ id: 'separator:2', label: '', enabled: false });
  const paused = i.settings.pausedUntil !== null && i.settings.pausedUntil > i.now;
  if (paused) {
    items.push({
      id: 'alerts-paused',
      label: `Alerts paused until ${clockText(i.settings.pausedUntil ?? i.now, i.now, i.offsetMinutes)}`,
      enabled: false,
    });
    items.push({ id: 'resume-alerts', label: 'Resume alerts', enabled: true });
  } else {
    items.push({ id: 'pause-1h', label: 'Pause alerts for 1 hour', enabled: true });
    items.push({ id: 'pause-tomorrow', label: 'Pause alerts until tomorrow', enabled: true });
  }
  items.push({ id: 'separator:3', label: '', enabled: false });
  items.push({ id: 'quit', label: 'Quit Perch', enabled: true });
  return { tooltip: summary, title, items, asOf: i.now };
}

/** "Until tomorrow": the next local 08:00. */
export function tomorrowMorning(now: number, offsetMinutes: (t: number) => number): number {
  const off = offsetMinutes(now) * 60_000;
  const local = new Date(now + off);
  const next = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1, 8, 0, 0);
  return next - off;
}
