import { useCallback, useState } from 'react';
import './orders.css';
import { usePrivacy } from '../../app/store-context';
import { OutcomeBadge } from './confirm-dialog';
import { OpenOrders } from './open-orders';
import { OrderForm } from './order-form';
import { OrderHistory } from './order-history';
import { amount, timeText } from './order-format';
import { useOrdersView } from './orders-context';

/** What became of the orders placed from this window, newest first, live from orders:outcome. */
function Outcomes(): React.JSX.Element | null {
  const outcomes = useOrdersView((s) => s.outcomes);
  const privacy = usePrivacy();
  if (outcomes.length === 0) return null;
  return (
    <section className="panel outcomes" aria-label="Orders placed from Perch" data-testid="outcomes">
      <h2>Placed from Perch</h2>
      <ul>
        {outcomes.slice(0, 6).map((o) => {
          const first = o.orders[0];
          return (
            <li key={o.clientOrderId} data-testid="outcome" data-client-order-id={o.clientOrderId} data-status={o.status}>
              <OutcomeBadge outcome={o} />
              <span className="outcome-what">
                {first ? (
                  <>
                    {first.side === 'BUY' ? 'Buy' : 'Sell'} <span data-money="">{amount(privacy, first.origQty)}</span>{' '}
                  </>
                ) : null}
                {o.symbol}
                {o.kind === 'oco' ? ' (OCO)' : ''}
              </span>
              <span className="outcome-msg">{privacy ? o.message.replace(/\d[\d,.]*/g, '•••') : o.message}</span>
              <span className="muted small">{timeText(o.at)}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function OrdersView(): React.JSX.Element {
  const [symbol, setSymbol] = useState('BTCUSDT');
  const onSymbolChange = useCallback((s: string) => setSymbol(s), []);
  return (
    <div className="orders" data-testid="orders-view">
      <div className="orders-left">
        <OrderForm onSymbolChange={onSymbolChange} />
      </div>
      <div className="orders-right">
        <Outcomes />
        <OpenOrders />
        <OrderHistory symbol={symbol} />
      </div>
    </div>
  );
}
