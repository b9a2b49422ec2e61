import { useEffect, useState } from 'react';
import { formatPercent, formatPrice, signOf } from '../../app/format';
import { useAlerts, useAlertsView } from './alerts-context';
import { quoteFromSymbol as quoteOf } from './alert-form';

export function WatchlistView(): React.JSX.Element {
  const store = useAlerts();
  const items = useAlertsView((s) => s.watch);
  const [query, setQuery] = useState('');
  const [options, setOptions] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (q.length === 0) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- an emptied search clears its suggestions at once
      setOptions([]);
      return;
    }
    let live = true;
    void store.bridge.call('orders:symbols', { query: q.slice(0, 30), limit: 8 }).then((r) => {
      if (live) setOptions(r.ok ? r.value.map((s) => s.symbol) : []);
    });
    return () => {
      live = false;
    };
  }, [query, store]);

  const symbols = items.map((i) => i.symbol);
  const save = (next: string[]): void => {
    setError(null);
    void store.bridge.call('watchlist:set', { symbols: next }).then((r) => {
      if (!r.ok) setError(r.error.message);
    });
  };
  const move = (i: number, by: number): void => {
    const next = [...symbols];
    const [x] = next.splice(i, 1);
    if (x === undefined) return;
    next.splice(i + by, 0, x);
    save(next);
  };
  const add = (symbol: string): void => {
    setQuery('');
    setOptions([]);
    if (symbols.includes(symbol)) return;
    save([...symbols, symbol]);
  };

  return (
    <div className="watchlist" data-testid="watchlist-view">
      <section className="panel">
        <h2>Watchlist</h2>
        <p className="muted small">
          Symbols you do not hold, with live prices. They count towards the market streams like holdings, and alerts can be set on them.
        </p>
        <div className="symbol-picker watch-add">
          <input
            className="symbol-input"
            placeholder="Add a symbol, e.g. SOLUSDT"
            value={query}
            aria-label="Search a symbol to add"
            data-testid="watch-search"
            onChange={(e) =>
              setQuery(
                e.target.value
                  .toUpperCase()
                  .replace(/[^A-Z0-9]/g, '')
                  .slice(0, 30),
              )
            }
            onKeyDown={(e) => {
              if (e.key === 'Enter' && options[0] !== undefined) add(options[0]);
            }}
          />
          {options.length > 0 ? (
            <ul className="symbol-list" role="listbox">
              {options.map((o) => (
                <li key={o}>
                  <button type="button" onClick={() => add(o)}>
                    {o}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        {items.length === 0 ? (
          <p className="muted" data-testid="watch-empty">
            Nothing watched yet.
          </p>
        ) : (
          <table className="atable" data-testid="watch-table">
            <thead>
              <tr>
                <th>Symbol</th>
                <th className="num">Price</th>
                <th className="num">24 h</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((w, i) => (
                <tr key={w.symbol} className={w.stale ? 'dim' : ''}>
                  <td className="asset-code">{w.symbol}</td>
                  <td className="num mono">
                    {w.last === null ? <span className="no-price">no price yet</span> : formatPrice(w.last, quoteOf(w.symbol))}
                    {w.stale && w.last !== null ? <span className="muted small"> stale</span> : null}
                  </td>
                  <td className={`num ${signOf(w.changePercent)}`}>{w.changePercent === null ? '—' : formatPercent(w.changePercent)}</td>
                  <td className="actions">
                    <button type="button" className="link" onClick={() => store.draftFor(w.symbol)}>
                      Alert
                    </button>
                    <button
                      type="button"
                      className="link"
                      disabled={i === 0}
                      aria-label={`Move ${w.symbol} up`}
                      onClick={() => move(i, -1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="link"
                      disabled={i === items.length - 1}
                      aria-label={`Move ${w.symbol} down`}
                      onClick={() => move(i, 1)}
                    >
                      ↓
                    </button>
                    <button type="button" className="link" onClick={() => save(symbols.filter((s) => s !== w.symbol))}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
