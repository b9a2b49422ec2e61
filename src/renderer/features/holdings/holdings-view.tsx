import { useAlertsStore } from '../alerts/alerts-context';
import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { EnvironmentId, Freshness, Holding, PortfolioSnapshot } from '../../../shared/domain';
import { formatClock, formatPercent, formatPrice, formatQuantity, formatSignedValue, formatValue, MASK, signOf } from '../../app/format';
import { usePrivacy, useStore, useView } from '../../app/store-context';
import { selectHoldings, type SortDir, type SortKey } from './holdings-model';

const ROW_HEIGHT = 30;

const ENV_LABEL: Readonly<Record<EnvironmentId, string>> = {
  demo: 'the demo exchange',
  'demo-mode': 'Binance Demo Mode',
  testnet: 'Spot Testnet',
  production: 'Binance',
};

interface Column {
  readonly key: SortKey;
  readonly label: string;
  readonly numeric: boolean;
}

const COLUMNS: readonly Column[] = [
  { key: 'asset', label: 'Asset', numeric: false },
  { key: 'free', label: 'Free', numeric: true },
  { key: 'locked', label: 'Locked', numeric: true },
  { key: 'total', label: 'Total', numeric: true },
  { key: 'price', label: 'Price', numeric: true },
  { key: 'value', label: 'Value', numeric: true },
  { key: 'change24hPct', label: '24 h', numeric: true },
  { key: 'share', label: 'Share', numeric: true },
];

/** What the freshness means for a person: null while live. */
export function freshnessLabel(f: Freshness, asOf: number): string | null {
  switch (f.state) {
    case 'live':
      return null;
    case 'connecting':
      return 'Connecting…';
    case 'stale':
      return `Stale since ${formatClock(f.since ?? asOf)}`;
    case 'offline':
      return `Offline — last known snapshot from ${formatClock(asOf)}`;
  }
}

function Summary({ portfolio, privacy }: Readonly<{ portfolio: PortfolioSnapshot; privacy: boolean }>): React.JSX.Element {
  const q = portfolio.quote;
  const label = freshnessLabel(portfolio.freshness, portfolio.asOf);
  const dir = signOf(portfolio.total24hChange);
  const unpriced = portfolio.holdings.filter((h) => h.price === null).length;
  return (
    <section className={`summary${label ? ' is-stale' : ''}`} aria-label="Portfolio total" title={label ?? undefined}>
      <div className="summary-main">
        <div className="summary-label">Total value</div>
        <div className="summary-total" data-testid="total-value" data-money="">
          {privacy ? MASK : formatValue(portfolio.total, q)} <span className="summary-quote">{q}</span>
        </div>
      </div>
      <div className="summary-change">
        <div className="summary-label">24 h change</div>
        <div className={`summary-delta ${dir}`} data-testid="total-change" data-money="">
          {portfolio.total24hChange === null ? '—' : privacy ? MASK : `${formatSignedValue(portfolio.total24hChange, q)} ${q}`}
          {portfolio.total24hChangePct !== null && !privacy ? (
            <span className="summary-pct"> ({formatPercent(portfolio.total24hChangePct)})</span>
          ) : null}
        </div>
      </div>
      <div className="summary-meta">
        <div className="summary-label">Assets</div>
        <div className="summary-count">
          {portfolio.holdings.length}
          {unpriced > 0 ? <span className="muted"> · {unpriced} without price</span> : null}
        </div>
      </div>
      {label ? (
        <div className="freshness-badge" data-testid="freshness" title={label}>
          {label}
        </div>
      ) : null}
    </section>
  );
}

function routeHint(h: Holding): string | undefined {
  switch (h.priceRoute) {
    case 'direct':
      return 'Priced through its direct pair';
    case 'inverse':
      return 'Priced through the inverse pair';
    case 'bridge':
      return `Priced through ${h.via ?? 'another asset'}`;
    case 'quote':
      return 'This is the quote currency';
    case 'none':
      return 'No market prices this asset in the quote currency';
  }
}

