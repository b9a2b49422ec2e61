import { useMemo, useState } from 'react';
import type { OpenOrdersEvent, OrderView } from '../../../shared/domain/orders';
import { Modal } from '../../app/modal';
import { usePrivacy, useStore, useView } from '../../app/store-context';
import { statusLabel, typeLabel } from './order-form-model';
import { amount, priceText, timeText } from './order-format';
import { useOrders, useOrdersView } from './orders-context';

type Pending =
  | { readonly kind: 'one'; readonly order: OrderView; readonly legs: readonly OrderView[] }
  | { readonly kind: 'all'; readonly symbol: string; readonly count: number };

interface Group {
  readonly symbol: string;
  /** single orders, or the legs of one OCO list */
  readonly rows: readonly (readonly OrderView[])[];
  readonly count: number;
}

/** Open orders by symbol, OCO legs kept together, newest first. */
export function groupOpenOrders(open: OpenOrdersEvent): Group[] {
  const bySymbol = new Map<string, OrderView[][]>();
  const listRows = new Map<string, OrderView[]>();
  for (const o of open.orders) {
    const rows = bySymbol.get(o.symbol) ?? [];
    bySymbol.set(o.symbol, rows);
    if (o.orderListId !== '-1') {
      const legs = listRows.get(o.orderListId);
      if (legs) {
        legs.push(o);
        continue;
      }
      const fresh = [o];
      listRows.set(o.orderListId, fresh);
      rows.push(fresh);
    } else rows.push([o]);
  }
  return [...bySymbol.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([symbol, rows]) => ({ symbol, rows, count: rows.reduce((n, r) => n + r.length, 0) }));
}

function Row({
  o,
  privacy,
  leg,
  onCancel,
  canCancel,
}: Readonly<{ o: OrderView; privacy: boolean; leg: boolean; onCancel?: () => void; canCancel: boolean }>): React.JSX.Element {
  return (
    <tr className={leg ? 'leg' : ''} data-testid="open-order" data-order-id={o.orderId} data-symbol={o.symbol}>
      <td>{timeText(o.time ?? o.updateTime)}</td>
      <td>{o.symbol}</td>
      <td className={o.side === 'BUY' ? 'up' : 'down'}>{o.side === 'BUY' ? 'Buy' : 'Sell'}</td>
      <td>{typeLabel(o.type)}</td>
      <td className="num">{priceText(o.price)}</td>
      <td className="num">{priceText(o.stopPrice)}</td>
      <td className="num" data-money="">
        {amount(privacy, o.origQty)}
      </td>
      <td className="num" data-money="">
        {amount(privacy, o.executedQty)}
      </td>
      <td>{statusLabel(o.status)}</td>
      <td className="actions">
        {onCancel ? (
          <button type="button" className="danger-outline small-btn" disabled={!canCancel} onClick={onCancel}>
            {leg ? 'Cancel OCO' : 'Cancel'}
          </button>
        ) : null}
      </td>
    </tr>
  );
}

