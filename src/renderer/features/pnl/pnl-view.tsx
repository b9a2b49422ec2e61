// Over 500 lines: the P&L screen's sections share its range, method and data; a split along them is left to the P&L work in progress.
/**
 * P&L: total return against net deposits, realized and unrealized P&L, the value over time
 * (reconstructed from trades, transfers and daily prices back to the first trade), daily P&L,
 * allocation, holdings with their average cost and gains, every trade, a per-asset page, and CSV
 * export. Charts are drawn without animation, follow the theme through CSS, mask every amount in
 * privacy mode (axes and tooltips too), and each has its figures as text below it.
 */
import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
  usePlotArea,
  useXAxisScale,
  useYAxisScale,
} from 'recharts';
import type { PnlHoldingView, PnlSummaryView } from '../../../shared/domain/pnl';
import type { DepositCostInput, PnlAssetDetail, PnlDepositRow, PnlOverview, PnlRange, PnlTradeRow } from '../../../shared/ipc/pnl-contract';
import {
  MASK,
  formatClock,
  formatPercent,
  formatPrice,
  formatQuantity,
  formatSignedValue,
  formatValue,
  money,
  signOf,
} from '../../app/format';
import { usePrivacy, useStore, useView } from '../../app/store-context';
import { useAlertsStore } from '../alerts/alerts-context';
import './pnl.css';

type Method = 'average' | 'fifo';
type Sub = 'overview' | 'trades' | 'deposits' | 'asset';
const RANGES: ReadonlyArray<[PnlRange, string]> = [
  ['24h', '24 h'],
  ['7d', '7 d'],
  ['30d', '30 d'],
  ['90d', '90 d'],
  ['1y', '1 y'],
  ['all', 'All'],
];

const DAY = 86_400_000;
// Every time on these pages is the app's one format: the time today, the date before any other day's.
const dateText = (t: number): string => formatClock(t);
// One formatter for the date axes: toLocaleDateString with options builds a new one per call, and
// an axis asks for hundreds of labels on each draw.
const dayFormat = new Intl.DateTimeFormat(undefined, { year: '2-digit', month: 'short', day: 'numeric' });
const dayText = (t: number): string => dayFormat.format(t);
/** A time axis label: the day, or within a day or two the time (with its date when not today). */
const timeAxisText = (spanMs: number): ((t: number) => string) => (spanMs > 2 * DAY ? dayText : (t) => formatClock(t).slice(0, -3));
const num = (s: string | null): number | null => (s === null ? null : Number(s));
/** The grid has no vertical lines: nothing to place (else recharts lays out the axis ticks again for it). */
const noLines = (): number[] => [];
/** The value chart's plot width in pixels: the view less the axis, margins and padding. */
const plotWidth = (viewWidth: number): number => Math.max(200, Math.min(4000, Math.round(viewWidth - 100)));

/** The text alternative of a series: the last point of each day (of each hour within a day or two), latest 30. */
function lastPerPeriod<P extends { t: number }>(series: readonly P[]): P[] {
  const first = series[0];
  const last = series[series.length - 1];
  if (first === undefined || last === undefined) return [];
  const hourly = last.t - first.t <= 2 * DAY;
  // The local day (or hour) a time falls in, as a number.
  const key = (t: number): number => Math.floor((t - new Date(t).getTimezoneOffset() * 60_000) / (hourly ? 3_600_000 : DAY));
  const out: P[] = [];
  let current = NaN;
  for (let i = series.length - 1; i >= 0 && out.length < 30; i--) {
    const p = series[i]!;
    const k = key(p.t);
    if (k !== current) out.push(p);
    current = k;
  }
  return out.reverse();
}

