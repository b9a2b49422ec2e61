import { useState } from 'react';
import { useStore } from '../../app/store-context';
import { KeySetup } from './key-setup';

/**
 * First start: try the built-in demo at once, or connect a Binance key. Shown until a choice
 * is made (settings.onboarded, kept by main); Settings → "Environment and key" reaches the same key setup later.
 */
export function Welcome({ onDone }: Readonly<{ onDone: () => void }>): React.JSX.Element {
  const store = useStore();
  const [connect, setConnect] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="welcome" data-testid="welcome">
      <h1>Welcome to Perch</h1>
      <p className="lead">A live, private view of your Binance spot account. Keys stay in your OS keychain; Perch talks only to Binance.</p>
      {!connect ? (
        <div className="welcome-choices">
          <button
            type="button"
            className="choice"
            onClick={() => {
              setError(null);
              // one write: the demo choice and "welcome done" land together
              void store.updateSettings({ environment: 'demo', onboarded: true }).then((res) => {
                if (res.ok) onDone();
                else setError(res.error.message);
              });
            }}
          >
            <span className="choice-title">Explore the demo</span>
            <span className="choice-text">A simulated exchange with a funded account, running inside Perch. Nothing to set up.</span>
          </button>
          <button type="button" className="choice" onClick={() => setConnect(true)}>
            <span className="choice-title">Connect a Binance key</span>
            <span className="choice-text">
              Binance Demo Mode, Spot Testnet or your real account. Paste a key or let Perch generate one.
            </span>
          </button>
        </div>
      ) : (
        <KeySetup initialEnvironment="testnet" onDone={onDone} onCancel={() => setConnect(false)} />
      )}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
