import { useAlertsView } from './alerts-context';
import { dateTime } from './alerts-view';

/**
 * The web host has no OS tray or notification centre: it shows the core's tray model and the
 * notifications shown through its port here, in the page (so browser tests see them).
 */
export function isWebHost(): boolean {
  return typeof document !== 'undefined' && document.querySelector('meta[name="perch-web-host"]') !== null;
}

export function DesktopPreview(): React.JSX.Element {
  const tray = useAlertsView((s) => s.tray);
  const shown = useAlertsView((s) => s.shown);
  return (
    <aside className="desktop-preview" aria-label="Tray and notifications (browser preview)">
      <div className="tray-preview" data-testid="tray-model">
        <span className="tray-dot" aria-hidden="true" />
        <span data-testid="tray-tooltip">{tray?.tooltip ?? 'Perch'}</span>
        <details>
          <summary>Tray menu</summary>
          <ul data-testid="tray-menu">
            {(tray?.items ?? [])
              .filter((i) => !i.id.startsWith('separator:'))
              .map((i) => (
                <li key={i.id} className={i.enabled ? '' : 'muted'}>
                  {i.checked !== undefined ? (i.checked ? '☑ ' : '☐ ') : ''}
                  {i.label}
                </li>
              ))}
          </ul>
        </details>
      </div>
      {shown.length > 0 ? (
        <ol className="notification-list" data-testid="notifications">
          {shown.slice(0, 3).map((n) => (
            <li key={`${n.at}-${n.body}`}>
              {n.body.startsWith(n.title) ? null : (
                <>
                  <strong>{n.title}</strong>{' '}
                </>
              )}
              <span>{n.body}</span> <span className="muted small">{dateTime(n.at)}</span>
            </li>
          ))}
        </ol>
      ) : null}
    </aside>
  );
}
