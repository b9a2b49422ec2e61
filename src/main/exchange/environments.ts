/**
 * Where the client talks to. Each environment is a set of base URLs (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § General API Information, https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/testnet/general-info.md, https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/demo-mode/general-info.md):
 * restUrl has no path (callers append /api/v3/...), streamUrl has no path (append /ws/... or
 * /stream?streams=...), wsApiUrl is the full WebSocket API endpoint.
 */
export type EnvironmentId = 'production' | 'demo-mode' | 'testnet' | 'simulator';

export interface Environment {
  readonly id: EnvironmentId;
  readonly label: string;
  readonly restUrl: string;
  readonly streamUrl: string;
  readonly wsApiUrl: string;
  /** Whether /sapi endpoints exist here. Only production serves them (docs/ARCHITECTURE.md §4). */
  readonly hasSapi: boolean;
}

const ENVIRONMENTS: Readonly<Record<Exclude<EnvironmentId, 'simulator'>, Environment>> = {
  production: {
    id: 'production',
    label: 'Binance',
    restUrl: 'https://api.binance.com',
    streamUrl: 'wss://stream.binance.com:9443',
    wsApiUrl: 'wss://ws-api.binance.com:443/ws-api/v3',
    hasSapi: true,
  },
  'demo-mode': {
    id: 'demo-mode',
    label: 'Binance Demo Mode',
    restUrl: 'https://demo-api.binance.com',
    streamUrl: 'wss://demo-stream.binance.com:9443',
    wsApiUrl: 'wss://demo-ws-api.binance.com/ws-api/v3',
    // Demo Mode documents only /api URLs (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/demo-mode/general-info.md); treat /sapi as absent.
    hasSapi: false,
  },
  testnet: {
    id: 'testnet',
    label: 'Binance Spot Testnet',
    restUrl: 'https://testnet.binance.vision',
    streamUrl: 'wss://stream.testnet.binance.vision:9443',
    wsApiUrl: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
    hasSapi: false,
  },
};

/** The fixed public environments. For the simulator use simulatorEnvironment(). */
export function environment(id: Exclude<EnvironmentId, 'simulator'>): Environment;
export function environment(id: EnvironmentId): Environment;
export function environment(id: EnvironmentId): Environment {
  if (id === 'simulator') {
    throw new Error('The simulator has no fixed URLs: build it with simulatorEnvironment({ restUrl, streamUrl, wsApiUrl }).');
  }
  return ENVIRONMENTS[id];
}

/** The local simulator, whose ports are picked at start. It stands in for production, /sapi included. */
export function simulatorEnvironment(
  urls: { readonly restUrl: string; readonly streamUrl: string; readonly wsApiUrl: string },
  opts: { readonly hasSapi?: boolean; readonly label?: string } = {},
): Environment {
  return {
    id: 'simulator',
    label: opts.label ?? 'Simulated exchange',
    restUrl: stripTrailingSlash(urls.restUrl),
    streamUrl: stripTrailingSlash(urls.streamUrl),
    wsApiUrl: urls.wsApiUrl,
    hasSapi: opts.hasSapi ?? true,
  };
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
