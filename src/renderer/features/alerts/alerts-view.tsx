/**
 * The alerts screen: the form (alert-form.tsx), the alert settings, the rules with their state and
 * the log of what fired.
 */
import { useState } from 'react';
import type { AlertLogEntry, AlertRule } from '../../../shared/domain';
import { maskFigures, money } from '../../app/format';
import { usePrivacy } from '../../app/store-context';
import { useAlerts, useAlertsView } from './alerts-context';
import { AlertForm, WINDOWS } from './alert-form';
import './alerts.css';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "14:03" today, "3 Dec 2026 14:03" on any other day. */
export function dateTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const t = new Date(now);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === t.toDateString()) return hm;
  return `${d.getDate()} ${d.toLocaleString('en', { month: 'short' })} ${d.getFullYear()} ${hm}`;
}

function groupNumber(s: string): string {
  const [i = '', f] = s.split('.');
  return `${i.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${f !== undefined ? `.${f}` : ''}`;
}

/** The rule in a person's words. */
export function describeRule(r: Pick<AlertRule, 'kind' | 'symbol' | 'level' | 'direction' | 'windowMs'>, privacy: boolean): string {
  const dir = r.direction === 'up' ? 'up' : r.direction === 'down' ? 'down' : 'up or down';
  switch (r.kind) {
    case 'price-above':
      return `${r.symbol} crosses above ${groupNumber(r.level)}`;
    case 'price-below':
      return `${r.symbol} crosses below ${groupNumber(r.level)}`;
    case 'change-window':
      return `${r.symbol} moves ${dir} ${r.level} % within ${WINDOWS.find((w) => w.ms === r.windowMs)?.label ?? `${Math.round(r.windowMs / 60_000)} minutes`}`;
    case 'change-24h':
      return `${r.symbol} 24 h change ${dir} ${r.level} %`;
    case 'portfolio-above':
      return `Portfolio total above ${money(privacy, groupNumber(r.level))} ${r.symbol}`;
    case 'portfolio-below':
      return `Portfolio total below ${money(privacy, groupNumber(r.level))} ${r.symbol}`;
  }
}

function ruleState(r: AlertRule): string {
  if (r.paused) return 'Paused';
  if (r.done) return 'Fired (done)';
  return r.repeat ? 'Active, repeating' : 'Active';
}

function AlertSettingsPanel(): React.JSX.Element | null {
  const store = useAlerts();
  const s = useAlertsView((x) => x.settings);
  const [error, setError] = useState<string | null>(null);
  if (s === null) return null;
  const patch = (p: Parameters<typeof store.bridge.call<'alerts:updateSettings'>>[1]): void => {
    setError(null);
    void store.bridge.call('alerts:updateSettings', p).then((r) => {
      if (!r.ok) setError(r.error.message);
    });
  };
  const hm = (m: number): string => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
  const toMin = (v: string): number => {
    const [h = '0', m = '0'] = v.split(':');
    return Math.min(1439, Number(h) * 60 + Number(m));
  };
  // eslint-disable-next-line react-hooks/purity -- re-rendered by every alerts event; a pause that ended shows so on the next one
  const paused = s.pausedUntil !== null && s.pausedUntil > Date.now();
  return (
    <section className="panel" data-testid="alert-settings">
      <h2>Notifications</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <label className="setting toggle">
        <span className="setting-label">
          Show notifications<span className="setting-hint">Alerts are always written to the log.</span>
        </span>
        <input type="checkbox" checked={s.notifications} onChange={(e) => patch({ notifications: e.target.checked })} />
      </label>
      <label className="setting toggle">
        <span className="setting-label">Sound</span>
        <input type="checkbox" checked={s.sound} onChange={(e) => patch({ sound: e.target.checked })} />
      </label>
      <div className="setting quiet">
        <span className="setting-label">
          Quiet hours<span className="setting-hint">Alerts are logged, with no banner or sound.</span>
        </span>
        <span className="row gap quiet-times">
          <input
            type="checkbox"
            aria-label="Quiet hours on"
            checked={s.quietHours.enabled}
            onChange={(e) => patch({ quietHours: { ...s.quietHours, enabled: e.target.checked } })}
          />
          <input
            type="time"
            aria-label="Quiet from"
            value={hm(s.quietHours.start)}
            onChange={(e) => patch({ quietHours: { ...s.quietHours, start: toMin(e.target.value) } })}
          />
          to
          <input
            type="time"
            aria-label="Quiet until"
            value={hm(s.quietHours.end)}
            onChange={(e) => patch({ quietHours: { ...s.quietHours, end: toMin(e.target.value) } })}
          />
        </span>
      </div>
      <label className="setting">
        <span className="setting-label">The tray menu lists</span>
        <select value={s.trayShows} onChange={(e) => patch({ trayShows: e.target.value as 'holdings' | 'watchlist' })}>
          <option value="holdings">Top holdings</option>
          <option value="watchlist">Watchlist</option>
        </select>
      </label>
      <div className="setting">
        <span className="setting-label">
          Pause alerts
          {paused ? (
            <span className="setting-hint" data-testid="paused-until">
              Paused until {dateTime(s.pausedUntil ?? 0)}
            </span>
          ) : null}
        </span>
        <span className="row gap">
          {paused ? (
            <button type="button" onClick={() => void store.bridge.call('alerts:pauseAll', { until: 'resume' })}>
              Resume
            </button>
          ) : (
            <>
              <button type="button" onClick={() => void store.bridge.call('alerts:pauseAll', { until: '1h' })}>
                For 1 hour
              </button>
              <button type="button" onClick={() => void store.bridge.call('alerts:pauseAll', { until: 'tomorrow' })}>
                Until tomorrow
              </button>
            </>
          )}
        </span>
      </div>
    </section>
  );
}