function SyncBar({ overview, onChanged }: Readonly<{ overview: PnlOverview | null; onChanged: () => void }>): React.JSX.Element | null {
  const store = useStore();
  const [symbol, setSymbol] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  if (!overview) return null;
  const s = overview.sync;
  const running = s.phase === 'transfers' || s.phase === 'trades' || s.phase === 'paused';
  const eta = s.etaMs !== null && s.etaMs > 0 ? ` · about ${Math.max(1, Math.round(s.etaMs / 1000))} s left` : '';
  return (
    <section className="pnl-sync" data-testid="pnl-sync" aria-label="History sync">
      {running ? (
        <div role="status">
          <progress max={Math.max(1, s.symbolsTotal)} value={s.symbolsDone} aria-label="Symbols read" />
          <span>
            {s.phase === 'transfers'
              ? 'Reading deposits, withdrawals and conversions…'
              : s.phase === 'paused'
                ? `Paused to keep request weight for trading; continues at ${s.pausedUntil ? dateText(s.pausedUntil) : 'the next minute'}.`
                : `Reading trades: ${s.symbolsDone} of ${s.symbolsTotal} symbols${s.symbol ? ` (${s.symbol})` : ''}`}{' '}
            · {s.tradesFound.toLocaleString()} trades found · request weight {s.weightCost.toLocaleString()}
            {s.weightUsed !== null ? ` (${s.weightUsed.toLocaleString()} of ${s.weightLimit.toLocaleString()} this minute)` : ''}
            {eta}
          </span>
          <button type="button" className="link" onClick={() => void store.call('pnl:cancelSync').then(onChanged)}>
            Stop
          </button>
        </div>
      ) : (
        <div className="small muted">
          {s.phase === 'error' ? <span className="warn">History sync stopped: {s.error} </span> : null}
          {s.phase === 'cancelled' ? <span>History sync stopped; it continues where it left off. </span> : null}
          {s.lastSyncedAt ? <span>History read {dateText(s.lastSyncedAt)} · </span> : null}
          <span>
            Deposits, withdrawals and conversions (Convert, small balances to BNB):{' '}
            {s.transfers === 'synced' ? 'included' : 'not available on this environment'} ·{' '}
          </span>
          <span title={overview.summary?.coveredSymbols.join(', ') ?? ''}>
            Trades of {overview.summary?.coveredSymbols.length ?? s.symbolsTotal} symbols are covered (the assets you hold or held against
            common quotes).
          </span>
          <button type="button" className="link" onClick={() => void store.call('pnl:sync').then(onChanged)}>
            Read again
          </button>
          {overview.summary ? (
            <details>
              <summary>Covered symbols</summary>
              <p className="pnl-covered">{overview.summary.coveredSymbols.join(', ')}</p>
            </details>
          ) : null}
        </div>
      )}
      <form
        className="pnl-add-symbol"
        onSubmit={(e) => {
          e.preventDefault();
          void store.call('pnl:addSymbol', { symbol }).then((res) => {
            setMessage(res.ok ? res.value.message : res.error.message);
            if (res.ok && res.value.added) setSymbol('');
            onChanged();
          });
        }}
      >
        <label>
          Missing a pair? Add a symbol
          <input value={symbol} maxLength={40} placeholder="e.g. DOGEUSDT" onChange={(e) => setSymbol(e.target.value)} />
        </label>
        <button type="submit" disabled={symbol.trim() === ''}>
          Add
        </button>
        {message ? (
          <span className="small" role="status">
            {message}
          </span>
        ) : null}
      </form>
    </section>
  );
}

function Figure({
  label,
  value,
  sign,
  hint,
}: Readonly<{ label: string; value: string; sign?: 'up' | 'down' | 'flat'; hint?: string }>): React.JSX.Element {
  return (
    <div className="pnl-figure">
      <div className="muted small">{label}</div>
      <div className={`pnl-figure-value ${sign ?? ''}`} data-money="">
        {value}
      </div>
      {hint ? <div className="muted small">{hint}</div> : null}
    </div>
  );
}

function Summary({ summary, privacy }: Readonly<{ summary: PnlSummaryView; privacy: boolean }>): React.JSX.Element {
  const q = summary.quote;
  const pct = Number(summary.netInvested) > 0 ? ((Number(summary.totalReturn) / Number(summary.netInvested)) * 100).toFixed(2) : null;
  return (
    <section className="pnl-figures" aria-label="Totals">
      <Figure
        label={`Value (${q})`}
        value={money(privacy, formatValue(summary.value, q))}
        hint={summary.valueComplete ? `as of ${dateText(summary.asOf)}` : 'some holdings have no price'}
      />
      <Figure
        label="Net deposits"
        value={money(privacy, formatValue(summary.netInvested, q))}
        hint={`deposits ${money(privacy, formatValue(summary.deposits, q))} − withdrawals ${money(privacy, formatValue(summary.withdrawals, q))}`}
      />
      <Figure
        label="Total return"
        value={money(privacy, formatSignedValue(summary.totalReturn, q))}
        sign={signOf(summary.totalReturn)}
        hint={pct !== null ? money(privacy, formatPercent(pct)) : undefined}
      />
      <Figure label="Realized P&L" value={money(privacy, formatSignedValue(summary.realized, q))} sign={signOf(summary.realized)} />
      <Figure label="Unrealized P&L" value={money(privacy, formatSignedValue(summary.unrealized, q))} sign={signOf(summary.unrealized)} />
      <div className="pnl-periods small" aria-label="P&L per period">
        {summary.periods.map((p) => (
          <span key={p.label}>
            {p.label}:{' '}
            <b data-money="" className={signOf(p.pnl)}>
              {p.pnl === null ? '—' : money(privacy, formatSignedValue(p.pnl, q))}
            </b>
          </span>
        ))}
      </div>
      <PriceSourceNote sources={summary.priceSources} />
      {Number(summary.assumedDepositCost) > 0 ? (
        <p className="small muted pnl-note">
          Some deposits have no known cost; they count at their value when they arrived (
          {money(privacy, formatValue(summary.assumedDepositCost, q))} in all). Rows marked * use that value.
        </p>
      ) : null}
    </section>
  );
}

