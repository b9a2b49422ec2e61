/**
 * Orders whose outcome is still open when their session ends (a switch of environment or key,
 * or a restart) go on being checked in the background, on the exchange they were sent to and
 * with the key that sent them; those no saved key can check are reported, never concluded.
 */
import { ENVIRONMENT_IDS } from '../../shared/domain';
import type { EnvironmentId, Notice } from '../../shared/domain';
import { systemClock } from '../exchange/backoff';
import { createCredentials, type Credentials } from '../exchange/credentials';
import type { Environment } from '../exchange/environments';
import { createRateLimitGovernor } from '../exchange/rate-limit';
import { createRestClient } from '../exchange/rest-client';
import { createTimeSync } from '../exchange/time-sync';
import { createBackgroundReconciler, openIntents, type BackgroundReconciler } from '../orders/background-reconciler';
import { checkableWith, keyFingerprint } from '../orders/key-fingerprint';
import { secretOf, type KeyVault } from './keys';
import type { CorePorts } from './ports';
import { describeError, type RedactingLogger } from './redacting-logger';
import type { SessionOrdersOptions } from './session-orders';

/** The environment and key a session signed with: what its unresolved orders are checked with. */
export interface SessionAuth {
  readonly envId: EnvironmentId;
  readonly env: Environment;
  readonly credentials: Credentials;
  readonly fingerprint: string;
}

export interface BackgroundChecksDeps {
  readonly ports: Pick<CorePorts, 'fetchImpl' | 'settings'>;
  readonly vault: Pick<KeyVault, 'material'>;
  readonly logger: RedactingLogger;
  readonly now: () => number;
  readonly database: () => SessionOrdersOptions['database'];
  readonly environmentFor: (id: EnvironmentId) => Promise<Environment>;
  readonly notify: (notice: Omit<Notice, 'at'>) => void;
  /** Pacing of the checks (tests). */
  readonly tuning?: SessionOrdersOptions['tuning'];
  /** Perch is quitting: what is not found out stays in the journal for the next start. */
  readonly stopped: () => boolean;
  /** The last checker of Demo's orders is done (the demo exchange was kept running for it). */
  readonly onDemoChecksDone: () => void;
}

export interface BackgroundChecks {
  /** Go on checking the still-open orders this key sent on this environment. */
  handOver(auth: SessionAuth): void;
  /** Tell the person about open orders of an environment that no saved key can check. */
  reportUncheckable(envId: EnvironmentId, label: string, fingerprint: string | null): void;
  /** The same, and a failure to read the journal is logged, not thrown. */
  reportUncheckableSafely(envId: EnvironmentId, label: string, fingerprint: string | null): void;
  /** After a restart: check the open orders of the environments other than the current one. */
  resumeOtherEnvironments(): Promise<void>;
  /** Whether a background checker follows this order (the current session must leave it alone). */
  owns(clientOrderId: string): boolean;
  /** Whether a checker still asks the demo exchange (which must then stay up). */
  checkingDemo(): boolean;
  stopAll(): void;
}

