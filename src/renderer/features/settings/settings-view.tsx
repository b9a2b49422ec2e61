import { useEffect, useState } from 'react';
import type { Settings, SettingsPatch, Theme } from '../../../shared/domain';
import { useStore, useView } from '../../app/store-context';
import { ENVIRONMENTS, KeySetup } from '../onboarding/key-setup';
import { GeneratedPublicKeys } from '../onboarding/public-key';
import { ResetDemoButton } from './reset-demo';

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];
const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

type Field = keyof Settings;

/**
 * The line under a setting's name: its hint, or in its place what went wrong with it. Replacing
 * the hint (every setting has one) keeps the page from moving when an error comes or goes.
 */
function Hint({ hint, error, id }: Readonly<{ hint: string; error: string | undefined; id: string }>): React.JSX.Element {
  return error !== undefined ? (
    <span className="setting-hint setting-error" id={id} role="alert" data-testid="setting-error">
      {error}
    </span>
  ) : (
    <span className="setting-hint" id={id}>
      {hint}
    </span>
  );
}

function Toggle({
  label,
  hint,
  error,
  field,
  checked,
  onChange,
}: Readonly<{
  label: string;
  hint: string;
  error: string | undefined;
  field: Field;
  checked: boolean;
  onChange: (v: boolean) => void;
}>): React.JSX.Element {
  const id = `hint-${field}`;
  return (
    <label className="setting toggle">
      <span className="setting-label">
        {label}
        <Hint hint={hint} error={error} id={id} />
      </span>
      <input
        type="checkbox"
        checked={checked}
        aria-describedby={id}
        aria-invalid={error !== undefined}
        onChange={(e) => onChange(e.target.checked)}
      />
    </label>
  );
}

