import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DraftField, MarketQuote, PreflightIssue, PreflightResult } from '../../../shared/domain/orders';
import { formatPercentOf } from '../../../shared/money/format';
import { formatClock } from '../../app/format';
import { RadioButtons, type RadioOption } from '../../app/radio-buttons';
import { usePrivacy, useStore, useView } from '../../app/store-context';
import { ConfirmDialog } from './confirm-dialog';
import { FIELD_LABELS, Issues } from './preflight-issues';
import { SymbolPicker } from './symbol-picker';
import { useLivePreflight } from './use-live-preflight';
import {
  draftOf,
  EMPTY_FORM,
  fieldsOf,
  isSymbolCode,
  keyOf,
  ORDER_TYPES,
  priceFieldsOf,
  priceShortcuts,
  withField,
  type FormValues,
} from './order-form-model';
import { amount, maskFigures, priceText, quotesBalance } from './order-format';
import { useOrders, useOrdersView } from './orders-context';

const SIDES: readonly RadioOption<'BUY' | 'SELL'>[] = [
  { value: 'BUY', label: 'Buy' },
  { value: 'SELL', label: 'Sell' },
];
/**
 * A bid/ask older than this is shown as stale. Main re-reads a quote once it is 5 s old (the
 * form's pre-flight every 2 s asks for that), so a working feed never gets here.
 */
const QUOTE_STALE_MS = 8_000;

/** The more recent of the pushed quote and the one the last pre-flight used. */
function newerQuote(a: MarketQuote | null, b: MarketQuote | null): MarketQuote | null {
  if (a === null) return b;
  if (b === null) return a;
  return (b.at ?? 0) > (a.at ?? 0) ? b : a;
}

/** How old the bid/ask on screen are, and whether that is too old to trust. */
export function quoteAge(quote: MarketQuote | null, now: number): { readonly text: string; readonly stale: boolean } | null {
  if (quote === null || (quote.bid === null && quote.ask === null)) return null;
  if (quote.at === null) return { text: 'bid/ask time unknown', stale: true };
  const stale = now - quote.at > QUOTE_STALE_MS;
  return { text: `bid/ask as of ${formatClock(quote.at)}${stale ? ' (stale)' : ''}`, stale };
}

