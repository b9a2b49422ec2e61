/**
 * Order placement over the WebSocket API (`order.place`, https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § Place new order):
 * the same parameters as POST /api/v3/order, signed as the WS API signs (sorted parameters,
 * `apiKey`, `timestamp`), on an already open connection. It only carries the request: what an
 * answer, an error or a lost answer means is decided by the order API exactly as for REST
 * (ws-api-connection.ts turns a socket that dies with the request pending, a missed deadline, a
 * 5xx, -1006 and -1007 into 'unknown-outcome'; nothing is ever resent from here).
 */
import type { Credentials } from './credentials';
import { wsApiSignaturePayload } from './signing';
import type { TimeSync } from './time-sync';
import type { WsApiConnection, WsParams } from './ws-api-connection';

/** Sends one placement; resolves with the raw result (the order API validates it). */
export type PlaceTransport = (
  params: Readonly<Record<string, string | number | undefined>>,
  options: { readonly timeoutMs?: number },
) => Promise<unknown>;

export interface WsPlaceTransportOptions {
  readonly wsApi: Pick<WsApiConnection, 'request'>;
  readonly credentials: Credentials;
  readonly timeSync: Pick<TimeSync, 'now'>;
  readonly recvWindowMs?: number;
}

export function createWsPlaceTransport(opts: WsPlaceTransportOptions): PlaceTransport {
  return (params, options) => {
    const p: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined) p[k] = v;
    p['apiKey'] = opts.credentials.apiKey;
    p['timestamp'] = Math.floor(opts.timeSync.now());
    if (opts.recvWindowMs !== undefined) p['recvWindow'] = opts.recvWindowMs;
    const signed: WsParams = { ...p, signature: opts.credentials.sign(wsApiSignaturePayload(p)) };
    return opts.wsApi.request('order.place', signed, {
      changesState: true,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  };
}