export function SettingsView(): React.JSX.Element {
  const store = useStore();
  const settings = useView((s) => s.settings);
  const key = useView((s) => s.key);
  const keychain = useView((s) => s.keychain);
  const version = useView((s) => s.version);
  // What main did to the threshold when the quote currency changed, said beside the threshold.
  const thresholdNote = useView((s) => s.notices.find((n) => n.code === 'threshold-converted') ?? null);
  // Each error belongs to the setting it is about and is shown beside it.
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [keysOpen, setKeysOpen] = useState(false);
  const [threshold, setThreshold] = useState(settings?.smallBalanceThreshold ?? '1');

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the field follows a newly saved value (typed here, or converted by main with the quote currency)
    if (settings) setThreshold(settings.smallBalanceThreshold);
    // a new saved value (typed, or converted with the quote currency) ends an old complaint
    setErrors(({ smallBalanceThreshold: _old, ...rest }) => rest);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new saved threshold resets the field, not any other settings change
  }, [settings?.smallBalanceThreshold]);

  if (settings === null) return <div className="panel">Loading settings…</div>;

  const fieldsOf = (patch: SettingsPatch): Field[] => Object.keys(patch) as Field[];
  const setFieldError = (fields: readonly Field[], message: string | undefined): void => {
    setErrors((old) => {
      const next = { ...old };
      for (const f of fields) {
        if (message === undefined) delete next[f];
        else next[f] = message;
      }
      return next;
    });
  };
  const update = (patch: SettingsPatch): void => {
    const fields = fieldsOf(patch);
    setFieldError(fields, undefined);
    void store.updateSettings(patch).then((res) => {
      if (!res.ok) setFieldError(fields, `Not saved: ${res.error.message}`);
    });
  };
  const set =
    <K extends keyof Settings>(k: K) =>
    (v: Settings[K]): void =>
      update({ [k]: v } as SettingsPatch);
  const saved = settings.smallBalanceThreshold;
  /** Apply the typed threshold; an invalid one is put back to the saved value, and the person is told why. */
  const applyThreshold = (): void => {
    const typed = threshold.trim();
    if (typed === saved) {
      setFieldError(['smallBalanceThreshold'], undefined);
      return;
    }
    if (!DECIMAL.test(typed) || typed.length > 30) {
      const shown = typed === '' ? 'An empty value' : `“${typed.length > 20 ? `${typed.slice(0, 20)}…` : typed}”`;
      setFieldError(
        ['smallBalanceThreshold'],
        `${shown} is not a number: enter one like 1 or 0.5. It stays ${saved} ${settings.quoteCurrency}.`,
      );
      setThreshold(saved);
      return;
    }
    if (thresholdNote !== null) store.dismissNotice(thresholdNote.id);
    update({ smallBalanceThreshold: typed });
  };
  const envLabel = ENVIRONMENTS.find((e) => e.id === settings.environment)?.label ?? settings.environment;

  return (
    <div className="settings" data-testid="settings">
      <section className="panel">
        <h2>Environment and key</h2>
        <div className="setting">
          <span className="setting-label">
            Connected to
            <span className="setting-hint">
              {keychain && keychain.state !== 'available' && keychain.message ? keychain.message : 'Keys are kept in the OS keychain.'}
            </span>
          </span>
          <span>
            <strong>{envLabel}</strong>
            {settings.environment !== 'demo' ? (
              key ? (
                <>
                  {' '}
                  · key <code>{key.apiKeyMasked}</code> ({key.type})
                </>
              ) : (
                <span className="warn"> · no key saved</span>
              )
            ) : null}
          </span>
        </div>
        {errors.environment !== undefined ? (
          <p className="error" role="alert" data-testid="setting-error">
            {errors.environment}
          </p>
        ) : null}
        {!keysOpen ? (
          <GeneratedPublicKeys current={settings.environment} labelOf={(id) => ENVIRONMENTS.find((e) => e.id === id)?.label ?? id} />
        ) : null}
        {keysOpen ? (
          <KeySetup onDone={() => setKeysOpen(false)} onCancel={() => setKeysOpen(false)} />
        ) : (
          <div className="row gap">
            <button type="button" onClick={() => setKeysOpen(true)}>
              Change environment or key…
            </button>
            {settings.environment === 'demo' ? <ResetDemoButton /> : null}
          </div>
        )}
      </section>

      <section className="panel">
        <h2>Holdings</h2>
        <label className="setting">
          <span className="setting-label">
            Quote currency
            <Hint
              id="hint-quoteCurrency"
              error={errors.quoteCurrency}
              hint="Holdings are valued in this asset; the threshold below is converted with it."
            />
          </span>
          <select
            value={settings.quoteCurrency}
            aria-describedby="hint-quoteCurrency"
            onChange={(e) => update({ quoteCurrency: e.target.value })}
          >
            {(QUOTES.includes(settings.quoteCurrency) ? QUOTES : [settings.quoteCurrency, ...QUOTES]).map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </label>
        <form
          className="setting"
          onSubmit={(e) => {
            e.preventDefault();
            applyThreshold();
          }}
        >
          <span className="setting-label">
            Small-balance threshold
            <Hint
              id="hint-smallBalanceThreshold"
              error={errors.smallBalanceThreshold}
              hint={`In ${settings.quoteCurrency}; applied when you press Enter or leave the field.`}
            />
            {thresholdNote !== null && errors.smallBalanceThreshold === undefined ? (
              <span className="setting-hint setting-note" role="status" data-testid="threshold-note">
                {thresholdNote.message}{' '}
                <button type="button" className="link small" onClick={() => store.dismissNotice(thresholdNote.id)}>
                  Dismiss
                </button>
              </span>
            ) : null}
          </span>
          <span className="threshold-input">
            <input
              className="narrow"
              inputMode="decimal"
              aria-label="Small-balance threshold"
              aria-describedby="hint-smallBalanceThreshold"
              aria-invalid={errors.smallBalanceThreshold !== undefined}
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
              onBlur={applyThreshold}
            />
            <span className="muted">{settings.quoteCurrency}</span>
          </span>
        </form>
        <Toggle
          label="Hide small balances"
          hint={`Holdings worth less than ${settings.smallBalanceThreshold} ${settings.quoteCurrency} are hidden from the list (not from the total).`}
          field="hideSmallBalances"
          error={errors.hideSmallBalances}
          checked={settings.hideSmallBalances}
          onChange={set('hideSmallBalances')}
        />
        <Toggle
          label="Privacy mode"
          hint="Hides every amount. Shortcut: Ctrl+Shift+H (⌘⇧H on macOS)."
          field="privacyMode"
          error={errors.privacyMode}
          checked={settings.privacyMode}
          onChange={set('privacyMode')}
        />
      </section>

      <section className="panel">
        <h2>Profit and loss</h2>
        <label className="setting">
          <span className="setting-label">
            Cost basis
            <Hint
              id="hint-costMethod"
              error={errors.costMethod}
              hint="How a sale is matched to what you paid: average cost pools every purchase of an asset; FIFO uses the oldest purchases first. The P&L screen and its realized-gains export use it."
            />
          </span>
          <select
            value={settings.costMethod}
            aria-describedby="hint-costMethod"
            onChange={(e) => update({ costMethod: e.target.value as Settings['costMethod'] })}
          >
            <option value="average">Average cost</option>
            <option value="fifo">FIFO (first in, first out)</option>
          </select>
        </label>
      </section>

      <section className="panel">
        <h2>Appearance and system</h2>
        <label className="setting">
          <span className="setting-label">
            Theme
            <Hint id="hint-theme" error={errors.theme} hint="System follows your computer's light or dark setting." />
          </span>
          <select value={settings.theme} aria-describedby="hint-theme" onChange={(e) => update({ theme: e.target.value as Theme })}>
            <option value="system">System</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <Toggle
          label="Start at login"
          hint="Perch opens when you log in to this computer."
          field="startAtLogin"
          error={errors.startAtLogin}
          checked={settings.startAtLogin}
          onChange={set('startAtLogin')}
        />
        <Toggle
          label="Close to tray"
          hint="Closing the window keeps Perch running in the tray."
          field="closeToTray"
          error={errors.closeToTray}
          checked={settings.closeToTray}
          onChange={set('closeToTray')}
        />
        <Toggle
          label="Trading enabled"
          hint="Order entry stays off until you turn it on."
          field="tradingEnabled"
          error={errors.tradingEnabled}
          checked={settings.tradingEnabled}
          onChange={set('tradingEnabled')}
        />
      </section>
      <p className="muted small">Perch {version}</p>
    </div>
  );
}
