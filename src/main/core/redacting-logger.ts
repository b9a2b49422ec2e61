/**
 * Every log line of the core goes through here. Two nets, because one is not enough:
 * - the exact secrets the core has handled (HMAC secrets, private keys, API keys) are
 *   registered as they pass through and replaced wherever they appear;
 * - patterns catch what looks like key material even if nobody registered it (PEM blocks,
 *   signature=..., long hex/base64 runs, query strings).
 */
import type { LogFields, LoggerPort, LogLevel } from './ports';

export interface RedactingLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Register a value that must never appear in a log line (shorter than 8 chars is ignored). */
  addSecret(value: string): void;
  /** Apply the redaction to any text (also used for error messages the UI shows). */
  redact(text: string): string;
}

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, '[redacted key]'],
  [/(signature|secret|apiKey|api_key|privateKey|X-MBX-APIKEY)(["']?\s*[=:]\s*["']?)[^\s&"',}]+/gi, '$1$2[redacted]'],
  [/https?:\/\/\S*\?\S*/g, '[url redacted]'],
  [/\b[0-9a-f]{40,}\b/gi, '[redacted]'],
  [/[A-Za-z0-9+/]{40,}={0,2}/g, '[redacted]'],
];

export function createRedactingLogger(sink: LoggerPort | undefined): RedactingLogger {
  const secrets = new Set<string>();

  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
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
      const v = value.trim();
      if (v.length >= 8) secrets.add(v);
      // A PEM is also matched line by line: a log line could hold a fragment of it.
      if (v.includes('\n')) {
        for (const line of v.split('\n')) {
          const l = line.trim();
          if (l.length >= 16 && !l.startsWith('-----')) secrets.add(l);
        }
      }
    },
    redact,
  };
}

/** A message from any error, redacted. */
export function describeError(error: unknown, logger: Pick<RedactingLogger, 'redact'>): string {
  if (error instanceof Error) return logger.redact(`${error.name}: ${error.message}`);
  return logger.redact(String(error));
}
