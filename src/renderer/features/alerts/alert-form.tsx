/**
 * The alert form: a new rule or an edit of one, with the symbol search, the kind's own fields and
 * a check whether the rule would fire at once.
 */
import { useEffect, useId, useState } from 'react';
import type { AlertKind, AlertRule, AlertRuleInput, ChangeDirection } from '../../../shared/domain';
import { formatPrice } from '../../app/format';
import { usePrivacy, useView } from '../../app/store-context';
import { useAlerts, useAlertsView } from './alerts-context';

const KINDS: ReadonlyArray<{ id: AlertKind; label: string }> = [
  { id: 'price-above', label: 'Price crosses above' },
  { id: 'price-below', label: 'Price crosses below' },
  { id: 'change-window', label: 'Price moves within a time window' },
  { id: 'change-24h', label: '24 h change beyond' },
  { id: 'portfolio-above', label: 'Portfolio total rises above' },
  { id: 'portfolio-below', label: 'Portfolio total falls below' },
];
export const WINDOWS = [
  { ms: 900_000, label: '15 minutes' },
  { ms: 3_600_000, label: '1 hour' },
  { ms: 14_400_000, label: '4 hours' },
  { ms: 86_400_000, label: '24 hours' },
];
const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const isPortfolio = (k: AlertKind): boolean => k === 'portfolio-above' || k === 'portfolio-below';
const isChange = (k: AlertKind): boolean => k === 'change-24h' || k === 'change-window';

const QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];
/** The quote asset a symbol ends with, for its price precision. */
export function quoteFromSymbol(symbol: string): string {
  return QUOTES.find((q) => symbol.endsWith(q)) ?? 'USDT';
}

interface Draft {
  kind: AlertKind;
  symbol: string;
  level: string;
  direction: ChangeDirection;
  windowMs: number;
  repeat: boolean;
  cooldownMin: string;
  rearmPercent: string;
  note: string;
}

const emptyDraft = (symbol = ''): Draft => ({
  kind: 'price-above',
  symbol,
  level: '',
  direction: 'either',
  windowMs: 3_600_000,
  repeat: false,
  cooldownMin: '15',
  rearmPercent: '0.5',
  note: '',
});

function fromRule(r: AlertRule): Draft {
  return {
    kind: r.kind,
    symbol: r.symbol,
    level: r.level,
    direction: r.direction,
    windowMs: r.windowMs,
    repeat: r.repeat,
    cooldownMin: String(Math.round(r.cooldownMs / 60_000)),
    rearmPercent: r.rearmPercent,
    note: r.note,
  };
}

function SymbolField({ value, onChange, id }: Readonly<{ value: string; onChange: (v: string) => void; id: string }>): React.JSX.Element {
  const store = useAlerts();
  const [options, setOptions] = useState<string[]>([]);
  useEffect(() => {
    const q = value.trim();
    if (q.length === 0) return;
    let live = true;
    void store.bridge.call('orders:symbols', { query: q.slice(0, 30), limit: 20 }).then((r) => {
      if (live && r.ok) setOptions(r.value.map((s) => s.symbol));
    });
    return () => {
      live = false;
    };
  }, [value, store]);
  return (
    <>
      <input
        id={id}
        className="symbol-input"
        value={value}
        list={`${id}-list`}
        autoComplete="off"
        placeholder="BTCUSDT"
        onChange={(e) =>
          onChange(
            e.target.value
              .toUpperCase()
              .replace(/[^A-Z0-9]/g, '')
              .slice(0, 30),
          )
        }
      />
      <datalist id={`${id}-list`}>
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
    </>
  );
}