/** Which prices valued fees and trades at their time: the trade's minute, else (said) its hour or day. */
function PriceSourceNote({ sources }: Readonly<{ sources: PnlSummaryView['priceSources'] }>): React.JSX.Element | null {
  const { minute, hour, day, pending } = sources;
  if (minute + hour + day === 0) return null;
  const coarse = [
    hour > 0 ? `the hour’s price applies to ${hour.toLocaleString()}` : null,
    day > 0 ? `the day’s to ${day.toLocaleString()}` : null,
  ]
    .filter((x) => x !== null)
    .join(' and ');
  return (
    <p className="small muted pnl-note" data-testid="pnl-price-sources">
      Fees paid in another asset, trades in other pairs and transfers are valued at the price of their minute ({minute.toLocaleString()} of{' '}
      {(minute + hour + day).toLocaleString()}).
      {pending > 0
        ? ` ${pending.toLocaleString()} minute prices are still being fetched, a few at a time to spare request weight; until then ${coarse || 'the hour’s or day’s price applies'}.`
        : coarse
          ? ` Where the minute’s price was not available, ${coarse}.`
          : ''}
    </p>
  );
}

const ValueChart = memo(function ValueChart({
  overview,
  privacy,
}: Readonly<{ overview: PnlOverview; privacy: boolean }>): React.JSX.Element {
  const q = overview.summary?.quote ?? 'USDT';
  const series = overview.series;
  const data = useMemo(() => series.map((p) => ({ t: p.t, value: num(p.value), pnl: num(p.pnl) })), [series]);
  const gaps = useMemo(() => data.some((d) => d.value === null), [data]);
  const rows = useMemo(() => lastPerPeriod(series), [series]);
  const xTick = useMemo(() => timeAxisText((series[series.length - 1]?.t ?? 0) - (series[0]?.t ?? 0)), [series]);
  const yTick = useCallback(
    (v: number): string => (privacy ? MASK : Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0)),
    [privacy],
  );
  // The figures of the point itself, from the strings main sent (the line is drawn from numbers).
  const exact = useMemo(() => new Map(series.map((p) => [p.t, p])), [series]);
  const tooltipValue = useCallback(
    (v: unknown, name: unknown, item: { payload?: { t?: number } }): [string, string] => {
      const p = item.payload?.t !== undefined ? exact.get(item.payload.t) : undefined;
      const text = name === 'value' ? (p?.value ?? String(v)) : (p?.pnl ?? String(v));
      return [
        privacy ? MASK : name === 'value' ? formatValue(text, q) : formatSignedValue(text, q),
        name === 'value' ? 'Value' : 'P&L (value − net deposits)',
      ];
    },
    [exact, privacy, q],
  );
  const tooltipLabel = useCallback((t: unknown) => dateText(Number(t)), []);
  return (
    <figure className="pnl-chart" aria-label={`Portfolio value and P&L over time in ${q}`}>
      <figcaption>
        Value and P&L ({q}){gaps ? <span className="muted small"> · gaps where prices are missing</span> : null}
      </figcaption>
      <div className="pnl-chart-box" data-testid="value-chart" data-points={series.length}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
            <CartesianGrid className="pnl-grid" vertical={false} verticalCoordinatesGenerator={noLines} />
            <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={xTick} minTickGap={40} />
            <YAxis tickFormatter={yTick} width={56} />
            <Tooltip isAnimationActive={false} labelFormatter={tooltipLabel} formatter={tooltipValue} />
            <Line className="pnl-line-value" dataKey="value" dot={false} isAnimationActive={false} connectNulls={false} strokeWidth={2} />
            <Line className="pnl-line-pnl" dataKey="pnl" dot={false} isAnimationActive={false} connectNulls={false} strokeWidth={1.5} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details className="small">
        <summary>Figures as text</summary>
        <table className="pnl-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Value</th>
              <th>P&L</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.t}>
                <td>{dateText(p.t)}</td>
                <td data-money="">{p.value === null ? 'no price' : money(privacy, formatValue(p.value, q))}</td>
                <td data-money="">{p.pnl === null ? '—' : money(privacy, formatSignedValue(p.pnl, q))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
});

/**
 * The daily bars as two paths (gains, losses) instead of an element per bar: recharts remounts
 * every bar element when the range changes, and a year of them took longer than a frame to build.
 */
function DailyBars({ data }: Readonly<{ data: ReadonlyArray<{ t: number; v: number | null }> }>): React.JSX.Element | null {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const area = usePlotArea();
  if (!x || !y || !area || data.length === 0) return null;
  const y0 = y(0) ?? area.y + area.height;
  const band = area.width / data.length;
  const w = Math.max(1, band * 0.8);
  let up = '';
  let down = '';
  let count = 0;
  for (const d of data) {
    if (d.v === null || d.v === 0) continue;
    const left = x(d.t, { position: 'middle' });
    const top = y(d.v);
    if (left === undefined || top === undefined) continue;
    const bar = `M${(left - w / 2).toFixed(1)},${y0.toFixed(1)}V${top.toFixed(1)}h${w.toFixed(1)}V${y0.toFixed(1)}Z`;
    if (d.v > 0) up += bar;
    else down += bar;
    count++;
  }
  return (
    <g className="pnl-daily-bars" data-bars={count}>
      <path className="pnl-bar-up" d={up} />
      <path className="pnl-bar-down" d={down} />
    </g>
  );
}