export function OrderForm({ onSymbolChange }: Readonly<{ onSymbolChange?: (symbol: string) => void }>): React.JSX.Element {
  const store = useStore();
  const marketByName = useId();
  const orders = useOrders();
  const settings = useView((s) => s.settings);
  const privacy = usePrivacy();
  const market = useOrdersView((s) => s.market);
  const submitting = useOrdersView((s) => s.submitting);
  const openAsOf = useOrdersView((s) => s.open?.asOf ?? 0);
  const lastOutcome = useOrdersView((s) => s.outcomes[0]);
  const [v, setV] = useState<FormValues>(EMPTY_FORM);
  const [reviewing, setReviewing] = useState(false);
  const [dialog, setDialog] = useState<NonNullable<PreflightResult['confirmation']> | null>(null);
  // The quote's age moves on screen even when nothing else does.
  const [clock, setClock] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setClock(Date.now()), 1_000);
    return () => clearInterval(t);
  }, []);

  const draft = useMemo(() => draftOf(v), [v]);
  const live = useLivePreflight(draft, { paused: dialog !== null, openAsOf, lastOutcome });
  const { key, checked, error, refusedKey } = live;
  const draftRef = useRef(draft);
  draftRef.current = draft;

  useEffect(() => {
    if (isSymbolCode(v.symbol)) orders.watch(v.symbol);
    onSymbolChange?.(v.symbol);
  }, [v.symbol, orders, onSymbolChange]);
  useEffect(() => () => orders.watch(null), [orders]);

  const current = checked !== null && checked.key === key ? checked.result : null;
  const shown = current ?? checked?.result ?? null;
  const rules = shown?.rules ?? null;
  const pushed = market !== null && market.symbol === v.symbol ? market.quote : null;
  const checkedQuote = shown !== null && (shown.rules === null || shown.rules.symbol === v.symbol) ? shown.market : null;
  const quote = newerQuote(pushed, checkedQuote);
  const age = quoteAge(quote, Math.max(clock, Date.now()));
  const quoteStale = age !== null && (age.stale || (current?.warnings.some((w) => w.code === 'no-market-data') ?? false));
  const disabledReason =
    settings !== null && !settings.tradingEnabled
      ? 'Trading is switched off in Settings (read-only mode). Switch it on to place or cancel orders.'
      : (shown?.disabledReason ?? null);
  const readOnly = disabledReason !== null;
  const fields = fieldsOf(v.type, v.marketBy);
  const set = (patch: Partial<FormValues>): void => setV((old) => ({ ...old, ...patch }));
  const fix = (field: DraftField, value: string): void => setV((old) => withField(old, field, value));

  // An issue about a field left empty is the button's hint, not a red line under the field.
  // Every field a pre-flight issue can name is a field of the form (DraftField ⊂ keyof FormValues).
  const valueOf = (f: DraftField): string => v[f];
  const visibleIssues = (current?.issues ?? []).filter((i) => !(fields.has(i.field) && valueOf(i.field).trim() === ''));
  const issuesOf = (f: DraftField): PreflightIssue[] => visibleIssues.filter((i) => i.field === f);
  const otherIssues = visibleIssues.filter((i) => !fields.has(i.field));
  const missing = [...fields].filter((f) => f !== 'timeInForce' && f !== 'stopLimitTimeInForce' && valueOf(f).trim() === '');

  let blocker: string | null = null;
  if (readOnly) blocker = 'Read-only mode';
  else if (!isSymbolCode(v.symbol)) blocker = 'Choose a symbol';
  else if (missing.length > 0) blocker = `Enter ${missing.map((f) => FIELD_LABELS[f].toLowerCase()).join(' and ')}`;
  else if (current === null && refusedKey === key) blocker = 'Fix the message below';
  else if (current === null) blocker = 'Checking…';
  else if (!current.ok) blocker = 'Fix the issues above';
  else if (submitting !== null) blocker = 'Another order is being sent';
  const canReview = blocker === null && !reviewing;

  const review = (): void => {
    if (!canReview) return;
    setReviewing(true);
    const k = key;
    void store.call('orders:preflight', { draft, confirm: true }).then((res) => {
      setReviewing(false);
      if (!res.ok) {
        live.refuse(k, res.error.message);
        return;
      }
      live.show(k, res.value);
      if (res.value.ok && res.value.confirmation !== null && keyOf(draftRef.current) === k) setDialog(res.value.confirmation);
    });
  };

  const presets = (shown?.presets ?? []).filter((p) => fields.has(p.field));
  const max = presets.find((p) => p.percent === 100);
  const shortcuts = priceShortcuts(quote, rules?.tickSize);
  const priceFields = priceFieldsOf(v.type).filter((f) => fields.has(f));
  const [shortcutTarget, setShortcutTarget] = useState<DraftField>('price');
  const target = priceFields.includes(shortcutTarget) ? shortcutTarget : priceFields[0];
  const base = rules?.baseAsset ?? '';
  const quoteAsset = rules?.quoteAsset ?? '';
  const est = current?.estimate ?? null;
  // The tick of the symbol on screen only (the last answer may still be about the previous one).
  const tick = rules !== null && rules.symbol === v.symbol ? rules.tickSize : null;

  const input = (
    f: 'quantity' | 'quoteOrderQty' | 'price' | 'stopPrice' | 'stopLimitPrice',
    unit: string,
    isAmount: boolean,
  ): React.JSX.Element => (
    <label className="ofield">
      <span>
        {FIELD_LABELS[f]}
        {unit ? <span className="muted"> ({unit})</span> : null}
      </span>
      <input
        aria-label={FIELD_LABELS[f]}
        className={`${issuesOf(f).length > 0 ? 'invalid' : ''}${isAmount && privacy ? ' masked' : ''}`}
        aria-invalid={issuesOf(f).length > 0}
        inputMode="decimal"
        autoComplete="off"
        value={v[f]}
        onFocus={() => {
          if (priceFields.includes(f)) setShortcutTarget(f);
        }}
        onChange={(e) => set({ [f]: e.target.value.replace(',', '.') } as Partial<FormValues>)}
      />
      <Issues issues={issuesOf(f)} onFix={(i) => i.correction && fix(i.correction.field, i.correction.value)} privacy={privacy} />
    </label>
  );

  return (
    <section className="order-form panel" aria-label="Place an order" data-testid="order-form">
      <h2>Place an order</h2>
      {readOnly ? (
        <div className="readonly-note" role="status" data-testid="read-only-reason">
          <span>{disabledReason}</span>
          {settings !== null && !settings.tradingEnabled ? (
            <button type="button" onClick={() => void store.updateSettings({ tradingEnabled: true })}>
              Turn trading on
            </button>
          ) : null}
        </div>
      ) : null}
      <fieldset disabled={readOnly} className="ofields">
        <div className="ofield">
          <span>Symbol</span>
          <SymbolPicker
            value={v.symbol}
            disabled={readOnly}
            onChange={(s) => set({ symbol: s, price: '', stopPrice: '', stopLimitPrice: '', quantity: '', quoteOrderQty: '' })}
          />
        </div>
        <div
          className={`quote-line${quoteStale ? ' stale' : ''}`}
          data-testid="market-quote"
          data-stale={quoteStale ? 'true' : undefined}
          aria-live="off"
          style={quoteStale ? { opacity: 0.55 } : undefined}
        >
          <span>
            Bid <strong className="up">{priceText(quote?.bid, tick)}</strong>
          </span>
          <span>
            Ask <strong className="down">{priceText(quote?.ask, tick)}</strong>
          </span>
          <span>
            Last <strong>{priceText(quote?.last, tick)}</strong>
          </span>
          {rules && rules.status !== 'TRADING' ? <span className="warn">{rules.status}</span> : null}
          {age !== null ? (
            <span
              className="muted small"
              data-testid="quote-age"
              title={quoteStale ? 'These prices could not be refreshed: the market may have moved.' : undefined}
            >
              {age.text}
            </span>
          ) : null}
        </div>
        <RadioButtons
          label="Side"
          className="side-toggle"
          options={SIDES}
          value={v.side}
          onChange={(side) => set({ side })}
          optionClassName={(s, on) => `side side-${s.toLowerCase()}${on ? ' on' : ''}`}
        />
        <label className="ofield">
          <span>Type</span>
          <select aria-label="Order type" value={v.type} onChange={(e) => fix('type', e.target.value)}>
            {ORDER_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
          <span className="hint">{ORDER_TYPES.find((t) => t.type === v.type)?.hint}</span>
        </label>
        {v.type === 'MARKET' ? (
          <div className="market-by" role="radiogroup" aria-label="Market order by">
            {/* one name: the arrow keys move between them, like any native radio group */}
            <label className="radio">
              <input type="radio" name={marketByName} checked={v.marketBy === 'quantity'} onChange={() => set({ marketBy: 'quantity' })} />{' '}
              Amount{base ? ` of ${base}` : ''}
            </label>
            <label className="radio">
              <input type="radio" name={marketByName} checked={v.marketBy === 'quote'} onChange={() => set({ marketBy: 'quote' })} /> Total
              in {quoteAsset || 'quote'}
            </label>
          </div>
        ) : null}
        {fields.has('stopPrice') && v.type !== 'OCO' ? input('stopPrice', quoteAsset, false) : null}
        {fields.has('price') ? input('price', quoteAsset, false) : null}
        {fields.has('stopPrice') && v.type === 'OCO' ? input('stopPrice', quoteAsset, false) : null}
        {fields.has('stopLimitPrice') ? input('stopLimitPrice', quoteAsset, false) : null}
        {priceFields.length > 0 && shortcuts.length > 0 && target !== undefined ? (
          <div className="shortcuts" aria-label="Price shortcuts">
            <span className="muted small">{FIELD_LABELS[target]}:</span>
            {shortcuts.map((s) => (
              <button key={s.label} type="button" className="chip" title={`${s.title}: ${s.value}`} onClick={() => fix(target, s.value)}>
                {s.label}
              </button>
            ))}
          </div>
        ) : null}
        {fields.has('quantity') ? input('quantity', base, true) : null}
        {fields.has('quoteOrderQty') ? input('quoteOrderQty', quoteAsset, true) : null}
        {presets.length > 0 ? (
          <div className="presets" aria-label="Share of the balance">
            {presets.map((p) => (
              <button
                key={p.percent}
                type="button"
                className="chip"
                disabled={p.value === null}
                title={p.note ?? (privacy ? undefined : `${p.value ?? ''}`)}
                onClick={() => p.value !== null && fix(p.field, p.value)}
              >
                {p.percent === 100 ? 'Max' : `${p.percent} %`}
              </button>
            ))}
            {max && max.value !== null ? (
              <span className="muted small" data-testid="max-dust" data-money="">
                Max {amount(privacy, max.value)} leaves {amount(privacy, max.dust, max.dustAsset)} unusable
              </span>
            ) : null}
          </div>
        ) : null}
        {fields.has('timeInForce') ? (
          <label className="ofield">
            <span>Time in force</span>
            <select aria-label="Time in force" value={v.timeInForce} onChange={(e) => fix('timeInForce', e.target.value)}>
              <option value="GTC">GTC — until canceled</option>
              <option value="IOC">IOC — fill what you can now, cancel the rest</option>
              <option value="FOK">FOK — fill all now or nothing</option>
            </select>
          </label>
        ) : null}
        {fields.has('stopLimitTimeInForce') ? (
          <label className="ofield">
            <span>Stop-limit time in force</span>
            <select
              aria-label="Stop-limit time in force"
              value={v.stopLimitTimeInForce}
              onChange={(e) => fix('stopLimitTimeInForce', e.target.value)}
            >
              <option value="GTC">GTC — until canceled</option>
              <option value="IOC">IOC</option>
              <option value="FOK">FOK</option>
            </select>
          </label>
        ) : null}
      </fieldset>

      {shown?.available ? (
        <div className="available small">
          Available: <span data-money="">{amount(privacy, shown.available.free, shown.available.asset)}</span>
        </div>
      ) : null}
      <Issues issues={otherIssues} onFix={(i) => i.correction && fix(i.correction.field, i.correction.value)} privacy={privacy} />
      {est !== null ? (
        <dl className="estimate" data-testid="estimate">
          <dt>{v.side === 'BUY' ? 'Estimated cost' : 'Estimated proceeds'}</dt>
          <dd data-money="">{amount(privacy, est.total, est.totalAsset)}</dd>
          <dt>
            Fee ({est.liquidity}, {formatPercentOf(est.feeRate, 4)})
          </dt>
          <dd data-money="">
            ≈ {amount(privacy, est.fee, est.feeAsset)}
            {est.bnbDiscount ? ' (less in BNB)' : ''}
          </dd>
          <dt>You receive</dt>
          <dd data-money="">≈ {amount(privacy, est.receive, est.receiveAsset)}</dd>
        </dl>
      ) : null}
      {current && current.warnings.length > 0 ? (
        <ul className="owarnings">
          {current.warnings.map((w) => (
            <li key={w.code} data-testid="preflight-warning" data-code={w.code}>
              {maskFigures(privacy && quotesBalance(w.code), w.message)}
            </li>
          ))}
        </ul>
      ) : null}
      {/* Always on screen (sticky in the form's column): the message of a refused check and the action. */}
      <div className="order-actions" data-testid="order-actions">
        {error ? (
          <p className="error" role="alert" data-testid="order-form-error">
            {error}
          </p>
        ) : null}
        <button
          type="button"
          className={`primary review side-${v.side.toLowerCase()}`}
          data-testid="review-order"
          disabled={!canReview}
          onClick={review}
        >
          {reviewing ? 'Checking…' : (blocker ?? `Review ${v.side === 'BUY' ? 'buy' : 'sell'} order…`)}
        </button>
      </div>
      {dialog !== null ? <ConfirmDialog confirmation={dialog} onClose={() => setDialog(null)} /> : null}
    </section>
  );
}