export function AlertForm({ editing, onDone }: Readonly<{ editing: AlertRule | null; onDone: () => void }>): React.JSX.Element {
  const store = useAlerts();
  const quote = useView((s) => s.settings?.quoteCurrency ?? 'USDT');
  const privacy = usePrivacy();
  const draftSymbol = useAlertsView((s) => s.draftSymbol);
  const [d, setD] = useState<Draft>(() => (editing ? fromRule(editing) : emptyDraft()));
  const [error, setError] = useState<string | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the form is reset when another rule is chosen for editing
    if (editing) setD(fromRule(editing));
  }, [editing]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- "Alert…" on a holding or watch symbol prefills the form: an event, not derived state
    if (draftSymbol && !editing) setD((x) => ({ ...x, symbol: draftSymbol.symbol, kind: isPortfolio(x.kind) ? 'price-above' : x.kind }));
  }, [draftSymbol, editing]);

  const symbol = isPortfolio(d.kind) ? quote : d.symbol;
  const levelOk = DECIMAL.test(d.level) && !/^0(\.0+)?$/.test(d.level);
  const input = (): AlertRuleInput => ({
    kind: d.kind,
    symbol,
    level: d.level,
    direction: d.direction,
    windowMs: d.windowMs,
    repeat: d.repeat,
    cooldownMs: Math.max(0, Math.round(Number(d.cooldownMin || '0') * 60_000)),
    rearmPercent: d.rearmPercent || '0',
    note: d.note.slice(0, 200),
    paused: editing?.paused ?? false,
  });

  // A "crosses above" level the price is already above fires at once: say so before saving.
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the old warning goes at once; the new one comes from main's answer
    setWarning(null);
    if (!levelOk || symbol === '' || (d.kind !== 'price-above' && d.kind !== 'price-below')) return;
    let live = true;
    void store.bridge.call('alerts:check', input()).then((r) => {
      if (!live || !r.ok || !r.value.wouldFireNow || r.value.last === null) return;
      setWarning(`${symbol} is at ${formatPrice(r.value.last, quoteFromSymbol(symbol))} now: this alert would fire at once.`);
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- asks again only when what the check reads changes (input() is rebuilt every render)
  }, [d.kind, symbol, d.level, levelOk]);

  const levelLabel = isChange(d.kind) ? 'Percent' : isPortfolio(d.kind) ? `Total in ${quote}` : 'Price';
  const levelProblem =
    d.level !== '' && !levelOk ? `${levelLabel}: type a number above zero, like ${isChange(d.kind) ? '5' : '70000'}.` : null;
  const canSave = levelOk && symbol !== '';

  const save = (): void => {
    setError(null);
    const p = editing ? store.bridge.call('alerts:update', { id: editing.id, rule: input() }) : store.bridge.call('alerts:create', input());
    void p.then((r) => {
      if (!r.ok) setError(r.error.message);
      else {
        setD(emptyDraft());
        onDone();
      }
    });
  };

  return (
    <form
      className="alert-form"
      data-testid="alert-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSave) save();
      }}
    >
      <label className="ofield">
        <span>When</span>
        <select value={d.kind} onChange={(e) => setD({ ...d, kind: e.target.value as AlertKind })} data-testid="alert-kind">
          {KINDS.map((k) => (
            <option key={k.id} value={k.id}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      {!isPortfolio(d.kind) ? (
        <label className="ofield" htmlFor={`${id}-sym`}>
          <span>Symbol</span>
          <SymbolField id={`${id}-sym`} value={d.symbol} onChange={(v) => setD({ ...d, symbol: v })} />
        </label>
      ) : null}
      <label className="ofield">
        <span>{levelLabel}</span>
        <input
          className={`${levelProblem ? 'invalid' : ''}${isPortfolio(d.kind) && privacy ? ' masked' : ''}`}
          value={d.level}
          inputMode="decimal"
          data-testid="alert-level"
          onChange={(e) => setD({ ...d, level: e.target.value.trim().slice(0, 40) })}
          placeholder={isChange(d.kind) ? '5' : '70000'}
        />
      </label>
      {isChange(d.kind) ? (
        <div className="row gap">
          <label className="ofield">
            <span>Direction</span>
            <select value={d.direction} onChange={(e) => setD({ ...d, direction: e.target.value as ChangeDirection })}>
              <option value="either">Up or down</option>
              <option value="up">Up</option>
              <option value="down">Down</option>
            </select>
          </label>
          {d.kind === 'change-window' ? (
            <label className="ofield">
              <span>Within</span>
              <select value={d.windowMs} onChange={(e) => setD({ ...d, windowMs: Number(e.target.value) })}>
                {WINDOWS.map((w) => (
                  <option key={w.ms} value={w.ms}>
                    {w.label}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
      ) : null}
      <label className="check">
        <input type="checkbox" checked={d.repeat} onChange={(e) => setD({ ...d, repeat: e.target.checked })} /> Repeat (otherwise it fires
        once)
      </label>
      {d.repeat ? (
        <div className="row gap">
          <label className="ofield">
            <span>Not again within (minutes)</span>
            <input
              value={d.cooldownMin}
              inputMode="numeric"
              onChange={(e) => setD({ ...d, cooldownMin: e.target.value.replace(/\D/g, '').slice(0, 5) })}
            />
          </label>
          <label className="ofield">
            <span>Re-arm after moving back (%)</span>
            <input
              value={d.rearmPercent}
              inputMode="decimal"
              onChange={(e) => setD({ ...d, rearmPercent: e.target.value.trim().slice(0, 10) })}
            />
          </label>
        </div>
      ) : null}
      <label className="ofield">
        <span>Note (optional)</span>
        <input value={d.note} maxLength={200} onChange={(e) => setD({ ...d, note: e.target.value })} placeholder="why this level matters" />
      </label>
      {levelProblem ? (
        <p className="issue" role="alert">
          {levelProblem}
        </p>
      ) : null}
      {warning ? (
        <p className="alert-warning" role="status" data-testid="alert-fires-now">
          {warning}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row gap">
        <button type="submit" className="primary" disabled={!canSave} data-testid="alert-save">
          {editing ? 'Save changes' : 'Create alert'}
        </button>
        {editing ? (
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