export function createBackgroundChecks(deps: BackgroundChecksDeps): BackgroundChecks {
  const { ports, logger, now } = deps;
  const backgrounds: BackgroundReconciler[] = [];
  const owns = (clientOrderId: string): boolean => backgrounds.some((b) => b.owns(clientOrderId));
  const checkingDemo = (): boolean => backgrounds.some((b) => b.environment === 'demo');

  /**
   * The orders of a session that ends while their outcome is still open go on being checked, on
   * the exchange they were sent to and with the key that sent them (a new key may be another
   * account, whose "no such order" would prove nothing).
   */
  const handOver = (auth: SessionAuth): void => {
    const database = deps.database();
    // Only the intents this key sent: another account's "no such order" would prove nothing.
    const open = openIntents(database.orderIntents, auth.envId, now()).filter(
      (i) => !owns(i.clientOrderId) && checkableWith(i, auth.fingerprint),
    );
    if (open.length === 0) return;
    const governor = createRateLimitGovernor({ now });
    const timeSync = createTimeSync({ env: auth.env, fetchImpl: ports.fetchImpl, governor, localNow: now });
    const rest = createRestClient({ env: auth.env, credentials: auth.credentials, timeSync, governor, fetchImpl: ports.fetchImpl });
    void timeSync.sync('background order checks').catch(() => undefined);
    const tuning = deps.tuning;
    const checker = createBackgroundReconciler(
      {
        environment: auth.envId,
        environmentLabel: auth.env.label,
        rest,
        database,
        notify: deps.notify,
        clock: { ...systemClock, now },
        tuning: {
          ...(tuning?.orderApi?.graceMs !== undefined ? { graceMs: tuning.orderApi.graceMs, ocoGraceMs: tuning.orderApi.graceMs } : {}),
          ...(tuning?.orderApi?.backoff !== undefined ? { backoff: tuning.orderApi.backoff, ocoBackoff: tuning.orderApi.backoff } : {}),
          ...(tuning?.orderApi?.followUpBackoff !== undefined ? { followUpBackoff: tuning.orderApi.followUpBackoff } : {}),
        },
        onDone: () => {
          timeSync.stop();
          const i = backgrounds.indexOf(checker);
          if (i >= 0) backgrounds.splice(i, 1);
          logger.info('background order checks done', { environment: auth.envId });
          // The demo exchange was kept running for these checks only.
          if (auth.envId === 'demo' && !deps.stopped() && ports.settings.get().environment !== 'demo' && !checkingDemo()) {
            deps.onDemoChecksDone();
          }
        },
      },
      open,
    );
    if (checker.openCount() > 0) backgrounds.push(checker);
    logger.info("checking the previous session's orders in the background", { environment: auth.envId, orders: open.length });
  };

  /**
   * Unresolved orders of an environment that no saved key can check (sent with a key that was
   * replaced or removed; fingerprint null: no key saved): they stay unknown, never concluded "not
   * placed" on another key's word, and the person is told where to look.
   */
  const reportUncheckable = (envId: EnvironmentId, label: string, fingerprint: string | null): void => {
    const n = openIntents(deps.database().orderIntents, envId, now()).filter(
      (i) => !owns(i.clientOrderId) && !checkableWith(i, fingerprint),
    ).length;
    if (n === 0) return;
    deps.notify({
      id: `orders-uncheckable:${envId}`,
      level: 'warning',
      code: 'orders-uncheckable',
      message: `${n} order${n === 1 ? '' : 's'} sent with a key that is no longer saved (${label}) cannot be checked by Perch; look at ${n === 1 ? 'it' : 'them'} on Binance.`,
    });
  };

  return {
    handOver,
    reportUncheckable,
    reportUncheckableSafely(envId, label, fingerprint) {
      try {
        reportUncheckable(envId, label, fingerprint);
      } catch (e) {
        logger.warn('could not read the unresolved orders', { environment: envId, error: describeError(e, logger) });
      }
    },

    /**
     * After a restart, the unresolved orders of environments other than the current one are
     * checked in the background with that environment's saved key (the current one's are the
     * session's). Demo orders are not: the built-in exchange starts afresh with every start.
     */
    async resumeOtherEnvironments() {
      const current = ports.settings.get().environment;
      const database = deps.database();
      for (const envId of ENVIRONMENT_IDS) {
        if (deps.stopped() || envId === current || envId === 'demo') continue;
        if (openIntents(database.orderIntents, envId, now()).length === 0) continue;
        try {
          const material = await deps.vault.material(envId);
          const env = await deps.environmentFor(envId);
          if (material === null) {
            logger.warn('unresolved orders of an environment without a saved key are not checked', { environment: envId });
            reportUncheckable(envId, env.label, null);
            continue;
          }
          logger.addSecret(secretOf(material));
          const fingerprint = keyFingerprint(material.apiKey);
          handOver({ envId, env, credentials: createCredentials(material), fingerprint });
          reportUncheckable(envId, env.label, fingerprint);
        } catch (e) {
          logger.warn('could not resume checking unresolved orders', { environment: envId, error: describeError(e, logger) });
        }
      }
    },

    owns,
    checkingDemo,
    stopAll() {
      for (const b of backgrounds.splice(0)) b.stop();
    },
  };
}
