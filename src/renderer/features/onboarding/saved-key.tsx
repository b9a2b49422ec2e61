import { useState } from 'react';
import type { KeyHealth, KeyInfo } from '../../../shared/domain';
import { Modal } from '../../app/modal';
import { useStore } from '../../app/store-context';
import { formatDate, KeyHealthPanel } from './key-health-panel';

/** The key saved for an environment: what it is, a fresh health check, and its removal (confirmed). */
export function SavedKey({
  info,
  onRemoved,
  guard,
}: Readonly<{ info: KeyInfo; onRemoved: () => void; guard: (action: () => void) => void }>): React.JSX.Element {
  const store = useStore();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [health, setHealth] = useState<KeyHealth | null>(null);
  return (
    <div className="saved-key" data-testid="saved-key">
      <div>
        Saved key <code>{info.apiKeyMasked}</code> ({info.type}), saved {formatDate(info.savedAt)}.
      </div>
      {info.publicKeyPem ? (
        <details>
          <summary>Public key (registered on Binance)</summary>
          <pre className="pem">{info.publicKeyPem}</pre>
        </details>
      ) : null}
      <div className="row gap">
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(null);
            void store.call('keys:health', { environment: info.environment }).then((res) => {
              setBusy(false);
              if (res.ok) setHealth(res.value);
              else setError(res.error.message);
            });
          }}
        >
          Check key health
        </button>
        <button type="button" className="danger-outline" onClick={() => setConfirm(true)}>
          Remove key
        </button>
        {confirm ? (
          <Modal title="Remove this key?" onClose={() => setConfirm(false)} canClose={!busy} testId="remove-key-dialog">
            <p>
              The key <code>{info.apiKeyMasked}</code> ({info.type}) is deleted from the OS keychain. Perch can no longer read this account
              until you add a key again; the key itself stays valid on Binance until you delete it there.
            </p>
            <div className="modal-actions">
              <button type="button" data-autofocus="" disabled={busy} onClick={() => setConfirm(false)}>
                Keep
              </button>
              <button
                type="button"
                className="danger"
                data-testid="remove-key-confirm"
                disabled={busy}
                onClick={() =>
                  guard(() => {
                    setBusy(true);
                    setError(null);
                    void store.call('keys:remove', { environment: info.environment }).then((res) => {
                      setBusy(false);
                      setConfirm(false);
                      if (res.ok) onRemoved();
                      else setError(res.error.message);
                    });
                  })
                }
              >
                {busy ? 'Removing…' : 'Yes, remove'}
              </button>
            </div>
          </Modal>
        ) : null}
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {health ? <KeyHealthPanel health={health} /> : null}
    </div>
  );
}
