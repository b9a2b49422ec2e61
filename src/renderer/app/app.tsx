import { useEffect, useState } from 'react';
import { HoldingsView } from '../features/holdings/holdings-view';
import { OrdersView } from '../features/orders/orders-view';
import { PnlView } from '../features/pnl/pnl-view';
import { Welcome } from '../features/onboarding/welcome';
import { ResetDemoButton } from '../features/settings/reset-demo';
import { SettingsView } from '../features/settings/settings-view';
import { StatusBar } from '../features/status/status-bar';
import { AlertsView } from '../features/alerts/alerts-view';
import { useAlertsStore } from '../features/alerts/alerts-context';
import { INITIAL_ALERTS_STATE, type AlertsState } from '../features/alerts/alerts-store';
import { DesktopPreview, isWebHost } from '../features/alerts/desktop-preview';
import { WatchlistView } from '../features/alerts/watchlist-view';
import { maskFigures } from './format';
import { AboutDialog, ShortcutsDialog } from './shell-dialogs';
import { usePrivacy, useStore, useView } from './store-context';
import { useSelected, type ViewStore } from './view-store';
import { viewForKey, type ViewId } from '../../shared/shortcuts';

type Tab = ViewId;
type ShellDialog = 'shortcuts' | 'about' | null;

/** Stand-in when no alerts store is mounted (a test rendering the shell alone). */
const NO_ALERTS: Pick<ViewStore<AlertsState>, 'get' | 'subscribe'> = {
  get: () => INITIAL_ALERTS_STATE,
  subscribe: () => () => undefined,
};

const IS_MAC = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform);
export const PRIVACY_SHORTCUT = IS_MAC ? '⌘⇧H' : 'Ctrl+Shift+H';

function useTheme(): void {
  const theme = useView((s) => s.settings?.theme ?? 'system');
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
  }, [theme]);
}

function usePrivacyShortcut(): void {
  const store = useStore();
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'h') {
        e.preventDefault();
        store.togglePrivacy();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}

/** A key typed into a field is text, not a shortcut. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Mod+1…N and Mod+, switch views, `?` opens the shortcut list (outside text fields), and the
 * application menu's requests (Electron) arrive as `app:menu` events and do the same.
 */
