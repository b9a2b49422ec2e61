/**
 * Parameter parsing with Binance's error codes: missing -> -1102, malformed -> -1100,
 * too many decimals -> -1111. Every parser throws SimError, never returns garbage.
 *
 * Empty values (`price=`): a mandatory parameter (Mandatory YES in the docs' table, read with
 * `required`) is -1102 "was not sent, was empty/null, or malformed"; an optional one is -1105
 * "Parameter '%s' was empty." (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/errors.md), never "not sent": Binance does not drop it.
 */
import { SimError, errors } from '../errors';
import { Decimal, dec } from '../account/money';

export type Params = Readonly<Record<string, string>>;

const DECIMAL_RE = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const LONG_RE = /^[0-9]{1,20}$/;
const CLIENT_ID_RE = /^[a-zA-Z0-9-_.]{1,36}$/;

/** An optional parameter's raw value: absent -> undefined, empty -> -1105. */
export function optional(params: Params, name: string): string | undefined {
  const v = params[name];
  if (v === '') throw errors.paramEmpty(name);
  return v;
}

export function required(params: Params, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw errors.mandatoryParamMissing(name);
  return v;
}

export function eitherMissing(a: string, b: string): SimError {
  return new SimError(400, -1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`);
}

export function notRequired(name: string): SimError {
  return errors.paramNotRequired(name);
}

/** A DECIMAL parameter; `maxDecimals` is the asset precision (more -> -1111). */
export function decimalParam(params: Params, name: string, maxDecimals = 8): Decimal | undefined {
  const v = optional(params, name);
  if (v === undefined) return undefined;
  if (!DECIMAL_RE.test(v)) {
    throw new SimError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
  }
  const frac = v.split('.')[1] ?? '';
  if (frac.length > maxDecimals) throw errors.badPrecision(name);
  return dec(v);
}

export function longParam(params: Params, name: string): bigint | undefined {
  const v = optional(params, name);
  if (v === undefined) return undefined;
  if (!LONG_RE.test(v)) {
    throw new SimError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  }
  return BigInt(v);
}

export function timeParam(params: Params, name: string): number | undefined {
  const v = longParam(params, name);
  return v === undefined ? undefined : Number(v);
}

export function intParam(params: Params, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const v = optional(params, name);
  if (v === undefined) return undefined;
  if (!/^-?[0-9]{1,10}$/.test(v)) {
    throw new SimError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^-?[0-9]{1,10}$'.`);
  }
  const n = Number(v);
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw errors.invalidParamValue(`Data sent for parameter '${name}' is not valid.`);
  }
  return n;
}

export function boolParam(params: Params, name: string): boolean | undefined {
  const v = optional(params, name);
  if (v === undefined) return undefined;
  const lower = v.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw errors.invalidParamValue(`Data sent for parameter '${name}' is not valid.`);
}

export function enumParam<T extends string>(params: Params, name: string, allowed: readonly T[], invalid?: () => SimError): T | undefined {
  const v = optional(params, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalid ? invalid() : errors.invalidParamValue(`Data sent for parameter '${name}' is not valid.`);
  }
  return v as T;
}

/** newClientOrderId, listClientOrderId, ...: absent -> undefined; empty -> -1118; bad chars -> -1100. */
export function clientIdParam(params: Params, name: string): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === '') throw new SimError(400, -1118, 'New client order ID was empty.');
  if (!CLIENT_ID_RE.test(v)) throw errors.illegalChars(name);
  return v;
}

/** origClientOrderId-style lookup keys: any non-empty string (-1119 when empty). */
export function origClientIdParam(params: Params, name: string): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === '') throw new SimError(400, -1119, 'Original client order ID was empty.');
  return v;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Binance-looking generated client ids (22 alphanumerics). */
export function createClientIdGenerator(seed = 0x5eed): () => string {
  let s = seed >>> 0;
  return () => {
    let out = '';
    for (let i = 0; i < 22; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out += ALNUM[(s >>> 8) % ALNUM.length];
    }
    return out;
  };
}

export function timeWindowError(hours: number): SimError {
  return new SimError(400, -1127, `More than ${hours} hours between startTime and endTime.`);
}

export function badCombo(): SimError {
  return new SimError(400, -1128, 'Combination of optional parameters invalid.');
}
