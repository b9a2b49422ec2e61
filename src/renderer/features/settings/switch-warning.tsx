/**
 * The warning before a switch of environment or key while orders are unresolved (their outcome
 * unknown, or "probably not placed" and still looked for). The switch does not stop the checks -
 * main keeps asking the exchange each order was sent to, with the key that sent it - but the
 * person should know which orders are open questions before the screen changes under them.
 */
import { useState } from 'react';
import type { EnvironmentId } from '../../../shared/domain';
import type { UnresolvedOrder } from '../../../shared/domain/orders';
import { formatClock, MASK } from '../../app/format';
import { usePrivacy, useStore } from '../../app/store-context';

export type EnvironmentLabels = Readonly<Record<EnvironmentId, string>>;

function when(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const time = formatClock(ms);
  return new Date(now).toDateString() === d.toDateString()
    ? time
    : `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })} ${time}`;
}

/** One line per order: side, quantity, symbol, environment, time sent. */
export function unresolvedLine(
  o: UnresolvedOrder,
  labels: EnvironmentLabels,
  opts: { readonly hideAmounts?: boolean; readonly now?: number } = {},
): string {
  const now = opts.now ?? Date.now();
  const quantity = opts.hideAmounts === true ? o.quantity.replace(/[0-9][0-9.,]*/g, MASK) : o.quantity;
  return `${o.side === 'BUY' ? 'Buy' : 'Sell'} ${quantity} ${o.symbol} on ${labels[o.environment]}, sent ${when(o.at, now)}${o.status === 'not-placed' ? ' (probably not placed; still looked for)' : ''}`;
}

export interface SwitchGuard {
  /** Runs `action` at once when nothing is unresolved; otherwise shows the warning first. */
  guard(action: () => void): void;
  readonly warning: React.JSX.Element | null;
}

export function useSwitchGuard(labels: EnvironmentLabels): SwitchGuard {
  const store = useStore();
  const hideAmounts = usePrivacy();
  const [pending, setPending] = useState<{ readonly orders: readonly UnresolvedOrder[]; readonly action: () => void } | null>(null);
  const guard = (action: () => void): void => {
    void store.call('orders:unresolved').then((res) => {
      // When the list cannot be read the switch is not held up: the checks go on either way.
      if (!res.ok || res.value.length === 0) action();
      else setPending({ orders: res.value, action });
    });
  };
  const warning =
    pending === null ? null : (
      <div className="switch-warning" role="alertdialog" aria-labelledby="switch-warning-title" data-testid="switch-warning">
        <p id="switch-warning-title">
          <strong>{pending.orders.length === 1 ? 'An order' : `${pending.orders.length} orders`} still without a known outcome</strong>
        </p>
        <ul>
          {pending.orders.slice(0, 10).map((o) => (
            <li key={o.clientOrderId}>{unresolvedLine(o, labels, { hideAmounts })}</li>
          ))}
          {pending.orders.length > 10 ? <li>and {pending.orders.length - 10} more</li> : null}
        </ul>
        <p className="small">
          Perch keeps checking {pending.orders.length === 1 ? 'it' : 'them'} after the switch, on the environment{' '}
          {pending.orders.length === 1 ? 'it was' : 'they were'} sent to and with the key that sent{' '}
          {pending.orders.length === 1 ? 'it' : 'them'}, and tells you what it finds. Until then, do not place the same order again: check
          Open orders on Binance first.
        </p>
        <div className="row gap">
          {/* eslint-disable-next-line jsx-a11y/no-autofocus -- an alert dialog puts focus on its safe choice when it opens (WAI-ARIA alertdialog pattern) */}
          <button type="button" onClick={() => setPending(null)} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            data-testid="switch-anyway"
            onClick={() => {
              const { action } = pending;
              setPending(null);
              action();
            }}
          >
            Switch anyway
          </button>
        </div>
      </div>
    );
  return { guard, warning };
}
