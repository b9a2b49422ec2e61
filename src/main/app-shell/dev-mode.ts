/**
 * Development-only behaviour (DevTools, a dev server URL as an app origin, validating outgoing
 * payloads) is on only when asked for explicitly, and never in a package. `!app.isPackaged`
 * alone is not enough: a person who runs Perch from a clone with `npm start` runs an unpackaged
 * app, and must get the same locked-down shell as an installed one.
 */
export const DEV_FLAG_ENV = 'PERCH_DEV';
export const DEV_FLAG_ARG = '--perch-dev';

export interface DevModeInput {
  readonly isPackaged: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv: readonly string[];
}

export interface DevMode {
  /** the explicit development flag is set and this is not a package */
  readonly enabled: boolean;
  /** DevTools may open */
  readonly devTools: boolean;
  /** the electron-vite dev server URL to load and trust as an app origin, only in dev mode */
  readonly rendererUrl: string | undefined;
  /** validate every outgoing event and command result against the contract (slower) */
  readonly validatePayloads: boolean;
}

/** Only an http URL on a loopback host may stand in for the app's own origin. */
function loopbackHttpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const url = new URL(raw);
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    return url.protocol === 'http:' && loopback ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

export function resolveDevMode(input: DevModeInput): DevMode {
  const asked = input.env[DEV_FLAG_ENV] === '1' || input.argv.includes(DEV_FLAG_ARG);
  const enabled = asked && !input.isPackaged;
  return {
    enabled,
    devTools: enabled,
    rendererUrl: enabled ? loopbackHttpUrl(input.env['ELECTRON_RENDERER_URL']) : undefined,
    validatePayloads: enabled || input.env['PERCH_VALIDATE_PAYLOADS'] === '1',
  };
}
