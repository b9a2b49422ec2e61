import type { KeyHealth } from '../../../shared/domain';
import { formatClock } from '../../app/format';

export function formatDate(ms: number): string {
  // formatClock dates any time that is not today; "saved on" reads better with the date always
  const t = formatClock(ms);
  return t.includes('-') ? t : `${new Date(ms).toLocaleDateString()} ${t}`;
}

function Flag({
  label,
  value,
  bad,
  wanted,
}: Readonly<{ label: string; value: boolean | null; bad?: boolean; wanted?: boolean }>): React.JSX.Element {
  const text = value === null ? 'unknown here' : value ? 'yes' : 'no';
  const tone = value === null ? 'unknown' : bad ? (value ? 'danger' : 'good') : value ? 'good' : wanted ? 'warn' : 'muted';
  return (
    <div className={`flag flag-${tone}`}>
      <span>{label}</span>
      <strong>{text}</strong>
    </div>
  );
}

export function KeyHealthPanel({ health }: Readonly<{ health: KeyHealth }>): React.JSX.Element {
  return (
    <div className="health" data-testid="key-health">
      <div className="health-flags">
        <Flag label="Reading" value={health.reading} />
        <Flag label="Spot trading" value={health.spotTrading} />
        <Flag label="Withdrawals" value={health.withdrawals} bad />
        <Flag label="IP restricted" value={health.ipRestricted} wanted />
      </div>
      {health.tradingAuthorityExpiresAt !== null ? (
        <p className="warn">Binance ends trading permission of this unrestricted key on {formatDate(health.tradingAuthorityExpiresAt)}.</p>
      ) : null}
      {health.warnings.length > 0 ? (
        <ul className="warnings">
          {health.warnings.map((w) => (
            <li key={w.code} className={`warning-${w.level}`} data-code={w.code}>
              {w.message}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted small">Checked at {formatClock(health.checkedAt)}.</p>
    </div>
  );
}
