import { useState } from 'react';
import type { EnvironmentId, KeyHealth } from '../../../shared/domain';
import { useStore, useView } from '../../app/store-context';
import { KeyHealthPanel } from './key-health-panel';
import { PublicKeyBlock } from './public-key';
import { SavedKey } from './saved-key';
import { useKeyForm } from './use-key-form';
import { useSwitchGuard, type EnvironmentLabels } from '../settings/switch-warning';

export const ENVIRONMENTS: readonly { id: EnvironmentId; label: string; hint: string }[] = [
  { id: 'demo', label: 'Demo (built-in)', hint: 'A simulated exchange inside Perch with a funded account. No key, no internet, no risk.' },
  {
    id: 'demo-mode',
    label: 'Binance Demo Mode',
    hint: 'Binance\u2019s own demo trading with virtual funds. Create a key under Demo Trading \u2192 API Management.',
  },
  { id: 'testnet', label: 'Spot Testnet', hint: 'testnet.binance.vision: test funds, separate keys (log in with GitHub to create one).' },
  {
    id: 'production',
    label: 'Production',
    hint: 'Your real Binance account. Real money: use a key without withdrawals, restricted to your IP.',
  },
];

const labelOf = (id: EnvironmentId): string => ENVIRONMENTS.find((e) => e.id === id)?.label ?? id;
const ENVIRONMENT_LABELS: EnvironmentLabels = {
  demo: labelOf('demo'),
  'demo-mode': labelOf('demo-mode'),
  testnet: labelOf('testnet'),
  production: labelOf('production'),
};

/**
 * Choose an environment, enter or generate a key, test it, see its health, save it. Used by the
 * first-start screen and by Settings. The secret goes to main in one command and is never kept in
 * React state longer than the form is open.
 */