function useShellShortcuts(enabled: boolean, setTab: (t: Tab) => void, setDialog: (d: ShellDialog) => void): void {
  const store = useStore();
  const menu = useView((s) => s.menu);
  useEffect(() => {
    if (!enabled) return undefined;
    const onKey = (e: KeyboardEvent): void => {
      const view = viewForKey(e, IS_MAC);
      if (view !== null) {
        e.preventDefault();
        setTab(view);
        return;
      }
      if (
        e.key === '?' &&
        !e.ctrlKey &&
        !e.metaKey &&
        !e.altKey &&
        !isTyping(e.target) &&
        document.querySelector('dialog[open]') === null
      ) {
        e.preventDefault();
        setDialog('shortcuts');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled, setTab, setDialog]);
  useEffect(() => {
    if (menu === null) return;
    const r = menu.request;
    if (r.kind === 'navigate') {
      if (enabled) setTab(r.view);
    } else if (r.kind === 'togglePrivacy') store.togglePrivacy();
    else setDialog(r.kind);
  }, [menu, enabled, setTab, setDialog, store]);
}

function Notices(): React.JSX.Element | null {
  const store = useStore();
  // A notice about one setting is shown beside that setting (Settings), not here.
  const notices = useView((s) => s.notices).filter((n) => n.code !== 'threshold-converted');
  const errors = useView((s) => s.errors);
  // Notices can carry amounts ("Order filled: BUY 0.01 BTC ..."): privacy mode hides them too.
  const privacy = usePrivacy();
  if (notices.length === 0 && errors.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
          <span data-money="">{maskFigures(privacy, n.message)}</span>
          <button type="button" className="link" onClick={() => store.dismissNotice(n.id)} aria-label="Dismiss">
            Dismiss
          </button>
        </div>
      ))}
      {errors.map((e) => (
        <div key={e.id} className="notice notice-error" role="alert">
          <span>{e.message}</span>
          <button type="button" className="link" onClick={() => store.dismissError(e.id)} aria-label="Dismiss">
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}

export function App(): React.JSX.Element {
  const store = useStore();
  const phase = useView((s) => s.phase);
  const loadError = useView((s) => s.loadError);
  const settings = useView((s) => s.settings);
  const keys = useView((s) => s.keys);
  const [tab, setTab] = useState<Tab>('holdings');
  const [shellDialog, setShellDialog] = useState<ShellDialog>(null);
  const version = useView((s) => s.version);
  useTheme();
  usePrivacyShortcut();
  // A clicked notification (or "Alert" on a watch symbol) opens its view.
  const alertsStore = useAlertsStore();
  const openView = useSelected(alertsStore ?? NO_ALERTS, (s) => s.openView);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a clicked notification opens its view: an event from main, not derived state
    if (openView !== null) setTab(openView.view);
  }, [openView]);
  const onboarded = settings?.onboarded ?? false;
  const hasKey = keys.length > 0;
  const firstStart = !onboarded && !hasKey;
  useShellShortcuts(phase === 'ready' && !firstStart, setTab, setShellDialog);
  useEffect(() => {
    // the welcome screen ends on Holdings, whichever tab was open when it (re)appeared; set here,
    // not when a choice is answered, so a click on another tab in the meantime is not undone
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the tab follows the welcome screen's appearance, an event outside React's render
    if (firstStart) setTab('holdings');
  }, [firstStart]);
  useEffect(() => {
    // A key saved before `onboarded` existed (settings v2) is proof enough; the settings file
    // cannot know about keychain entries, so main learns it from here, once.
    if (phase === 'ready' && !onboarded && hasKey) {
      void store.updateSettings({ onboarded: true });
    }
  }, [phase, onboarded, hasKey, store]);

  if (phase === 'loading') return <div className="boot">Starting Perch…</div>;
  if (phase === 'failed' || settings === null) {
    return (
      <div className="boot error" role="alert">
        Perch could not load its state: {loadError ?? 'unknown error'}
        <button type="button" onClick={() => void store.start()}>
          Retry
        </button>
      </div>
    );
  }

  const finishOnboarding = (): void => {
    // read now, not from this render: the demo choice already saved it with the environment
    if (store.get().settings?.onboarded) return;
    void store.updateSettings({ onboarded: true }).then((res) => {
      if (!res.ok) store.reportError(res.error.message);
    });
  };
  const demo = settings.environment === 'demo';
  const privacy = settings.privacyMode;

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Perch</span>
        {demo ? (
          <span className="badge badge-demo" data-testid="demo-badge" title="Simulated exchange: no real money">
            Demo
          </span>
        ) : null}
        {settings.environment === 'production' ? <span className="badge badge-live">Live account</span> : null}
        {!firstStart ? (
          <nav className="tabs" aria-label="Sections">
            <button
              type="button"
              className={tab === 'holdings' ? 'active' : ''}
              aria-current={tab === 'holdings' ? 'page' : undefined}
              onClick={() => setTab('holdings')}
            >
              Holdings
            </button>
            <button
              type="button"
              className={tab === 'pnl' ? 'active' : ''}
              aria-current={tab === 'pnl' ? 'page' : undefined}
              onClick={() => setTab('pnl')}
            >
              P&amp;L
            </button>
            <button
              type="button"
              className={tab === 'orders' ? 'active' : ''}
              aria-current={tab === 'orders' ? 'page' : undefined}
              onClick={() => setTab('orders')}
            >
              Orders
            </button>
            <button
              type="button"
              className={tab === 'watchlist' ? 'active' : ''}
              aria-current={tab === 'watchlist' ? 'page' : undefined}
              onClick={() => setTab('watchlist')}
            >
              Watchlist
            </button>
            <button
              type="button"
              className={tab === 'alerts' ? 'active' : ''}
              aria-current={tab === 'alerts' ? 'page' : undefined}
              onClick={() => setTab('alerts')}
            >
              Alerts
            </button>
            <button
              type="button"
              className={tab === 'settings' ? 'active' : ''}
              aria-current={tab === 'settings' ? 'page' : undefined}
              onClick={() => setTab('settings')}
            >
              Settings
            </button>
          </nav>
        ) : null}
        <span className="spacer" />
        {demo && !firstStart ? <ResetDemoButton className="ghost" /> : null}
        <button
          type="button"
          className={`ghost privacy-toggle${privacy ? ' on' : ''}`}
          aria-pressed={privacy}
          title={`Hide every amount (${PRIVACY_SHORTCUT})`}
          data-testid="privacy-toggle"
          onClick={() => store.togglePrivacy()}
        >
          {privacy ? 'Amounts hidden' : 'Hide amounts'} <kbd>{PRIVACY_SHORTCUT}</kbd>
        </button>
        <button
          type="button"
          className="ghost"
          title="Keyboard shortcuts (?)"
          aria-label="Keyboard shortcuts and About"
          data-testid="shortcuts-button"
          onClick={() => setShellDialog('shortcuts')}
        >
          ?
        </button>
      </header>
      {shellDialog === 'shortcuts' ? (
        <ShortcutsDialog onClose={() => setShellDialog(null)} onAbout={() => setShellDialog('about')} />
      ) : null}
      {shellDialog === 'about' ? <AboutDialog version={version} onClose={() => setShellDialog(null)} /> : null}
      <Notices />
      <main className="content">
        {firstStart ? (
          <Welcome onDone={finishOnboarding} />
        ) : tab === 'holdings' ? (
          <HoldingsView />
        ) : tab === 'pnl' ? (
          <PnlView />
        ) : tab === 'orders' ? (
          <OrdersView />
        ) : tab === 'alerts' ? (
          <AlertsView />
        ) : tab === 'watchlist' ? (
          <WatchlistView />
        ) : (
          <SettingsView />
        )}
      </main>
      {alertsStore !== null && isWebHost() ? <DesktopPreview /> : null}
      <StatusBar />
    </div>
  );
}
