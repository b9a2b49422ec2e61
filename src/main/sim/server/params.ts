/**
 * Parameter parsing as https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § General Information on Endpoints: GET takes the query string
 * only; POST/PUT/DELETE take the query string and an x-www-form-urlencoded body, and the query
 * string wins when a name is in both. A name repeated inside one of them is -1101.
 */
import { errors } from '../errors';
import { decodeComponent } from './auth';

export function parseUrlEncoded(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const name = decodeComponent(rawName, rawName);
    // '__proto__' cannot be a Binance parameter and must not reach a plain object as a key.
    if (name === '' || name === '__proto__') continue;
    if (out.has(name)) throw errors.tooManyParameters();
    out.set(name, decodeComponent(rawValue, name));
  }
  return out;
}

/**
 * rawQuery is the request target after '?', as latin1 (bytes as received). Non-ASCII bytes sent
 * unencoded are reinterpreted as UTF-8 before decoding, so the parameter values are text.
 */
export function collectParams(method: string, rawQuery: string, rawBody: Buffer | undefined): Record<string, string> {
  const queryText = Buffer.from(rawQuery, 'latin1').toString('utf8');
  const query = parseUrlEncoded(queryText);
  const params: Record<string, string> = {};
  if (method !== 'GET' && rawBody !== undefined && rawBody.length > 0) {
    for (const [k, v] of parseUrlEncoded(rawBody.toString('utf8'))) params[k] = v;
  }
  for (const [k, v] of query) params[k] = v;
  return params;
}

/** The parameters every SIGNED REST request may carry besides the route's own. */
export const SIGNED_REST_PARAMS: readonly string[] = ['timestamp', 'recvWindow', 'signature'];

/**
 * https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/errors.md § -1104: a name the endpoint does not read (a typo such as `timeInforce`) is an
 * error on Binance, not silently ignored. `read` counts the known names that were sent.
 */
export function checkAllRead(sent: readonly string[], accepted: ReadonlySet<string>): void {
  const read = sent.filter((name) => accepted.has(name)).length;
  if (read < sent.length) throw errors.unreadParameters(read, sent.length);
}
