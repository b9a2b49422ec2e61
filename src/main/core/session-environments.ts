/**
 * Where a session connects and with which key: the public environments' URLs (or the test
 * overrides), and for Demo the built-in simulator, started on first use on loopback, with its
 * built-in key when no key is saved for Demo.
 */
import type { EnvironmentId } from '../../shared/domain';
import type { CredentialMaterial } from '../exchange/credentials';
import { environment as publicEnvironment, simulatorEnvironment, type Environment } from '../exchange/environments';
import type { KeyVault } from './keys';
import type { CorePorts, DemoSimulator } from './ports';
import type { RedactingLogger } from './redacting-logger';

export interface SessionEnvironmentsDeps {
  readonly ports: Pick<CorePorts, 'demo' | 'environmentOverrides'>;
  readonly vault: Pick<KeyVault, 'material'>;
  readonly logger: RedactingLogger;
}

export interface SessionEnvironments {
  /** The URLs of an environment; Demo's start the simulator if it is not running. */
  environmentFor(id: EnvironmentId): Promise<Environment>;
  /** The key a session of this environment signs with; Demo falls back to the built-in key. */
  materialFor(id: EnvironmentId): Promise<CredentialMaterial | null>;
  /** The running simulator, if any. */
  simulator(): DemoSimulator | null;
  stopSimulator(): Promise<void>;
}

export function createSessionEnvironments(deps: SessionEnvironmentsDeps): SessionEnvironments {
  const { ports, vault, logger } = deps;
  let simulator: DemoSimulator | null = null;
  let simulatorStarting: Promise<DemoSimulator> | null = null;

  const ensureSimulator = async (): Promise<DemoSimulator> => {
    if (simulator !== null) return simulator;
    if (simulatorStarting !== null) return simulatorStarting;
    const start = ports.demo?.startSimulator ?? defaultStartSimulator;
    simulatorStarting = (async () => {
      const sim = await start({ seed: ports.demo?.seed ?? 1, symbolCount: ports.demo?.symbolCount });
      // The built-in demo key is used directly and never stored; it must not be logged either.
      logger.addSecret(sim.apiSecret);
      logger.addSecret(sim.apiKey);
      simulator = sim;
      logger.info('demo exchange started on loopback', { restUrl: sim.restUrl });
      return sim;
    })();
    try {
      return await simulatorStarting;
    } finally {
      simulatorStarting = null;
    }
  };

  return {
    async environmentFor(id) {
      if (id === 'demo') {
        const sim = await ensureSimulator();
        return simulatorEnvironment(
          { restUrl: sim.restUrl, streamUrl: sim.streamUrl, wsApiUrl: sim.wsApiUrl },
          { label: 'Demo (simulated exchange)' },
        );
      }
      return ports.environmentOverrides?.[id] ?? publicEnvironment(id);
    },

    async materialFor(id) {
      let saved: CredentialMaterial | null = null;
      try {
        saved = await vault.material(id);
      } catch (e) {
        if (id !== 'demo') throw e;
      }
      if (saved !== null || id !== 'demo') return saved;
      const sim = await ensureSimulator();
      return { type: 'HMAC', apiKey: sim.apiKey, secret: sim.apiSecret };
    },

    simulator: () => simulator,

    async stopSimulator() {
      const sim = simulator;
      simulator = null;
      if (sim !== null) await sim.stop();
    },
  };
}

/** Loaded on first use: a person on a real exchange never pays for the simulator's start-up. */
async function defaultStartSimulator(opts: { seed?: number; symbolCount?: number }): Promise<DemoSimulator> {
  const { startSimulator } = await import('../sim/simulator');
  // Port 0: the OS picks a free loopback port. The demo account starts with a year of history.
  return startSimulator({ seed: opts.seed, symbolCount: opts.symbolCount, demoHistory: true });
}
