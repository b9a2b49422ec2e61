import { useEffect, useState } from 'react';
import type { EnvironmentId } from '../../../shared/domain';
import { useStore, useView } from '../../app/store-context';

/** The public key PEM with a copy button (it is not a secret: Binance needs it to know the key). */
export function PublicKeyBlock({ pem }: Readonly<{ pem: string }>): React.JSX.Element {
  const store = useStore();
  const [copied, setCopied] = useState(false);
  return (
    <>
      <pre className="pem" data-testid="public-key">
        {pem}
      </pre>
      <span className="row gap">
        <button
          type="button"
          onClick={() => {
            void (navigator.clipboard?.writeText(pem) ?? Promise.reject(new Error('no clipboard')))
              .then(() => setCopied(true))
              .catch(() => store.reportError('Could not copy: select the key and copy it by hand.'));
          }}
        >
          Copy public key
        </button>
        {copied ? (
          <span className="muted small" role="status">
            Copied.
          </span>
        ) : null}
      </span>
    </>
  );
}

const KEY_ENVIRONMENTS: readonly EnvironmentId[] = ['demo-mode', 'testnet', 'production'];

interface Found {
  readonly environment: EnvironmentId;
  readonly publicKeyPem: string;
  readonly saved: boolean;
}

/**
 * The public halves of the key pairs Perch generated, whenever they are asked for: main derives
 * them from the private keys in the keychain (which never come here), so closing the form before
 * the key was registered on Binance loses nothing. Shown: every pair waiting to be saved (any
 * environment), and the saved generated key of the environment in use.
 */
export function GeneratedPublicKeys({
  current,
  labelOf,
}: Readonly<{ current: EnvironmentId; labelOf: (env: EnvironmentId) => string }>): React.JSX.Element | null {
  const store = useStore();
  const keys = useView((s) => s.keys);
  const [found, setFound] = useState<readonly Found[]>([]);

  useEffect(() => {
    let alive = true;
    void Promise.all(
      KEY_ENVIRONMENTS.map(async (environment) => {
        const res = await store.call('keys:publicKey', { environment });
        return res.ok && res.value !== null ? { environment, ...res.value } : null;
      }),
    ).then((all) => {
      if (alive) setFound(all.filter((f): f is Found => f !== null && (!f.saved || f.environment === current)));
    });
    return () => {
      alive = false;
    };
  }, [current, keys, store]);

  if (found.length === 0) return null;
  return (
    <>
      {found.map((f) => (
        <div className="generated-key" key={f.environment} data-testid="generated-public-key" data-environment={f.environment}>
          {f.saved ? (
            <p className="muted small">Public key of the key pair Perch generated for {labelOf(f.environment)} (registered on Binance):</p>
          ) : (
            <p>
              A key pair Perch generated for <strong>{labelOf(f.environment)}</strong> is waiting to be saved. Register this public key on
              Binance (API Management → Create API → <em>Self-generated</em>), then open <strong>Change environment or key…</strong>, choose{' '}
              {labelOf(f.environment)} and <strong>Generate an Ed25519 key pair</strong>, and paste the API key Binance shows you.
            </p>
          )}
          <PublicKeyBlock pem={f.publicKeyPem} />
        </div>
      ))}
    </>
  );
}
