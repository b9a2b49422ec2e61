/**
 * Parameter parsing as rest-api.md § General Information on Endpoints: GET takes the query string
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
    if (out.has(name)) throw errors.tooManyParameters(name);
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