const DailyChart = memo(function DailyChart({
  overview,
  privacy,
}: Readonly<{ overview: PnlOverview; privacy: boolean }>): React.JSX.Element {
  const q = overview.summary?.quote ?? 'USDT';
  const daily = overview.daily;
  const data = useMemo(() => daily.map((d) => ({ t: d.t, v: num(d.pnl), pnl: d.pnl })), [daily]);
  const yTick = useCallback((v: number): string => (privacy ? MASK : v.toFixed(0)), [privacy]);
  const tooltipValue = useCallback(
    (v: unknown, _name: unknown, item: { payload?: { pnl?: string | null } }): [string, string] => [
      privacy ? MASK : formatSignedValue(item.payload?.pnl ?? String(v), q),
      'P&L that day',
    ],
    [privacy, q],
  );
  const tooltipLabel = useCallback((t: unknown) => dayText(Number(t)), []);
  // Every few days a label: the axis does not measure each of up to 400 labels to choose.
  const interval = Math.max(0, Math.ceil(data.length / 8) - 1);
  return (
    <figure className="pnl-chart" aria-label={`Daily P&L in ${q}`}>
      <figcaption>Daily P&L ({q})</figcaption>
      <div className="pnl-chart-box small-chart" data-testid="daily-chart">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
            <CartesianGrid className="pnl-grid" vertical={false} verticalCoordinatesGenerator={noLines} />
            <XAxis dataKey="t" scale="band" tickFormatter={dayText} interval={interval} />
            <YAxis tickFormatter={yTick} width={56} />
            <ReferenceLine y={0} className="pnl-zero" ifOverflow="extendDomain" />
            <Tooltip isAnimationActive={false} labelFormatter={tooltipLabel} formatter={tooltipValue} />
            {/* Not drawn: it gives the axis its range and the tooltip its figure; the bars are drawn below. */}
            <Line dataKey="v" stroke="none" dot={false} activeDot={false} isAnimationActive={false} legendType="none" />
            <DailyBars data={data} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <details className="small">
        <summary>Figures as text</summary>
        <ul>
          {daily.slice(-14).map((d) => (
            <li key={d.t}>
              {dayText(d.t)}: <span data-money="">{d.pnl === null ? 'no price' : money(privacy, formatSignedValue(d.pnl, q))}</span>
            </li>
          ))}
        </ul>
      </details>
    </figure>
  );
});