function logText(e: AlertLogEntry, privacy: boolean): string {
  // order and portfolio messages carry amounts; price alerts carry market prices (always shown)
  return e.kind === 'order' || e.message.startsWith('Portfolio') || e.message.includes('Portfolio ')
    ? maskFigures(privacy, e.message)
    : e.message;
}

export function AlertsView(): React.JSX.Element {
  const store = useAlerts();
  const rules = useAlertsView((s) => s.rules);
  const log = useAlertsView((s) => s.log);
  const privacy = usePrivacy();
  const [editing, setEditing] = useState<AlertRule | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = (p: Promise<{ ok: boolean; error?: { message: string } }>): void => {
    setError(null);
    void p.then((r) => {
      if (!r.ok) setError(r.error?.message ?? 'That did not work; try again.');
    });
  };

  return (
    <div className="alerts" data-testid="alerts-view">
      <div className="alerts-left">
        <section className="panel">
          <h2>{editing ? 'Edit alert' : 'New alert'}</h2>
          <AlertForm editing={editing} onDone={() => setEditing(null)} />
        </section>
        <AlertSettingsPanel />
      </div>
      <div className="alerts-right">
        <section className="panel">
          <h2>Alerts</h2>
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          {rules.length === 0 ? (
            <p className="muted" data-testid="no-alerts">
              No alerts yet. Create one here, or with “Alert…” on a holding row, a watch symbol or an asset’s P&L page.
            </p>
          ) : (
            <table className="atable" data-testid="alert-rules">
              <thead>
                <tr>
                  <th>Alert</th>
                  <th>State</th>
                  <th>Last fired</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <tr key={r.id} className={r.paused || r.done ? 'dim' : ''}>
                    <td>
                      {describeRule(r, privacy)}
                      {r.note ? <div className="muted small">{r.note}</div> : null}
                    </td>
                    <td>{ruleState(r)}</td>
                    <td className="nowrap">{r.lastFiredAt === null ? '—' : dateTime(r.lastFiredAt)}</td>
                    <td className="actions">
                      <button type="button" className="link" onClick={() => setEditing(r)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="link"
                        onClick={() => act(store.bridge.call('alerts:setPaused', { id: r.id, paused: !r.paused }))}
                      >
                        {r.paused ? 'Resume' : 'Pause'}
                      </button>
                      {confirmDelete === r.id ? (
                        <>
                          <button
                            type="button"
                            className="link danger-text"
                            onClick={() => {
                              setConfirmDelete(null);
                              act(store.bridge.call('alerts:delete', { id: r.id }));
                            }}
                          >
                            Confirm delete
                          </button>
                          <button type="button" className="link" onClick={() => setConfirmDelete(null)}>
                            Keep
                          </button>
                        </>
                      ) : (
                        <button type="button" className="link" onClick={() => setConfirmDelete(r.id)}>
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel">
          <h2>History</h2>
          {log.length === 0 ? (
            <p className="muted">Nothing has fired yet.</p>
          ) : (
            <ol className="alert-log" data-testid="alert-log">
              {log.map((e) => (
                <li key={e.id} className={`log-${e.kind}`}>
                  <span className="log-time">{dateTime(e.at)}</span>
                  <span className="log-text">{logText(e, privacy)}</span>
                  {!e.banner ? (
                    <span className="muted small" title="Quiet hours, paused or notifications off">
                      no banner
                    </span>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </div>
  );
}