/** What a stale row says about its price: null while the price is current. */
export function stalePriceLabel(h: Holding): string | null {
  if (h.stale !== true) return null;
  return h.priceAt !== undefined
    ? `Price as of ${formatClock(h.priceAt)}: not kept current by a live feed`
    : 'Price not current: not kept current by a live feed';
}

/** "Alert…" on a holding priced by its direct market: opens the alert form for that symbol. */
function AlertLink({ symbol }: Readonly<{ symbol: string }>): React.JSX.Element | null {
  const alerts = useAlertsStore();
  if (alerts === null) return null;
  return (
    <button type="button" className="link row-alert" title={`Create an alert on ${symbol}`} onClick={() => alerts.draftFor(symbol)}>
      Alert…
    </button>
  );
}

const STALE_ROW_STYLE = { opacity: 0.55 } as const;

function Row({
  h,
  quote,
  privacy,
  top,
  rowIndex,
}: Readonly<{ h: Holding; quote: string; privacy: boolean; top: number; rowIndex: number }>): React.JSX.Element {
  const change = signOf(h.change24hPct);
  const noPrice = h.price === null;
  const stale = stalePriceLabel(h);
  return (
    <div
      className={`hrow${stale !== null ? ' stale-price' : ''}`}
      role="row"
      aria-rowindex={rowIndex}
      data-asset={h.asset}
      data-stale={stale !== null ? 'true' : undefined}
      title={stale ?? undefined}
      style={{ transform: `translateY(${top}px)`, ...(stale !== null ? STALE_ROW_STYLE : {}) }}
    >
      <div role="cell" className="c-asset">
        <span className="asset-code">{h.asset}</span>
        {h.priceRoute === 'bridge' ? (
          <span className="route-tag" title={routeHint(h)}>
            via {h.via}
          </span>
        ) : null}
        {stale !== null && h.priceAt !== undefined ? (
          <span className="route-tag stale-tag" data-testid="stale-price" title={stale}>
            as of {formatClock(h.priceAt).slice(0, -3)}
          </span>
        ) : null}
        {h.priceRoute === 'direct' ? <AlertLink symbol={`${h.asset}${quote}`} /> : null}
      </div>
      <div role="cell" className="num" data-money="">
        {privacy ? MASK : formatQuantity(h.free)}
      </div>
      <div role="cell" className="num" data-money="">
        {privacy ? MASK : formatQuantity(h.locked)}
      </div>
      <div role="cell" className="num" data-money="">
        {privacy ? MASK : formatQuantity(h.total)}
      </div>
      <div role="cell" className={`num${noPrice ? ' no-price' : ''}`} title={stale ?? routeHint(h)}>
        {noPrice ? 'no price' : formatPrice(h.price ?? '0', quote)}
      </div>
      <div role="cell" className={`num${noPrice ? ' no-price' : ''}`} data-money="">
        {noPrice ? 'no price' : privacy ? MASK : formatValue(h.value ?? '0', quote)}
      </div>
      <div role="cell" className={`num ${change}`}>
        {h.change24hPct === null ? '—' : formatPercent(h.change24hPct)}
      </div>
      <div role="cell" className="num" data-money="">
        {h.share === null ? '—' : privacy ? MASK : formatPercent(h.share, { sign: false })}
      </div>
    </div>
  );
}

