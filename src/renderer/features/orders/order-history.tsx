import { useCallback, useEffect, useState } from 'react';
import type { OrderHistoryPage } from '../../../shared/domain/orders';
import { usePrivacy, useStore } from '../../app/store-context';
import { isSymbolCode, statusLabel, typeLabel } from './order-form-model';
import { amount, priceText, timeText } from './order-format';
import { useOrdersView } from './orders-context';

const PAGE = 50;

function SyncStatus(): React.JSX.Element | null {
  const sync = useOrdersView((s) => s.sync);
  if (sync === null) return null;
  const weight = `request weight ${sync.weightCost}${sync.weightUsed !== null ? ` (${sync.weightUsed.toLocaleString()} of 6,000 used this minute)` : ''}`;
  return (
    <div className="sync-status small" role="status" data-testid="sync-status">
      {sync.running ? (
        <>
          <progress max={Math.max(1, sync.total)} value={sync.done} aria-label="History sync" />
          <span>
            Syncing {sync.done} of {sync.total}
            {sync.symbol ? ` · ${sync.symbol}` : ''} · {weight}
          </span>
        </>
      ) : sync.error ? (
        <span className="warn">
          Sync stopped: {sync.error} ({sync.done} of {sync.total} symbols, {weight})
        </span>
      ) : (
        <span>
          Synced {sync.total} symbol{sync.total === 1 ? '' : 's'}: {sync.ordersAdded} new order{sync.ordersAdded === 1 ? '' : 's'},{' '}
          {sync.fillsAdded} new fill{sync.fillsAdded === 1 ? '' : 's'} · {weight}
        </span>
      )}
    </div>
  );
}

export function OrderHistory({ symbol }: Readonly<{ symbol: string }>): React.JSX.Element {
  const store = useStore();
  const privacy = usePrivacy();
  const syncRunning = useOrdersView((s) => s.sync?.running ?? false);
  // A sync that ended (asked for here, or the one main runs after an order was placed, filled or
  // canceled) changes what the history holds: read it again.
  const syncEnded = useOrdersView((s) => (s.sync !== null && !s.sync.running ? s.sync : null));
  // Locked from the click until main answers, not only once its first progress event arrives.
  const [requested, setRequested] = useState(false);
  const [page, setPage] = useState<OrderHistoryPage | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [syncError, setSyncError] = useState<string | null>(null);

  const load = useCallback(
    (sym: string, before?: string): void => {
      if (!isSymbolCode(sym)) return;
      setLoading(true);
      void store
        .call('orders:history', { symbol: sym, limit: PAGE, ...(before !== undefined ? { beforeOrderId: before } : {}) })
        .then((res) => {
          setLoading(false);
          if (!res.ok) {
            setError(res.error.message);
            return;
          }
          setError(null);
          setPage((old) =>
            before !== undefined && old !== null && old.symbol === sym
              ? { ...res.value, orders: [...old.orders, ...res.value.orders], fills: [...old.fills, ...res.value.fills] }
              : res.value,
          );
        });
    },
    [store],
  );

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- another symbol's page is cleared at once, before the debounced load
    setPage(null);
    const t = setTimeout(() => load(symbol), 300);
    return () => clearTimeout(t);
  }, [symbol, load]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a newly ended sync reloads the list (load sets state when its answer arrives)
    if (syncEnded !== null) load(symbol);
    // not on a symbol change: that loads by itself (above); only a newly ended sync reloads here
    // eslint-disable-next-line react-hooks/exhaustive-deps -- not on a symbol change: the effect above loads that
  }, [syncEnded, load]);

  const sync = (): void => {
    if (requested || syncRunning) return;
    setRequested(true);
    setSyncError(null);
    void store.call('orders:syncHistory').then((res) => {
      setRequested(false);
      if (!res.ok) setSyncError(res.error.message);
      load(symbol);
    });
  };

  const fills = page?.fills ?? [];
  return (
    <section className="panel order-history" aria-label="Order history" data-testid="order-history">
      <div className="panel-head">
        <h2>History · {symbol}</h2>
        <span className="muted small">{page?.lastSyncedAt ? `synced ${timeText(page.lastSyncedAt)}` : 'not synced yet'}</span>
        <span className="spacer" />
        <button
          type="button"
          onClick={sync}
          disabled={syncRunning || requested}
          data-testid="sync-history"
          title="Fetch new orders and fills for the symbols you hold, have open orders on or traded in Perch (never every symbol on the exchange)"
        >
          {syncRunning || requested ? 'Syncing…' : 'Sync history'}
        </button>
      </div>
      <SyncStatus />
      {syncError ? <p className="error">{syncError}</p> : null}
      {error ? <p className="error">{error}</p> : null}
      {page === null ? (
        <p className="muted">{loading ? 'Loading…' : ''}</p>
      ) : page.orders.length === 0 ? (
        <p className="empty">No orders on {symbol} yet.</p>
      ) : (
        <table className="otable">
          <thead>
            <tr>
              <th>Time</th>
              <th>Side</th>
              <th>Type</th>
              <th className="num">Price</th>
              <th className="num">Amount</th>
              <th className="num">Filled</th>
              <th className="num">Total</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {page.orders.map((o) => (
              <tr key={o.orderId} data-testid="history-order">
                <td>{timeText(o.time ?? o.updateTime)}</td>
                <td className={o.side === 'BUY' ? 'up' : 'down'}>{o.side === 'BUY' ? 'Buy' : 'Sell'}</td>
                <td>{typeLabel(o.type)}</td>
                <td className="num">{priceText(o.price)}</td>
                <td className="num" data-money="">
                  {amount(privacy, o.origQty)}
                </td>
                <td className="num" data-money="">
                  {amount(privacy, o.executedQty)}
                </td>
                <td className="num" data-money="">
                  {o.cumulativeQuoteQty.startsWith('-') ? '—' : amount(privacy, o.cumulativeQuoteQty)}
                </td>
                <td>{statusLabel(o.status)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page?.nextBeforeOrderId ? (
        <button type="button" className="link" onClick={() => load(symbol, page.nextBeforeOrderId ?? undefined)}>
          Load older orders
        </button>
      ) : null}
      {fills.length > 0 ? (
        <>
          <h3 className="subhead">Fills</h3>
          <table className="otable">
            <thead>
              <tr>
                <th>Time</th>
                <th>Side</th>
                <th className="num">Price</th>
                <th className="num">Amount</th>
                <th className="num">Total</th>
                <th className="num">Fee</th>
                <th>Role</th>
              </tr>
            </thead>
            <tbody>
              {fills.map((f) => (
                <tr key={f.tradeId} data-testid="history-fill">
                  <td>{timeText(f.time)}</td>
                  <td className={f.side === 'BUY' ? 'up' : 'down'}>{f.side === 'BUY' ? 'Buy' : 'Sell'}</td>
                  <td className="num">{priceText(f.price)}</td>
                  <td className="num" data-money="">
                    {amount(privacy, f.qty)}
                  </td>
                  <td className="num" data-money="">
                    {amount(privacy, f.quoteQty)}
                  </td>
                  <td className="num" data-money="">
                    {amount(privacy, f.commission, f.commissionAsset)}
                  </td>
                  <td>{f.isMaker ? 'Maker' : 'Taker'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
