/**
 * Building the exact strings that get signed (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § SIGNED Endpoint security; https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/web-socket-api.md § SIGNED request security).
 *
 * REST: the payload is the query string followed (no separator) by the body, each built from
 * percent-encoded names and values. The same string is sent unchanged, so what is signed is
 * byte-for-byte what the server sees.
 * WS API: every param except `signature`, sorted by name, `name=value` joined with `&`, values raw
 * UTF-8 (no percent-encoding).
 */
export type ParamValue = string | number | boolean | bigint | readonly string[];
export type Params = Readonly<Record<string, ParamValue | undefined>>;

/** RFC 3986 unreserved set (A-Z a-z 0-9 - _ . ~) kept, everything else %XX of its UTF-8 bytes. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The text of one parameter value. Numbers must be safe integers: money travels as decimal strings. */
export function paramText(name: string, value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`Parameter '${name}' is a non-integer or unsafe number; send prices, quantities and ids as decimal strings.`);
    }
    return String(value);
  }
  // Array parameters (symbols=[...]) are JSON arrays on Binance (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § SIGNED Endpoint security).
  return JSON.stringify(value);
}

/** `a=1&b=2` with names and values percent-encoded, in insertion order, undefined skipped. */
export function encodeParams(params: Params): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    parts.push(`${percentEncode(name)}=${percentEncode(paramText(name, value))}`);
  }
  return parts.join('&');
}

/** REST signature payload: encoded query string immediately followed by the encoded body. */
export function restSignaturePayload(encodedQuery: string, encodedBody: string): string {
  return encodedQuery + encodedBody;
}

/** WS API signature payload: sorted, unencoded `name=value` pairs, `signature` excluded. */
export function wsApiSignaturePayload(params: Readonly<Record<string, string | number | boolean>>): string {
  return Object.keys(params)
    .filter((name) => name !== 'signature' && params[name] !== undefined)
    .sort()
    .map((name) => `${name}=${paramText(name, params[name] as string | number | boolean)}`)
    .join('&');
}
