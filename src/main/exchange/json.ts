/**
 * JSON parsing that keeps integers above 2^53 exact (B7). Binance sends order and trade ids as
 * JSON numbers that may exceed Number.MAX_SAFE_INTEGER; such a literal comes back as its decimal
 * string (Node 24's JSON.parse gives the reviver the literal's source text). Safe integers and
 * decimals stay numbers. Ids are strings in our domain everywhere: use idString() at the edge.
 */
type SourceReviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: SourceReviver) => unknown;

// A 16-digit run is needed for an integer beyond 2^53 (9007199254740992 has 16 digits), so
// frames without one can take the plain (fast) JSON.parse.
const LONG_DIGITS = /\d{16}/;
const INTEGER_LITERAL = /^-?\d+$/;

function keepBigIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && INTEGER_LITERAL.test(context.source)) {
    return context.source;
  }
  return value;
}

/** Parses JSON; throws SyntaxError on malformed input (callers map it to 'bad-response'). */
export function parseJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text) as unknown;
  return parseWithSource(text, keepBigIntegers);
}

/** An id as a decimal string, whatever JSON type it arrived as. */
export function idString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new TypeError(`Not an id: ${typeof value === 'number' ? 'unsafe number' : typeof value}`);
}
