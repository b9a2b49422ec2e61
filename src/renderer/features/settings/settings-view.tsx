import { useEffect, useState } from 'react';
import type { Settings, SettingsPatch, Theme } from '../../../shared/domain';
import { useStore, useView } from '../../app/store-context';
import { ENVIRONMENTS, KeySetup } from '../onboarding/key-setup';

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];
const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

function Toggle({ label, hint, checked, onChange }: Readonly<{ label: string; hint?: string; checked: boolean; onChange: (v: boolean) => void }>): React.JSX.Element {
  return (
    <label className="setting toggle">
      <span className="setting-label">
        {label}
        {hint ? <span className="setting-hint">{hint}</span> : null}
      </span>
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
    </label>
  );
}

export function SettingsView(): React.JSX.Element {
  const store = useStore();
  const settings = useView((s) => s.settings);
  const key = useView((s) => s.key);
  const keychain = useView((s) => s.keychain);
  const version = useView((s) => s.version);
  const [error, setError] = useState<string | null>(null);
  const [keysOpen, setKeysOpen] = useState(false);
  const [threshold, setThreshold] = useState(settings?.smallBalanceThreshold ?? '1');
  const [resetNote, setResetNote] = useState<string | null>(null);

  useEffect(() => {
    if (settings) setThreshold(settings.smallBalanceThreshold);
  }, [settings?.smallBalanceThreshold]);

  if (settings === null) return <div className="panel">Loading settings…</div>;

  const update = (patch: SettingsPatch): void => {
    setError(null);
    void store.updateSettings(patch).then((res) => {
      if (!res.ok) setError(res.error.message);
    });
  };
  const set = <K extends keyof Settings>(k: K) => (v: Settings[K]): void => update({ [k]: v } as SettingsPatch);
  const envLabel = ENVIRONMENTS.find((e) => e.id === settings.environment)?.label ?? settings.environment;

  return (
    <div className="settings" data-testid="settings">
      {error ? <p className="error" role="alert" data-testid="settings-error">{error}</p> : null}

      <section className="panel">
        <h2>Environment and key</h2>
        <div className="setting">
          <span className="setting-label">
            Connected to
            <span className="setting-hint">{keychain && keychain.state !== 'available' && keychain.message ? keychain.message : 'Keys are kept in the OS keychain.'}</span>
          </span>
          <span>
            <strong>{envLabel}</strong>
            {settings.environment !== 'demo' ? (key ? <> · key <code>{key.apiKeyMasked}</code> ({key.type})</> : <span className="warn"> · no key saved</span>) : null}
          </span>
        </div>
        {keysOpen ? (
          <KeySetup onDone={() => setKeysOpen(false)} onCancel={() => setKeysOpen(false)} />
        ) : (
          <div className="row gap">
            <button type="button" onClick={() => setKeysOpen(true)}>Change environment or key…</button>
            {settings.environment === 'demo' ? (
              <button
                type="button"
                onClick={() => {
                  setResetNote(null);
                  void store.call('demo:reset').then((res) => {
                    if (res.ok) setResetNote('The demo account has its opening balances again.');
                    else setError(res.error.message);
                  });
                }}
              >
                Reset demo account
              </button>
            ) : null}
            {resetNote ? <span className="muted">{resetNote}</span> : null}
          </div>
        )}
      </section>

      <section className="panel">
        <h2>Holdings</h2>
        <label className="setting">
          <span className="setting-label">Quote currency<span className="setting-hint">Holdings are valued in this asset.</span></span>
          <select value={settings.quoteCurrency} onChange={(e) => update({ quoteCurrency: e.target.value })}>
            {(QUOTES.includes(settings.quoteCurrency) ? QUOTES : [settings.quoteCurrency, ...QUOTES]).map((q) => (
              <option key={q} value={q}>{q}</option>
            ))}
          </select>
        </label>
        <form
          className="setting"
          onSubmit={(e) => {
            e.preventDefault();
            if (!DECIMAL.test(threshold.trim())) {
              setError('The small-balance threshold must be a number like 1 or 0.5.');
              return;
            }
            update({ smallBalanceThreshold: threshold.trim() });
          }}
        >
          <span className="setting-label">Small-balance threshold<span className="setting-hint">In {settings.quoteCurrency}; press Enter to apply.</span></span>
          <input
            className="narrow"
            inputMode="decimal"
            aria-label="Small-balance threshold"
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            onBlur={() => {
              if (threshold.trim() !== settings.smallBalanceThreshold && DECIMAL.test(threshold.trim())) update({ smallBalanceThreshold: threshold.trim() });
            }}
          />
        </form>
        <Toggle label="Hide small balances" checked={settings.hideSmallBalances} onChange={set('hideSmallBalances')} />
        <Toggle label="Privacy mode" hint="Hides every amount. Shortcut: Ctrl+Shift+H (⌘⇧H on macOS)." checked={settings.privacyMode} onChange={set('privacyMode')} />
      </section>

      <section className="panel">
        <h2>Appearance and system</h2>
        <label className="setting">
          <span className="setting-label">Theme</span>
          <select value={settings.theme} onChange={(e) => update({ theme: e.target.value as Theme })}>
            <option value="system">System</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <Toggle label="Start at login" checked={settings.startAtLogin} onChange={set('startAtLogin')} />
        <Toggle label="Close to tray" hint="Closing the window keeps Perch running in the tray." checked={settings.closeToTray} onChange={set('closeToTray')} />
        <Toggle label="Trading enabled" hint="Order entry stays off until you turn it on." checked={settings.tradingEnabled} onChange={set('tradingEnabled')} />
      </section>
      <p className="muted small">Perch {version}</p>
    </div>
  );
}
