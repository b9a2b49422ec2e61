import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type ShellLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Appends one line per entry to logs/main.log. Callers pass already-redacted text (the core's
 * redacting logger); the shell itself only logs URLs it blocked and lifecycle events.
 */
export function createFileLogger(dir: string): {
  log(level: ShellLogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
} {
  let ready = false;
  return {
    log(level, message, fields) {
      try {
        if (!ready) {
          mkdirSync(dir, { recursive: true });
          ready = true;
        }
        const line = JSON.stringify({ t: new Date().toISOString(), level, message, ...(fields ?? {}) });
        appendFileSync(join(dir, 'main.log'), `${line}\n`, { mode: 0o600 });
      } catch {
        // logging must never take the app down
      }
    },
  };
}
