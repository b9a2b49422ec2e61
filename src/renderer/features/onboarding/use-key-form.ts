import { useEffect, useState } from 'react';
import type { EnvironmentId, KeyMaterial } from '../../../shared/domain';
import { useStore } from '../../app/store-context';

export type KeyKind = 'hmac' | 'ed25519' | 'generate';

/**
 * The key form's fields for one environment: the kind of key, the API key and its secret or
 * private key (or a pair generated here), the material they make, and whether it is complete.
 */
export function useKeyForm(env: EnvironmentId) {
  const store = useStore();
  const [kind, setKind] = useState<KeyKind>('hmac');
  const [apiKey, setApiKey] = useState('');
  const [secret, setSecret] = useState('');
  const [pem, setPem] = useState('');
  const [publicKey, setPublicKey] = useState<string | null>(null);

  const material = (): KeyMaterial => {
    if (kind === 'hmac') return { kind: 'hmac', apiKey, secret };
    if (kind === 'ed25519') return { kind: 'ed25519', apiKey, privateKeyPem: pem };
    return { kind: 'ed25519-generated', apiKey };
  };

  // A pair generated earlier and not saved yet (the form was closed): show it again instead of a
  // new one, since its public key may already be registered on Binance.
  useEffect(() => {
    if (kind !== 'generate' || env === 'demo' || publicKey !== null) return undefined;
    let alive = true;
    void store.call('keys:publicKey', { environment: env }).then((res) => {
      if (alive && res.ok && res.value !== null && !res.value.saved) setPublicKey(res.value.publicKeyPem);
    });
    return () => {
      alive = false;
    };
  }, [kind, env, publicKey, store]);

  const ready =
    apiKey.trim().length > 0 &&
    (kind === 'hmac' ? secret.trim().length > 0 : kind === 'ed25519' ? pem.trim().length > 0 : publicKey !== null);
  return { kind, setKind, apiKey, setApiKey, secret, setSecret, pem, setPem, publicKey, setPublicKey, material, ready };
}