function Allocation({
  holdings,
  quote,
  privacy,
}: Readonly<{ holdings: readonly PnlHoldingView[]; quote: string; privacy: boolean }>): React.JSX.Element {
  const priced = holdings.filter((h) => h.value !== null && Number(h.value) > 0);
  const total = priced.reduce((s, h) => s + Number(h.value), 0);
  const rows = priced
    .map((h) => ({ asset: h.asset, share: total > 0 ? (Number(h.value) / total) * 100 : 0, value: h.value! }))
    .sort((a, b) => b.share - a.share);
  return (
    <figure className="pnl-chart" aria-label="Allocation by asset">
      <figcaption>Allocation</figcaption>
      <ul className="pnl-allocation" data-testid="allocation">
        {rows.map((r) => (
          <li key={r.asset}>
            <span className="pnl-alloc-asset">{r.asset}</span>
            <span className="pnl-alloc-bar">
              <span style={{ width: `${Math.max(0.5, r.share)}%` }} />
            </span>
            <span className="pnl-alloc-share">{r.share.toFixed(1)} %</span>
            <span className="muted small" data-money="">
              {money(privacy, formatValue(r.value, quote))}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function HoldingsGains({
  summary,
  privacy,
  onOpen,
}: Readonly<{ summary: PnlSummaryView; privacy: boolean; onOpen: (asset: string) => void }>): React.JSX.Element {
  const q = summary.quote;
  return (
    <table className="pnl-table" data-testid="pnl-holdings">
      <caption className="muted small">
        Cost basis by {summary.method === 'fifo' ? 'FIFO (first in, first out)' : 'average cost'}, fees included. Click an asset for its
        page.
      </caption>
      <thead>
        <tr>
          <th>Asset</th>
          <th className="num">Amount</th>
          <th className="num">Average cost</th>
          <th className="num">Value</th>
          <th className="num">Unrealized</th>
          <th className="num">%</th>
          <th className="num">Realized</th>
        </tr>
      </thead>
      <tbody>
        {summary.holdings
          .filter((h) => h.asset !== q)
          .map((h) => (
            <tr key={h.asset}>
              <td>
                <button type="button" className="link" onClick={() => onOpen(h.asset)}>
                  {h.asset}
                </button>
                {h.costAssumed ? <span title="Includes deposits of unknown cost, counted at their value on arrival"> *</span> : null}
                {h.missingHistory ? (
                  <span className="warn" title="More was sold than the synced history shows was bought: add the missing symbol">
                    {' '}
                    !
                  </span>
                ) : null}
              </td>
              <td className="num" data-money="">
                {money(privacy, formatQuantity(h.qty))}
              </td>
              <td className="num" data-money="">
                {h.averageCost === null ? '—' : money(privacy, formatPrice(h.averageCost, q))}
              </td>
              <td className="num" data-money="">
                {h.value === null ? 'no price' : money(privacy, formatValue(h.value, q))}
              </td>
              <td className={`num ${signOf(h.unrealized)}`} data-money="">
                {h.unrealized === null ? '—' : money(privacy, formatSignedValue(h.unrealized, q))}
              </td>
              <td className={`num ${signOf(h.unrealizedPct)}`}>
                {h.unrealizedPct === null ? '—' : money(privacy, formatPercent(h.unrealizedPct))}
              </td>
              <td className={`num ${signOf(h.realized)}`} data-money="">
                {money(privacy, formatSignedValue(h.realized, q))}
              </td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

function TradesTable({ rows, privacy }: Readonly<{ rows: readonly PnlTradeRow[]; privacy: boolean }>): React.JSX.Element {
  return (
    <table className="pnl-table" data-testid="pnl-trades">
      <thead>
        <tr>
          <th>Date</th>
          <th>Symbol</th>
          <th>Side</th>
          <th className="num">Price</th>
          <th className="num">Amount</th>
          <th className="num">Total</th>
          <th className="num">Fee</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={`${t.symbol}:${t.tradeId}`}>
            <td>{dateText(t.time)}</td>
            <td>{t.symbol}</td>
            <td className={t.side === 'BUY' ? 'up' : 'down'}>{t.side === 'BUY' ? 'Buy' : 'Sell'}</td>
            <td className="num" data-money="">
              {money(privacy, formatPrice(t.price, t.quote))}
            </td>
            <td className="num" data-money="">
              {money(privacy, `${formatQuantity(t.qty)} ${t.base}`)}
            </td>
            <td className="num" data-money="">
              {money(privacy, `${formatValue(t.quoteQty, t.quote)} ${t.quote}`)}
            </td>
            <td className="num" data-money="">
              {money(privacy, `${formatQuantity(t.fee)} ${t.feeAsset}`)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AllTrades({ privacy }: Readonly<{ privacy: boolean }>): React.JSX.Element {
  const store = useStore();
  const [asset, setAsset] = useState('');
  const [side, setSide] = useState<'' | 'BUY' | 'SELL'>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [result, setResult] = useState<{ rows: PnlTradeRow[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const a = asset.trim().toUpperCase();
    const input = {
      ...(a !== '' && /^[A-Z0-9]{1,20}$/.test(a) ? { asset: a } : {}),
      ...(side !== '' ? { side } : {}),
      ...(from !== '' ? { from: Date.parse(from) } : {}),
      ...(to !== '' ? { to: Date.parse(to) + 86_399_999 } : {}),
      limit: 500,
    };
    // A reply to an older filter must not replace the reply to the newer one.
    let current = true;
    void store.call('pnl:trades', input).then((res) => {
      if (!current) return;
      if (res.ok) {
        setResult(res.value);
        setError(null);
      } else setError(res.error.message);
    });
    return () => {
      current = false;
    };
  }, [store, asset, side, from, to]);
  return (
    <section aria-label="All trades">
      <div className="pnl-filters">
        <label>
          Asset <input value={asset} maxLength={20} placeholder="any" onChange={(e) => setAsset(e.target.value)} />
        </label>
        <label>
          Side{' '}
          <select value={side} onChange={(e) => setSide(e.target.value as '' | 'BUY' | 'SELL')}>
            <option value="">Buy and sell</option>
            <option value="BUY">Buy</option>
            <option value="SELL">Sell</option>
          </select>
        </label>
        <label>
          From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        {result ? (
          <span className="small muted" role="status">
            {result.total.toLocaleString()} trades{result.total > result.rows.length ? `, newest ${result.rows.length} shown` : ''}
          </span>
        ) : null}
      </div>
      {error ? <p className="warn">{error}</p> : null}
      {result ? <TradesTable rows={result.rows} privacy={privacy} /> : <p className="muted">Loading trades…</p>}
    </section>
  );
}

function DepositCostRow({
  row,
  quote,
  privacy,
  onSaved,
}: Readonly<{ row: PnlDepositRow; quote: string; privacy: boolean; onSaved: () => void }>): React.JSX.Element {
  const store = useStore();
  const [kind, setKind] = useState<DepositCostInput['kind']>(row.cost.kind);
  const [total, setTotal] = useState(row.cost.kind === 'entered' ? row.cost.total : '');
  const [message, setMessage] = useState<string | null>(null);
  const valid = kind !== 'entered' || /^\d+(\.\d+)?$/.test(total.trim());
  const save = (): void => {
    const cost: DepositCostInput = kind === 'entered' ? { kind, total: total.trim() } : { kind };
    void store.call('pnl:setDepositCost', { id: row.id, cost }).then((res) => {
      setMessage(res.ok ? (res.value.saved ? 'Saved.' : 'This deposit is no longer in the history.') : res.error.message);
      if (res.ok && res.value.saved) onSaved();
    });
  };
  if (row.asset === quote) {
    return (
      <tr>
        <td>{dateText(row.time)}</td>
        <td>{row.asset}</td>
        <td className="num" data-money="">
          {money(privacy, formatQuantity(row.amount))}
        </td>
        <td className="num" data-money="">
          {money(privacy, formatValue(row.amount, quote))}
        </td>
        <td>its own amount ({quote} is your valuation currency)</td>
        <td />
      </tr>
    );
  }
  const applies =
    row.cost.kind === 'entered'
      ? 'your cost'
      : row.cost.kind === 'market'
        ? 'value at deposit time (your choice)'
        : 'unknown: counted at its value on arrival *';
  return (
    <tr>
      <td>{dateText(row.time)}</td>
      <td>{row.asset}</td>
      <td className="num" data-money="">
        {money(privacy, formatQuantity(row.amount))}
      </td>
      <td className="num" data-money="">
        {row.valueAtDeposit === null ? 'no price' : money(privacy, formatValue(row.valueAtDeposit, quote))}
      </td>
      <td>{applies}</td>
      <td>
        <select
          aria-label={`Cost of the ${row.asset} deposit`}
          value={kind}
          onChange={(e) => setKind(e.target.value as DepositCostInput['kind'])}
        >
          <option value="unknown">Unknown</option>
          <option value="market">Value at deposit time</option>
          <option value="entered">I paid…</option>
        </select>
        {kind === 'entered' ? (
          <input
            aria-label={`What the ${row.asset} deposit cost you, in ${quote}`}
            className="pnl-cost-input"
            value={total}
            maxLength={40}
            placeholder={quote}
            onChange={(e) => setTotal(e.target.value)}
          />
        ) : null}
        <button type="button" disabled={!valid} onClick={save}>
          Save
        </button>
        {!valid ? <span className="warn small"> Enter what you paid in {quote}, like 1250.50.</span> : null}
        {message ? (
          <span className="small" role="status">
            {' '}
            {message}
          </span>
        ) : null}
      </td>
    </tr>
  );
}

function Deposits({ privacy, onChanged }: Readonly<{ privacy: boolean; onChanged: () => void }>): React.JSX.Element {
  const store = useStore();
  const [data, setData] = useState<{ quote: string; rows: PnlDepositRow[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void store.call('pnl:deposits').then((res) => (res.ok ? setData(res.value) : setError(res.error.message)));
  }, [store]);
  if (error) return <p className="warn">{error}</p>;
  if (!data) return <p className="muted">Loading deposits…</p>;
  return (
    <section aria-label="Deposits and their cost">
      <p className="small muted">
        Perch cannot know what coins that came from elsewhere cost you. Until you say, a deposit counts at its value when it arrived and is
        marked *. Enter what you paid, or confirm the value at deposit time.
      </p>
      <table className="pnl-table" data-testid="pnl-deposits">
        <thead>
          <tr>
            <th>Date</th>
            <th>Asset</th>
            <th className="num">Amount</th>
            <th className="num">Value on arrival</th>
            <th>Cost used</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((r) => (
            <DepositCostRow key={r.id} row={r} quote={data.quote} privacy={privacy} onSaved={onChanged} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Opens the alerts view with this asset's market prefilled, as a holding row does. */
function AlertLink({ symbol }: Readonly<{ symbol: string }>): React.JSX.Element | null {
  const alerts = useAlertsStore();
  if (alerts === null) return null;
  return (
    <button type="button" className="link" title={`Create an alert on ${symbol}`} onClick={() => alerts.draftFor(symbol)}>
      Alert…
    </button>
  );
}

function AssetPage({
  asset,
  method,
  summary,
  privacy,
}: Readonly<{ asset: string; method: Method; summary: PnlSummaryView; privacy: boolean }>): React.JSX.Element {
  const store = useStore();
  const [detail, setDetail] = useState<PnlAssetDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- another asset's page is cleared at once, before its answer arrives
    setDetail(null);
    let current = true;
    void store.call('pnl:asset', { asset, method }).then((res) => {
      if (!current) return;
      if (res.ok) setDetail(res.value);
      else setError(res.error.message);
    });
    return () => {
      current = false;
    };
  }, [store, asset, method]);
  const q = summary.quote;
  const h = summary.holdings.find((x) => x.asset === asset);
  const data = useMemo(() => {
    if (!detail) return [];
    const rows: Array<{ t: number; close?: number; avg?: number | null; buy?: number; sell?: number }> = detail.candles.map((c) => ({
      t: c.t,
      close: Number(c.close),
    }));
    for (const a of detail.averageCost) rows.push({ t: a.t, avg: num(a.cost) });
    for (const f of detail.fills)
      if (f.quote === q) rows.push(f.side === 'BUY' ? { t: f.time, buy: Number(f.price) } : { t: f.time, sell: Number(f.price) });
    return rows.sort((a, b) => a.t - b.t);
  }, [detail, q]);
  if (error) return <p className="warn">{error}</p>;
  if (!detail) return <p className="muted">Loading {asset}…</p>;
  return (
    <section aria-label={`${asset} P&L`} data-testid="pnl-asset">
      <div className="pnl-asset-head">
        <h2>{asset}</h2>
        {detail.symbol !== null ? <AlertLink symbol={detail.symbol} /> : null}
      </div>
      {h ? (
        <div className="pnl-figures">
          <Figure label="Amount" value={money(privacy, formatQuantity(h.qty))} />
          <Figure
            label="Average cost"
            value={h.averageCost === null ? '—' : money(privacy, formatPrice(h.averageCost, q))}
            hint={h.costAssumed ? 'includes deposits valued on arrival' : undefined}
          />
          <Figure
            label="Unrealized P&L"
            value={h.unrealized === null ? '—' : money(privacy, formatSignedValue(h.unrealized, q))}
            sign={signOf(h.unrealized)}
            hint={h.unrealizedPct ? money(privacy, formatPercent(h.unrealizedPct)) : undefined}
          />
          <Figure label="Realized P&L" value={money(privacy, formatSignedValue(h.realized, q))} sign={signOf(h.realized)} />
        </div>
      ) : null}
      <figure className="pnl-chart" aria-label={`${detail.symbol ?? asset} daily price with your fills and your average cost`}>
        <figcaption>{detail.symbol ?? asset} daily close, your buys (▲) and sells (◆), and your average cost</figcaption>
        <div className="pnl-chart-box" data-testid="asset-chart">
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
              <CartesianGrid className="pnl-grid" vertical={false} />
              <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={dayText} minTickGap={40} />
              <YAxis tickFormatter={(v: number) => (privacy ? MASK : formatPrice(String(v), q))} width={64} domain={['auto', 'auto']} />
              <Tooltip
                isAnimationActive={false}
                labelFormatter={(t) => dateText(Number(t))}
                formatter={(v, name) => [
                  privacy ? MASK : formatPrice(String(v), q),
                  name === 'close' ? 'Close' : name === 'avg' ? 'Your average cost' : name === 'buy' ? 'You bought at' : 'You sold at',
                ]}
              />
              <Line className="pnl-line-value" dataKey="close" dot={false} isAnimationActive={false} connectNulls />
              <Line className="pnl-line-avg" dataKey="avg" type="stepAfter" dot={false} isAnimationActive={false} connectNulls />
              <Scatter className="pnl-fill-buy" dataKey="buy" shape="triangle" isAnimationActive={false} />
              <Scatter className="pnl-fill-sell" dataKey="sell" shape="diamond" isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <h3>Trades of {asset}</h3>
      <TradesTable rows={[...detail.fills].reverse()} privacy={privacy} />
    </section>
  );
}

export function PnlView(): React.JSX.Element {
  const store = useStore();
  const privacy = usePrivacy();
  // The cost-basis method is a setting (Settings → Profit and loss); changing it here changes it there.
  const method = useView((s) => s.settings?.costMethod ?? 'average');
  const setMethod = (m: Method): void => {
    void store.updateSettings({ costMethod: m }).then((res) => {
      if (!res.ok) store.reportError(res.error.message);
    });
  };
  const [range, setRange] = useState<PnlRange>('1y');
  const [sub, setSub] = useState<Sub>('overview');
  const [asset, setAsset] = useState<string | null>(null);
  const [overview, setOverview] = useState<PnlOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  // The value chart's width in pixels, so main sends no more points than it can show. Read when
  // asking (a resize does not ask again: the series already there still draws the same line).
  const width = useRef(plotWidth(window.innerWidth));
  const viewRef = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    const el = viewRef.current;
    if (el === null || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(([entry]) => {
      if (entry && entry.contentRect.width > 0) width.current = plotWidth(entry.contentRect.width);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    let alive = true;
    void store.call('pnl:overview', { method, range, width: width.current }).then((res) => {
      if (!alive) return;
      if (res.ok) {
        // A transition: React draws the new charts in slices and the window stays responsive.
        startTransition(() => {
          setOverview(res.value);
          setError(null);
        });
      } else setError(res.error.message);
    });
    return () => {
      alive = false;
    };
  }, [store, method, range, tick]);

  // While the history is being read (or Perch is still connecting), look again every 2 s.
  const phase = overview?.sync.phase;
  const waiting =
    error !== null || overview === null || phase === 'transfers' || phase === 'trades' || phase === 'paused' || overview.summary === null;
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(refresh, 2000);
    return () => clearInterval(t);
  }, [waiting, refresh]);
  // Minute prices not fetched yet: each computation fetches some more (main recomputes at most once a minute).
  const pendingMinutes = (overview?.summary?.priceSources.pending ?? 0) > 0;
  useEffect(() => {
    if (waiting || !pendingMinutes) return;
    const t = setInterval(refresh, 30_000);
    return () => clearInterval(t);
  }, [waiting, pendingMinutes, refresh]);

  const [saved, setSaved] = useState<string | null>(null);
  const download = (kind: 'trades' | 'gains' | 'values'): void => {
    setSaved(null);
    // The desktop app asks where to save; the web host answers 'unavailable' and the browser downloads it.
    void store.call('pnl:saveCsv', { kind, method }).then((first) => {
      if (!first.ok) {
        store.reportError(first.error.message);
        return;
      }
      if (first.value.status === 'saved') setSaved(`Saved to ${first.value.path ?? 'the chosen file'}.`);
      if (first.value.status !== 'unavailable') return;
      void downloadInBrowser(kind);
    });
  };
  const downloadInBrowser = (kind: 'trades' | 'gains' | 'values'): Promise<void> => {
    return store.call('pnl:exportCsv', { kind, method }).then((res) => {
      if (!res.ok) {
        store.reportError(res.error.message);
        return;
      }
      const url = URL.createObjectURL(new Blob([res.value.csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = res.value.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  };

  const summary = overview?.summary ?? null;
  return (
    <div className="pnl-view" data-testid="pnl-view" ref={viewRef}>
      <div className="pnl-toolbar">
        <nav className="tabs sub-tabs" aria-label="P&L sections">
          <button
            type="button"
            className={sub === 'overview' ? 'active' : ''}
            aria-current={sub === 'overview' ? 'page' : undefined}
            onClick={() => setSub('overview')}
          >
            Overview
          </button>
          <button
            type="button"
            className={sub === 'trades' ? 'active' : ''}
            aria-current={sub === 'trades' ? 'page' : undefined}
            onClick={() => setSub('trades')}
          >
            All trades
          </button>
          <button
            type="button"
            className={sub === 'deposits' ? 'active' : ''}
            aria-current={sub === 'deposits' ? 'page' : undefined}
            onClick={() => setSub('deposits')}
          >
            Deposits
          </button>
          {asset ? (
            <button
              type="button"
              className={sub === 'asset' ? 'active' : ''}
              aria-current={sub === 'asset' ? 'page' : undefined}
              onClick={() => setSub('asset')}
            >
              {asset}
            </button>
          ) : null}
        </nav>
        <label
          className="small"
          title="Saved as your setting (also in Settings): the figures, asset pages and the realized-gains export use it."
        >
          Cost basis (setting){' '}
          <select value={method} onChange={(e) => setMethod(e.target.value as Method)}>
            <option value="average">Average cost</option>
            <option value="fifo">FIFO</option>
          </select>
        </label>
        <span className="spacer" />
        <span className="small muted">Export CSV:</span>
        <button type="button" className="ghost" onClick={() => download('trades')}>
          Trades
        </button>
        <button type="button" className="ghost" onClick={() => download('gains')}>
          Realized gains
        </button>
        <button type="button" className="ghost" onClick={() => download('values')}>
          Value history
        </button>
        {saved ? (
          <span className="small" role="status">
            {saved}
          </span>
        ) : null}
      </div>
      <SyncBar overview={overview} onChanged={refresh} />
      {error ? (
        <p className="muted" role="status">
          {error}
        </p>
      ) : null}
      {overview && !summary ? (
        <p className="muted" role="status">
          {overview.message}
        </p>
      ) : null}
      {summary && sub === 'overview' && overview ? (
        <>
          <Summary summary={summary} privacy={privacy} />
          <div className="pnl-ranges" role="group" aria-label="Time range">
            {RANGES.map(([r, label]) => (
              <button key={r} type="button" className={range === r ? 'active' : ''} aria-pressed={range === r} onClick={() => setRange(r)}>
                {label}
              </button>
            ))}
          </div>
          <ValueChart overview={overview} privacy={privacy} />
          <div className="pnl-two">
            <DailyChart overview={overview} privacy={privacy} />
            <Allocation holdings={summary.holdings} quote={summary.quote} privacy={privacy} />
          </div>
          <HoldingsGains
            summary={summary}
            privacy={privacy}
            onOpen={(a) => {
              setAsset(a);
              setSub('asset');
            }}
          />
        </>
      ) : null}
      {sub === 'trades' ? <AllTrades privacy={privacy} /> : null}
      {sub === 'deposits' ? <Deposits privacy={privacy} onChanged={refresh} /> : null}
      {summary && sub === 'asset' && asset ? <AssetPage asset={asset} method={method} summary={summary} privacy={privacy} /> : null}
    </div>
  );
}