function HoldingsTable({
  rows,
  quote,
  privacy,
  stale,
  staleLabel,
  sortKey,
  sortDir,
  onSort,
}: Readonly<{
  rows: readonly Holding[];
  quote: string;
  privacy: boolean;
  stale: boolean;
  staleLabel: string | null;
  sortKey: SortKey;
  sortDir: SortDir;
  onSort: (key: SortKey) => void;
}>): React.JSX.Element {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- Perch does not use the React Compiler; the virtualiser's own re-renders are what we want
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.asset ?? i,
  });
  return (
    <div
      className={`htable${stale ? ' is-stale' : ''}`}
      role="table"
      aria-label="Holdings"
      aria-rowcount={rows.length + 1}
      title={staleLabel ?? undefined}
    >
      {/* Only the rows in view exist: each says where it is (the header is row 1), so a screen
          reader announces "row 40 of 2,501" instead of counting what happens to be drawn. */}
      <div className="hrow hhead" role="row" aria-rowindex={1}>
        {COLUMNS.map((c) => {
          const active = c.key === sortKey;
          return (
            <div
              key={c.key}
              role="columnheader"
              className={c.numeric ? 'num' : undefined}
              aria-sort={active ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button type="button" className={`sort${active ? ' active' : ''}`} onClick={() => onSort(c.key)}>
                {c.label}
                <span className="sort-arrow" aria-hidden="true">
                  {active ? (sortDir === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </div>
          );
        })}
      </div>
      <div className="hbody" ref={scrollRef} data-testid="holdings-scroll">
        {rows.length === 0 ? <div className="empty">No holdings match.</div> : null}
        <div className="hbody-inner" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {virtualizer.getVirtualItems().map((v) => {
            const h = rows[v.index];
            return h ? <Row key={v.key} h={h} quote={quote} privacy={privacy} top={v.start} rowIndex={v.index + 2} /> : null;
          })}
        </div>
      </div>
    </div>
  );
}

export function HoldingsView(): React.JSX.Element {
  const store = useStore();
  const portfolio = useView((s) => s.portfolio);
  const settings = useView((s) => s.settings);
  const status = useView((s) => s.status);
  const [sortKey, setSortKey] = useState<SortKey>('value');
  const [sortDir, setSortDir] = useState<SortDir>('desc');
  const [search, setSearch] = useState('');

  const privacy = usePrivacy();
  const hideSmall = settings?.hideSmallBalances ?? false;
  const threshold = settings?.smallBalanceThreshold ?? '0';

  const rows = useMemo(
    () => (portfolio ? selectHoldings(portfolio.holdings, { sortKey, sortDir, search, hideSmall, threshold }) : []),
    [portfolio, sortKey, sortDir, search, hideSmall, threshold],
  );

  const onSort = (key: SortKey): void => {
    if (key === sortKey) setSortDir(sortDir === 'asc' ? 'desc' : 'asc');
    else {
      setSortKey(key);
      setSortDir(key === 'asset' ? 'asc' : 'desc');
    }
  };

  // The store never keeps another environment's portfolio; this guards the instant between an
  // environment change and the store's reaction all the same.
  if (portfolio === null || (settings !== null && portfolio.environment !== settings.environment)) {
    const env = settings?.environment ?? null;
    // A status of the previous environment says nothing about this one.
    const current = status !== null && (env === null || status.environment === env) ? status : null;
    const why = current?.connections.find((c) => c.lastError)?.lastError;
    return (
      <div className="holdings-empty" data-testid="holdings-waiting" data-environment={env ?? undefined}>
        <div className="spinner" aria-hidden="true" />
        <p>{why ?? (env !== null ? `Connecting to ${ENV_LABEL[env]}…` : 'Loading your holdings…')}</p>
      </div>
    );
  }

  const staleLabel = freshnessLabel(portfolio.freshness, portfolio.asOf);
  const hidden = portfolio.holdings.length - rows.length;
  return (
    <div className="holdings">
      <Summary portfolio={portfolio} privacy={privacy} />
      <div className="toolbar">
        <input
          type="search"
          className="search"
          placeholder="Search asset"
          aria-label="Search asset"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={hideSmall}
            onChange={(e) => {
              void store.updateSettings({ hideSmallBalances: e.target.checked }).then((res) => {
                if (!res.ok) store.reportError(res.error.message);
              });
            }}
          />
          Hide small balances (&lt; {privacy ? MASK : `${threshold} ${portfolio.quote}`})
        </label>
        <span className="toolbar-count muted">
          {rows.length} shown{hidden > 0 ? ` · ${hidden} hidden` : ''}
        </span>
      </div>
      <HoldingsTable
        rows={rows}
        quote={portfolio.quote}
        privacy={privacy}
        stale={staleLabel !== null}
        staleLabel={staleLabel}
        sortKey={sortKey}
        sortDir={sortDir}
        onSort={onSort}
      />
    </div>
  );
}