export function KeySetup({
  initialEnvironment,
  onDone,
  onCancel,
}: Readonly<{
  initialEnvironment?: EnvironmentId;
  onDone: () => void;
  onCancel?: () => void;
}>): React.JSX.Element {
  const store = useStore();
  const keys = useView((s) => s.keys);
  const settings = useView((s) => s.settings);
  const [env, setEnv] = useState<EnvironmentId>(initialEnvironment ?? settings?.environment ?? 'demo');
  const [health, setHealth] = useState<KeyHealth | null>(null);
  const [acceptWithdrawals, setAcceptWithdrawals] = useState(false);
  const [busy, setBusy] = useState<null | 'test' | 'save' | 'generate' | 'switch'>(null);
  const [error, setError] = useState<string | null>(null);
  const [replacing, setReplacing] = useState(false);
  const {
    kind,
    setKind,
    apiKey,
    setApiKey,
    secret,
    setSecret,
    pem,
    setPem,
    publicKey,
    setPublicKey,
    material,
    ready: formReady,
  } = useKeyForm(env);

  const saved = keys.find((k) => k.environment === env) ?? null;
  // Switching environment or key while orders are unresolved warns first (the checks go on).
  const switchGuard = useSwitchGuard(ENVIRONMENT_LABELS);
  const showForm = env !== 'demo' && (saved === null || replacing);

  const resetResult = (): void => {
    setHealth(null);
    setAcceptWithdrawals(false);
    setError(null);
  };

  const switchTo = async (target: EnvironmentId): Promise<boolean> => {
    if (settings?.environment === target) return true;
    const res = await store.updateSettings({ environment: target });
    if (!res.ok) setError(res.error.message);
    return res.ok;
  };

  const test = async (): Promise<void> => {
    setBusy('test');
    resetResult();
    const res = await store.call('keys:test', { environment: env, material: material() });
    setBusy(null);
    if (res.ok) setHealth(res.value);
    else setError(res.error.message);
  };

  const save = async (): Promise<void> => {
    setBusy('save');
    setError(null);
    const res = await store.call('keys:save', {
      environment: env,
      material: material(),
      ...(acceptWithdrawals ? { acceptWithdrawalRisk: true } : {}),
    });
    if (!res.ok) {
      setBusy(null);
      setError(res.error.message);
      return;
    }
    setSecret('');
    setPem('');
    const switched = await switchTo(env);
    setBusy(null);
    if (switched) onDone();
  };

  const generate = async (): Promise<void> => {
    setBusy('generate');
    resetResult();
    const res = await store.call('keys:generateEd25519', { environment: env });
    setBusy(null);
    if (res.ok) setPublicKey(res.value.publicKeyPem);
    else setError(res.error.message);
  };

  const canWithdraw = health?.withdrawals === true;

  return (
    <div className="key-setup" data-testid="key-setup">
      {switchGuard.warning}
      <fieldset className="env-choice">
        <legend>Environment</legend>
        {ENVIRONMENTS.map((e) => (
          <label key={e.id} className={`env-card${env === e.id ? ' selected' : ''}${e.id === 'production' ? ' prod' : ''}`}>
            <span className="env-head">
              <input
                type="radio"
                name="environment"
                value={e.id}
                checked={env === e.id}
                onChange={() => {
                  setEnv(e.id);
                  setReplacing(false);
                  setPublicKey(null);
                  resetResult();
                }}
              />
              <span className="env-title">{e.label}</span>
            </span>
            <span className="env-hint">{e.hint}</span>
          </label>
        ))}
      </fieldset>

      {env === 'demo' ? (
        <div className="row gap">
          <button
            type="button"
            className="primary"
            disabled={busy !== null}
            onClick={() =>
              switchGuard.guard(() => {
                setBusy('switch');
                void switchTo('demo').then((ok) => {
                  setBusy(null);
                  if (ok) onDone();
                });
              })
            }
          >
            Use the demo
          </button>
          {onCancel ? (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          ) : null}
        </div>
      ) : null}

      {env !== 'demo' && saved !== null && !replacing ? (
        <>
          <SavedKey info={saved} onRemoved={() => setReplacing(false)} guard={switchGuard.guard} />
          <div className="row gap">
            <button type="button" onClick={() => setReplacing(true)}>
              Replace key
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy !== null || settings?.environment === env}
              onClick={() =>
                switchGuard.guard(() => {
                  setBusy('switch');
                  void switchTo(env).then((ok) => {
                    setBusy(null);
                    if (ok) onDone();
                  });
                })
              }
            >
              {settings?.environment === env ? 'In use' : 'Use this environment'}
            </button>
            {onCancel ? (
              <button type="button" onClick={onCancel}>
                Close
              </button>
            ) : null}
          </div>
        </>
      ) : null}

      {showForm ? (
        <form
          className="key-form"
          onSubmit={(e) => {
            e.preventDefault();
            void test();
          }}
        >
          <fieldset className="kind-choice">
            <legend>Key</legend>
            {(
              [
                ['hmac', 'API key + HMAC secret'],
                ['ed25519', 'API key + Ed25519 private key'],
                ['generate', 'Generate an Ed25519 key pair'],
              ] as const
            ).map(([k, label]) => (
              <label key={k} className="radio">
                <input
                  type="radio"
                  name="kind"
                  value={k}
                  checked={kind === k}
                  onChange={() => {
                    setKind(k);
                    resetResult();
                  }}
                />
                {label}
              </label>
            ))}
          </fieldset>

          {kind === 'generate' ? (
            <div className="generate">
              {publicKey === null ? (
                <>
                  <p className="muted">
                    Perch creates the key pair and keeps the private key in your OS keychain; it never leaves this computer. You register
                    the public key on Binance.
                  </p>
                  <button type="button" onClick={() => void generate()} disabled={busy !== null}>
                    {busy === 'generate' ? 'Generating…' : 'Generate key pair'}
                  </button>
                </>
              ) : (
                <>
                  <p>
                    Register this public key on Binance (API Management → Create API → <em>Self-generated</em>), then paste the API key
                    Binance shows you below. It stays available in Settings until the key is saved.
                  </p>
                  <PublicKeyBlock pem={publicKey} />
                  <button type="button" className="link small" disabled={busy !== null} onClick={() => void generate()}>
                    Generate a new key pair instead
                  </button>
                </>
              )}
            </div>
          ) : null}

          <label className="field">
            <span>API key</span>
            <input
              name="apiKey"
              autoComplete="off"
              spellCheck={false}
              value={apiKey}
              onChange={(e) => {
                setApiKey(e.target.value);
                resetResult();
              }}
            />
          </label>
          {kind === 'hmac' ? (
            <label className="field">
              <span>Secret key</span>
              <input
                name="secret"
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={secret}
                onChange={(e) => {
                  setSecret(e.target.value);
                  resetResult();
                }}
              />
            </label>
          ) : null}
          {kind === 'ed25519' ? (
            <label className="field">
              <span>Private key (PEM)</span>
              <textarea
                name="privateKeyPem"
                rows={4}
                spellCheck={false}
                value={pem}
                placeholder="-----BEGIN PRIVATE KEY-----"
                onChange={(e) => {
                  setPem(e.target.value);
                  resetResult();
                }}
              />
            </label>
          ) : null}

          <p className="muted small">
            Keys go to the OS keychain, never to this window again. Create keys with <strong>reading</strong> only (add spot trading if you
            will trade), <strong>no withdrawals</strong>, and restricted to your IP address: Binance removes trading permission from
            unrestricted keys after a while.
          </p>

          <div className="row gap">
            <button type="submit" disabled={!formReady || busy !== null}>
              {busy === 'test' ? 'Testing…' : 'Test connection'}
            </button>
            <button
              type="button"
              className="primary"
              disabled={!formReady || busy !== null || health === null || (canWithdraw && !acceptWithdrawals)}
              onClick={() => switchGuard.guard(() => void save())}
            >
              {busy === 'save' ? 'Saving…' : saved ? 'Replace key' : 'Save key'}
            </button>
            {replacing ? (
              <button type="button" onClick={() => setReplacing(false)}>
                Keep the saved key
              </button>
            ) : null}
            {onCancel ? (
              <button type="button" onClick={onCancel}>
                Cancel
              </button>
            ) : null}
          </div>

          {health ? <KeyHealthPanel health={health} /> : null}
          {canWithdraw ? (
            <div className="withdraw-warning" role="alert" data-testid="withdraw-warning">
              <strong>This key can withdraw funds.</strong> Anyone who obtains it can move your coins off Binance. Perch never withdraws;
              create a key without withdrawal permission instead.
              <label className="check">
                <input type="checkbox" checked={acceptWithdrawals} onChange={(e) => setAcceptWithdrawals(e.target.checked)} />I understand
                the risk and want to save this key anyway
              </label>
            </div>
          ) : null}
        </form>
      ) : null}

      {error ? (
        <p className="error" role="alert" data-testid="key-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
