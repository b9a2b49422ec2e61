import { useEffect, useState } from 'react';
import type { ConnectionState, ConnectionStatus } from '../../../shared/domain';
import { formatAge, formatClock, formatOffset } from '../../app/format';
import { useView } from '../../app/store-context';

const ENV_LABEL: Readonly<Record<string, string>> = {
  demo: 'Demo (simulated)',
  'demo-mode': 'Binance Demo Mode',
  testnet: 'Spot Testnet',
  production: 'Binance',
};

const STATE_LABEL: Readonly<Record<ConnectionState, string>> = {
  connecting: 'connecting',
  live: 'live',
  stale: 'stale',
  reconnecting: 'reconnecting',
  resyncing: 'resyncing',
  offline: 'offline',
};

function useNow(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(t);
  }, [periodMs]);
  return now;
}

function Connection({
  label,
  c,
  now,
  lost,
}: Readonly<{ label: string; c: ConnectionStatus | undefined; now: number; lost: boolean }>): React.JSX.Element {
  // With main silent, what it last said about the exchange is not known to hold: never "live".
  if (lost) {
    return (
      <span
        className="conn conn-lost"
        title={`${label}: not known (no word from Perch)`}
        data-testid={`conn-${c?.id ?? label}`}
        data-state="unknown"
      >
        <span className="dot" aria-hidden="true" />
        {label} <strong>unknown</strong>
      </span>
    );
  }
  const state = c?.state ?? 'offline';
  const age = c?.lastMessageAt != null ? formatAge(now - c.lastMessageAt) : '—';
  const title = [
    `${label}: ${STATE_LABEL[state]}`,
    c?.lastMessageAt != null ? `last message ${formatClock(c.lastMessageAt)} (${age} ago)` : 'no message yet',
    c ? `${c.reconnects} reconnects` : '',
    c?.lastError ? `last error: ${c.lastError}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <span className={`conn conn-${state}`} title={title} data-testid={`conn-${c?.id ?? label}`} data-state={state}>
      <span className="dot" aria-hidden="true" />
      {label} <strong>{STATE_LABEL[state]}</strong>
      <span className="muted"> · {age}</span>
    </span>
  );
}

export function StatusBar(): React.JSX.Element {
  const status = useView((s) => s.status);
  const portfolio = useView((s) => s.portfolio);
  const lost = useView((s) => s.bridgeLost);
  const lastHeardAt = useView((s) => s.lastHeardAt);
  const now = useNow(1000);
  const market = status?.connections.find((c) => c.id === 'market');
  const account = status?.connections.find((c) => c.id === 'account');
  const reconnects = (market?.reconnects ?? 0) + (account?.reconnects ?? 0);
  const offline = portfolio !== null && portfolio.freshness.state === 'offline';
  const dataAge = portfolio !== null ? formatAge(now - portfolio.asOf) : '—';
  const error = market?.lastError ?? account?.lastError ?? null;
  const env = status ? (ENV_LABEL[status.environment] ?? status.environment) : '…';
  // What a screen reader announces: the states only. The ages below change every second and are
  // outside any live region, or they would be read out constantly.
  const announcement = lost
    ? `${env} — connection to Perch lost`
    : [
        `${env} — market ${STATE_LABEL[market?.state ?? 'offline']}, account ${STATE_LABEL[account?.state ?? 'offline']}`,
        offline && portfolio ? `Offline, showing the snapshot of ${formatClock(portfolio.asOf)}` : '',
        error && !offline ? error : '',
      ]
        .filter(Boolean)
        .join('. ');
  return (
    <footer className="statusbar" aria-label="Connection status" data-testid="status-bar">
      <span className="visually-hidden" role="status" data-testid="status-announcement">
        {announcement}
      </span>
      <span className="env">{env}</span>
      {lost ? (
        <span
          className="bridge-lost"
          role="alert"
          data-testid="bridge-lost"
          title="Perch's backend stopped answering: the figures shown are the last it sent and may be out of date."
        >
          Connection to Perch lost{lastHeardAt !== null ? ` at ${formatClock(lastHeardAt)}` : ''}
        </span>
      ) : null}
      <Connection label="Market" c={market} now={now} lost={lost} />
      <Connection label="Account" c={account} now={now} lost={lost} />
      <span title={portfolio ? `figures computed at ${formatClock(portfolio.asOf)}` : undefined}>
        Data age <strong data-testid="data-age">{dataAge}</strong>
      </span>
      {/* Main's counters are not current either while it is silent: left out rather than shown as if they were. */}
      {lost ? null : (
        <>
          <span>
            Reconnects <strong data-testid="reconnects">{reconnects}</strong>
          </span>
          <span title="Exchange clock minus this computer's clock">
            Clock <strong>{status?.clockOffsetMs != null ? formatOffset(status.clockOffsetMs) : '—'}</strong>
          </span>
          <span title="Request weight used in the current minute">
            Weight{' '}
            <strong>
              {status?.weightUsed != null ? `${status.weightUsed}${status.weightLimit ? ` / ${status.weightLimit}` : ''}` : '—'}
            </strong>
          </span>
        </>
      )}
      {offline && portfolio && !lost ? (
        <span className="offline-note">Offline — showing the snapshot of {formatClock(portfolio.asOf)}</span>
      ) : null}
      {error && !offline && !lost ? (
        <span className="status-error" title={error}>
          {error}
        </span>
      ) : null}
    </footer>
  );
}
