/**
 * Every log line of the core goes through here. Two nets, because one is not enough:
 * - the exact secrets the core holds (HMAC secrets, private keys, API keys) are registered and
 *   replaced wherever they appear. They are held in slots, each replaced as a whole (the stored
 *   key of an environment, the running session's key, a generated pair waiting to be saved), or
 *   held only while in use (a key under test): the set stays as small as what Perch holds, and
 *   a mistyped secret tried once is not kept for the life of the process;
 * - patterns catch what looks like key material even if nobody registered it (PEM blocks,
 *   signature=..., long hex/base64 runs, query strings).
 */
import type { LogFields, LoggerPort, LogLevel } from './ports';

export interface RedactingLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * Register a value that must never appear in a log line, for the life of the process (shorter
   * than 8 chars is ignored). For values fixed at start only (the built-in demo key).
   */
  addSecret(value: string): void;
  /** The secrets of `slot` are now exactly `values` (the previous ones are released). */
  setSecrets(slot: string, values: readonly string[]): void;
  /** Register `values` while they are in use; the returned function releases them. */
  holdSecrets(values: readonly string[]): () => void;
  /** How many distinct values are registered now (diagnostics and tests). */
  secretCount(): number;
  /** Apply the redaction to any text (also used for error messages the UI shows). */
  redact(text: string): string;
}

/**
 * A PEM block: a BEGIN line with its END line, or a BEGIN line followed by key body (base64) to
 * the end of the text (a cut-off block). A bare BEGIN line with neither is Perch's own hint text
 * ('including the "-----BEGIN PRIVATE KEY-----" line') and stays readable.
 */
export const PEM_BLOCK = /-----BEGIN [A-Z ]+-----(?:[\s\S]*?-----END [A-Z ]+-----|(?=\s*[A-Za-z0-9+/]{16})[\s\S]*$)/g;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [PEM_BLOCK, '[redacted key]'],
  [/(signature|secret|apiKey|api_key|privateKey|X-MBX-APIKEY)(["']?\s*[=:]\s*["']?)[^\s&"',}]+/gi, '$1$2[redacted]'],
  [/https?:\/\/\S*\?\S*/g, '[url redacted]'],
  [/\b[0-9a-f]{40,}\b/gi, '[redacted]'],
  [/[A-Za-z0-9+/]{40,}={0,2}/g, '[redacted]'],
];

export function createRedactingLogger(sink: LoggerPort | undefined): RedactingLogger {
  const slots = new Map<string | symbol, readonly string[]>();
  const PERMANENT = Symbol('permanent');

  /** The value and, for a PEM, each body line: a log line could hold a fragment of it. */
  const expand = (value: string): string[] => {
    const v = value.trim();
    const out: string[] = [];
    if (v.length >= 8) out.push(v);
    if (v.includes('\n')) {
      for (const line of v.split('\n')) {
        const l = line.trim();
        if (l.length >= 16 && !l.startsWith('-----')) out.push(l);
      }
    }
    return out;
  };
  const all = (): Set<string> => {
    const set = new Set<string>();
    for (const values of slots.values()) for (const v of values) set.add(v);
    return set;
  };

  const redact = (text: string): string => {
    let out = text;
    for (const s of all()) if (out.includes(s)) out = out.split(s).join('[redacted]');
    for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
    return out;
  };

  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (sink === undefined) return;
    let clean: Record<string, string | number | boolean | null | undefined> | undefined;
    if (fields !== undefined) {
      clean = {};
      for (const [k, v] of Object.entries(fields)) clean[k] = typeof v === 'string' ? redact(v) : v;
    }
    try {
      sink.log(level, redact(message), clean);
    } catch {
      // A broken log sink must not take the app down.
    }
  };

  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    addSecret(value) {
      slots.set(PERMANENT, [...new Set([...(slots.get(PERMANENT) ?? []), ...expand(value)])]);
    },
    setSecrets(slot, values) {
      const expanded = values.flatMap(expand);
      if (expanded.length === 0) slots.delete(slot);
      else slots.set(slot, expanded);
    },
    holdSecrets(values) {
      const slot = Symbol('held');
      slots.set(slot, values.flatMap(expand));
      return () => {
        slots.delete(slot);
      };
    },
    secretCount: () => all().size,
    redact,
  };
}

/** A message from any error, redacted. */
export function describeError(error: unknown, logger: Pick<RedactingLogger, 'redact'>): string {
  if (error instanceof Error) return logger.redact(`${error.name}: ${error.message}`);
  return logger.redact(String(error));
}
