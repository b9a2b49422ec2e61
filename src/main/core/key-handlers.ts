/**
 * The keys:* commands: test a key against its environment (can it read, trade, withdraw?), save
 * it only when it can read, remove it, and start a new session when the current environment's
 * key changed. Key material the renderer sent is registered with the logger while a call runs.
 */
import type { EnvironmentId, KeyHealth, KeyMaterial } from '../../shared/domain';
import { AppError } from '../../shared/ipc/result';
import { createCredentials, type CredentialMaterial } from '../exchange/credentials';
import { createRateLimitGovernor } from '../exchange/rate-limit';
import { createRestClient } from '../exchange/rest-client';
import { createTimeSync } from '../exchange/time-sync';
import type { AlertsService } from '../alerts/alerts-service';
import type { EventName } from '../../shared/ipc/channels';
import type { EventPayload } from '../../shared/ipc/contract';
import type { CommandHandlers } from '../ipc/command-router';
import { toAppError } from './errors';
import { ApiRestrictions, assessKeyHealth, secretOf, type KeyVault } from './keys';
import type { CorePorts } from './ports';
import type { RedactingLogger } from './redacting-logger';
import { NO_KEY_MESSAGE, type SessionSwitch } from './session-switch';

type KeyCommandName = 'keys:test' | 'keys:save' | 'keys:remove' | 'keys:generateEd25519' | 'keys:publicKey' | 'keys:health';

export interface KeyHandlersDeps {
  readonly ports: Pick<CorePorts, 'settings' | 'fetchImpl'>;
  readonly vault: KeyVault;
  readonly logger: RedactingLogger;
  readonly now: () => number;
  readonly sessions: Pick<SessionSwitch, 'session' | 'orders' | 'rebuild' | 'environmentFor' | 'materialFor' | 'stopUnusedSimulator'>;
  readonly alerts: () => AlertsService;
  readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
}

export function createKeyHandlers(deps: KeyHandlersDeps): { [C in KeyCommandName]: CommandHandlers[C] } {
  const { ports, vault, logger, now, sessions } = deps;

  const testKey = async (envId: EnvironmentId, material: CredentialMaterial): Promise<KeyHealth> => {
    // Released when the test is over: a mistyped secret tried once is not kept for the process's life.
    const release = logger.holdSecrets([material.apiKey, secretOf(material)]);
    try {
      return await testKeyHeld(envId, material);
    } finally {
      release();
    }
  };

  const testKeyHeld = async (envId: EnvironmentId, material: CredentialMaterial): Promise<KeyHealth> => {
    const env = await sessions.environmentFor(envId);
    const credentials = createCredentials(material);
    const governor = createRateLimitGovernor({ now });
    const timeSync = createTimeSync({ env, fetchImpl: ports.fetchImpl, governor, localNow: now });
    try {
      await timeSync.sync('key test');
      const rest = createRestClient({ env, credentials, timeSync, governor, fetchImpl: ports.fetchImpl });
      try {
        await rest.request({
          method: 'GET',
          path: '/api/v3/account',
          params: { omitZeroBalances: 'true' },
          security: 'USER_DATA',
          weight: 20,
        });
      } catch (e) {
        const mapped = toAppError(e, logger);
        if (mapped instanceof AppError && mapped.code === 'auth') {
          throw new AppError(
            'auth',
            `${env.label} did not accept this key: ${mapped.message} Check that the key and its secret belong together and to this environment.`,
          );
        }
        throw mapped;
      }
      let restrictions: ApiRestrictions | null = null;
      if (env.hasSapi) {
        const raw = await rest.request({ method: 'GET', path: '/sapi/v1/account/apiRestrictions', security: 'USER_DATA', weight: 1 });
        const parsed = ApiRestrictions.safeParse(raw);
        if (!parsed.success) throw new AppError('network', 'Binance answered the key check in an unexpected form; try again later.');
        restrictions = parsed.data;
      }
      return assessKeyHealth({ environment: envId, type: credentials.type, reading: true, restrictions, now: now() });
    } catch (e) {
      // Mapped (and redacted) here, while the key under test is still registered with the logger:
      // the router's mapping runs after it is released.
      throw toAppError(e, logger);
    } finally {
      timeSync.stop();
      await sessions.stopUnusedSimulator(envId);
    }
  };

  /** What the renderer sent (a key being tested or saved), registered while the call runs. */
  const holdMaterial = (material: KeyMaterial): (() => void) =>
    logger.holdSecrets([
      material.apiKey,
      'secret' in material ? material.secret : '',
      'privateKeyPem' in material ? material.privateKeyPem : '',
    ]);

  const keysChanged = async (envId: EnvironmentId): Promise<void> => {
    const key = await vault.info(envId).catch(() => null);
    deps.emit('keys:changed', { environment: envId, key });
    if (ports.settings.get().environment === envId) await sessions.rebuild('key changed');
  };

  return {
    'keys:test': async ({ environment, material }) => {
      const release = holdMaterial(material);
      try {
        const resolved = await vault.resolve(environment, material);
        return await testKey(environment, resolved.material);
      } catch (e) {
        // Mapped while the material is held (see testKeyHeld).
        throw toAppError(e, logger);
      } finally {
        release();
      }
    },

    'keys:save': async ({ environment, material, acceptWithdrawalRisk }) => {
      // Held until saved; once saved, the stored key's own slot keeps it registered.
      const release = holdMaterial(material);
      try {
        const resolved = await vault.resolve(environment, material);
        const health = await testKey(environment, resolved.material);
        if (!health.reading)
          throw new AppError('auth', 'This key cannot read the account, so it was not saved. Enable reading for it in API Management.');
        if (health.withdrawals === true && acceptWithdrawalRisk !== true) {
          throw new AppError(
            'confirmation-required',
            'This key can withdraw funds. Confirm explicitly that you accept the risk, or create a key without withdrawals (recommended).',
          );
        }
        const info = await vault.save(environment, resolved.material, resolved.publicKeyPem);
        await keysChanged(environment);
        if (sessions.session()?.environment === environment) deps.alerts().observeKeyHealth(health);
        return info;
      } catch (e) {
        // Mapped while the material is held (see testKeyHeld).
        throw toAppError(e, logger);
      } finally {
        release();
      }
    },

    'keys:remove': async ({ environment }) => {
      const removed = await vault.remove(environment);
      await keysChanged(environment);
      return { removed };
    },

    'keys:generateEd25519': async ({ environment }) => vault.generateEd25519(environment),

    'keys:publicKey': async ({ environment }) => vault.publicKey(environment),

    'keys:health': async ({ environment }) => {
      const material = await sessions.materialFor(environment);
      if (material === null) throw new AppError('no-key', NO_KEY_MESSAGE);
      const current = sessions.orders();
      const health = await testKey(environment, material);
      // What the check found about trading applies to the running session's orders at once.
      if (current !== null && current === sessions.orders() && sessions.session()?.environment === environment)
        current.setKeyCanTrade(health.spotTrading);
      if (sessions.session()?.environment === environment) deps.alerts().observeKeyHealth(health);
      return health;
    },
  };
}