export function OpenOrders(): React.JSX.Element {
  const store = useStore();
  const orders = useOrders();
  const open = useOrdersView((s) => s.open);
  const openError = useOrdersView((s) => s.openError);
  const privacy = usePrivacy();
  const tradingEnabled = useView((s) => s.settings?.tradingEnabled ?? false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; tone: 'ok' | 'error' } | null>(null);
  const groups = useMemo(() => (open ? groupOpenOrders(open) : []), [open]);

  const run = (): void => {
    if (pending === null || busy) return;
    setBusy(true);
    const p =
      pending.kind === 'one'
        ? store
            .call('orders:cancel', { symbol: pending.order.symbol, orderId: pending.order.orderId, confirmed: true })
            .then((r) => (r.ok ? { ok: r.value.status === 'canceled', text: r.value.message } : { ok: false, text: r.error.message }))
        : store
            .call('orders:cancelAll', { symbol: pending.symbol, confirmed: true })
            .then((r) => (r.ok ? { ok: r.value.status === 'done', text: r.value.message } : { ok: false, text: r.error.message }));
    void p.then((r) => {
      setBusy(false);
      setPending(null);
      setMessage({ text: r.text, tone: r.ok ? 'ok' : 'error' });
      void orders.refreshOpen();
    });
  };

  const cancelDisabledWhy = tradingEnabled ? null : 'Trading is switched off in Settings (read-only mode).';

  return (
    <section className="panel open-orders" aria-label="Open orders" data-testid="open-orders">
      <div className="panel-head">
        <h2>Open orders{open ? ` (${open.orders.length})` : ''}</h2>
        {cancelDisabledWhy && open && open.orders.length > 0 ? <span className="muted small">{cancelDisabledWhy}</span> : null}
      </div>
      {message ? (
        <p className={message.tone === 'ok' ? 'okay small' : 'error'} role="status" data-testid="cancel-message">
          {message.text}
        </p>
      ) : null}
      {openError ? <p className="error">{openError}</p> : null}
      {open === null ? (
        <p className="muted">Loading…</p>
      ) : open.orders.length === 0 ? (
        <p className="empty" data-testid="no-open-orders">
          No open orders.
        </p>
      ) : (
        <table className="otable">
          <thead>
            <tr>
              <th>Time</th>
              <th>Symbol</th>
              <th>Side</th>
              <th>Type</th>
              <th className="num">Price</th>
              <th className="num">Stop</th>
              <th className="num">Amount</th>
              <th className="num">Filled</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          {groups.map((g) => (
            <tbody key={g.symbol} data-testid="open-group" data-symbol={g.symbol}>
              <tr className="group-head">
                <td colSpan={9}>
                  <strong>{g.symbol}</strong> <span className="muted">· {g.count} open</span>
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="danger-outline small-btn"
                    disabled={cancelDisabledWhy !== null}
                    title={cancelDisabledWhy ?? undefined}
                    onClick={() => setPending({ kind: 'all', symbol: g.symbol, count: g.count })}
                  >
                    Cancel all
                  </button>
                </td>
              </tr>
              {g.rows.map((legs) =>
                legs.length === 1 && legs[0]!.orderListId === '-1' ? (
                  <Row
                    key={legs[0]!.orderId}
                    o={legs[0]!}
                    privacy={privacy}
                    leg={false}
                    canCancel={cancelDisabledWhy === null}
                    onCancel={() => setPending({ kind: 'one', order: legs[0]!, legs })}
                  />
                ) : (
                  legs.map((o, i) => (
                    <Row
                      key={o.orderId}
                      o={o}
                      privacy={privacy}
                      leg
                      canCancel={cancelDisabledWhy === null}
                      {...(i === 0 ? { onCancel: () => setPending({ kind: 'one', order: o, legs }) } : {})}
                    />
                  ))
                ),
              )}
            </tbody>
          ))}
        </table>
      )}
      {pending !== null ? (
        <Modal
          title={
            pending.kind === 'all'
              ? `Cancel all open orders on ${pending.symbol}?`
              : pending.legs.length > 1
                ? 'Cancel this OCO (both legs)?'
                : 'Cancel this order?'
          }
          onClose={() => setPending(null)}
          canClose={!busy}
          testId="cancel-dialog"
        >
          {pending.kind === 'one' ? (
            <ul className="cancel-what">
              {pending.legs.map((o) => (
                <li key={o.orderId}>
                  {o.side === 'BUY' ? 'Buy' : 'Sell'} <span data-money="">{amount(privacy, o.origQty)}</span> {o.symbol} ·{' '}
                  {typeLabel(o.type)}
                  {priceText(o.price) !== '—' ? ` at ${priceText(o.price)}` : ''}
                  {priceText(o.stopPrice) !== '—' ? ` · stop ${priceText(o.stopPrice)}` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p>
              {pending.count} order{pending.count === 1 ? '' : 's'} on {pending.symbol} will be canceled. What has already filled stays
              filled.
            </p>
          )}
          <div className="modal-actions">
            <button type="button" onClick={() => setPending(null)} disabled={busy} data-autofocus="" data-testid="cancel-keep">
              Keep
            </button>
            <button type="button" className="danger" data-testid="cancel-confirm" disabled={busy} onClick={run}>
              {busy ? 'Canceling…' : pending.kind === 'all' ? 'Cancel all' : 'Cancel order'}
            </button>
          </div>
        </Modal>
      ) : null}
    </section>
  );
}
