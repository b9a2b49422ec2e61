/**
 * Alerts in node:sqlite: the rules with their arming state, the fired log (the `alert_log` table
 * of the main schema), the alert settings, the watchlist and how far each environment's prices
 * were evaluated (the start of a gap to catch up). The feature keeps its own migrations table, so
 * its tables evolve without touching the main schema's version.
 *
 * The arming state is written in the same transaction as the log entry of a firing: after a crash
 * or restart a crossing that was logged is never fired again.
 */
import type { DatabaseSync } from 'node:sqlite';
import { AlertLogEntry, AlertRule, AlertSettings, defaultAlertSettings, type AlertLogKind, type EnvironmentId } from '../../shared/domain';
import { migrate, type Migration } from './database';

export const ALERT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'alert rules, runtime, settings, watchlist',
    sql: `
      CREATE TABLE alert_rules (
        id TEXT PRIMARY KEY,
        environment TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        rule TEXT NOT NULL,
        armed INTEGER NOT NULL DEFAULT 1,
        done INTEGER NOT NULL DEFAULT 0,
        last_fired_at INTEGER
      );
      CREATE INDEX alert_rules_env ON alert_rules (environment, created_at);
      CREATE TABLE alert_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE watchlist (
        environment TEXT NOT NULL,
        symbol TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (environment, symbol)
      );
    `,
  },
];

export interface RuleRow {
  readonly rule: AlertRule;
  readonly armed: boolean;
}

export interface NewLogEntry {
  readonly at: number;
  readonly ruleId: string;
  readonly environment: EnvironmentId;
  readonly symbol: string;
  readonly kind: AlertLogKind;
  readonly title: string;
  readonly message: string;
  readonly banner: boolean;
  readonly view: AlertLogEntry['view'];
}

export interface RuntimeUpdate {
  readonly ruleId: string;
  readonly armed: boolean;
  readonly done: boolean;
  readonly lastFiredAt: number | null;
}

export interface AlertsRepository {
  rules(environment: EnvironmentId): RuleRow[];
  saveRule(rule: AlertRule, armed: boolean): void;
  deleteRule(id: string): boolean;
  /** Runtime changes and the log entries of what fired, in one transaction. */
  record(updates: readonly RuntimeUpdate[], entries: readonly NewLogEntry[]): AlertLogEntry[];
  log(environment: EnvironmentId, limit: number): AlertLogEntry[];
  settings(): AlertSettings;
  saveSettings(settings: AlertSettings): void;
  watchlist(environment: EnvironmentId): string[];
  saveWatchlist(environment: EnvironmentId, symbols: readonly string[]): void;
  evaluatedThrough(environment: EnvironmentId): number | null;
  setEvaluatedThrough(environment: EnvironmentId, at: number): void;
  /** A one-time warning already given (kept for good: the log is read newest first and only so far). */
  flagged(key: string): boolean;
  setFlag(key: string): void;
}

interface RuleDbRow {
  rule: string;
  armed: number;
  done: number;
  last_fired_at: number | null;
}
interface LogDbRow {
  id: number;
  ts: number;
  rule_id: string;
  environment: string;
  symbol: string;
  message: string;
  payload: string;
}

export function createAlertsRepository(db: DatabaseSync): AlertsRepository {
  migrate(db, ALERT_MIGRATIONS, { table: 'alert_migrations', what: 'The alerts database was' });
  const tx = <T>(fn: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  };
  const getMeta = db.prepare('SELECT value FROM alert_meta WHERE key = ?');
  const setMeta = db.prepare('INSERT INTO alert_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const updateRuntime = db.prepare('UPDATE alert_rules SET armed = ?, done = ?, last_fired_at = ? WHERE id = ?');
  const insertLog = db.prepare('INSERT INTO alert_log (ts, rule_id, environment, symbol, message, payload) VALUES (?, ?, ?, ?, ?, ?)');

  const toLog = (r: LogDbRow): AlertLogEntry | null => {
    let payload: unknown;
    try {
      payload = JSON.parse(r.payload);
    } catch {
      return null;
    }
    const p = (payload ?? {}) as Record<string, unknown>;
    const parsed = AlertLogEntry.safeParse({
      id: r.id,
      at: r.ts,
      ruleId: r.rule_id,
      environment: r.environment,
      symbol: r.symbol,
      message: r.message,
      kind: p['kind'] ?? 'price',
      title: p['title'] ?? 'Alert',
      banner: p['banner'] ?? true,
      view: p['view'] ?? 'alerts',
    });
    return parsed.success ? parsed.data : null;
  };

  return {
    rules(environment) {
      const rows = db
        .prepare('SELECT rule, armed, done, last_fired_at FROM alert_rules WHERE environment = ? ORDER BY created_at, id')
        .all(environment) as unknown as RuleDbRow[];
      const out: RuleRow[] = [];
      for (const row of rows) {
        let raw: unknown;
        try {
          raw = JSON.parse(row.rule);
        } catch {
          continue;
        }
        // A row that no longer parses (hand-edited, a newer Perch) is skipped, never guessed at.
        const parsed = AlertRule.safeParse({ ...(raw as object), done: row.done === 1, lastFiredAt: row.last_fired_at });
        if (parsed.success) out.push({ rule: parsed.data, armed: row.armed === 1 });
      }
      return out;
    },

    saveRule(rule, armed) {
      const { done, lastFiredAt, ...rest } = rule;
      db.prepare(
        `INSERT INTO alert_rules (id, environment, created_at, rule, armed, done, last_fired_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET rule = excluded.rule, armed = excluded.armed, done = excluded.done, last_fired_at = excluded.last_fired_at`,
      ).run(rule.id, rule.environment, rule.createdAt, JSON.stringify(rest), armed ? 1 : 0, done ? 1 : 0, lastFiredAt);
    },

    deleteRule(id) {
      return Number(db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes) > 0;
    },

    record(updates, entries) {
      return tx(() => {
        for (const u of updates) updateRuntime.run(u.armed ? 1 : 0, u.done ? 1 : 0, u.lastFiredAt, u.ruleId);
        const out: AlertLogEntry[] = [];
        for (const e of entries) {
          const payload = JSON.stringify({ kind: e.kind, title: e.title, banner: e.banner, view: e.view });
          const r = insertLog.run(e.at, e.ruleId, e.environment, e.symbol, e.message, payload);
          out.push({
            id: Number(r.lastInsertRowid),
            at: e.at,
            ruleId: e.ruleId,
            environment: e.environment,
            symbol: e.symbol,
            kind: e.kind,
            title: e.title,
            message: e.message,
            banner: e.banner,
            view: e.view,
          });
        }
        return out;
      });
    },

    log(environment, limit) {
      const rows = db
        .prepare(
          'SELECT id, ts, rule_id, environment, symbol, message, payload FROM alert_log WHERE environment = ? ORDER BY ts DESC, id DESC LIMIT ?',
        )
        .all(environment, limit) as unknown as LogDbRow[];
      return rows.map(toLog).filter((x): x is AlertLogEntry => x !== null);
    },

    settings() {
      const row = getMeta.get('settings') as { value: string } | undefined;
      if (row === undefined) return defaultAlertSettings();
      try {
        const parsed = AlertSettings.safeParse(JSON.parse(row.value));
        return parsed.success ? parsed.data : defaultAlertSettings();
      } catch {
        return defaultAlertSettings();
      }
    },

    saveSettings(settings) {
      setMeta.run('settings', JSON.stringify(settings));
    },

    watchlist(environment) {
      const rows = db.prepare('SELECT symbol FROM watchlist WHERE environment = ? ORDER BY position').all(environment) as unknown as Array<{
        symbol: string;
      }>;
      return rows.map((r) => r.symbol);
    },

    saveWatchlist(environment, symbols) {
      tx(() => {
        db.prepare('DELETE FROM watchlist WHERE environment = ?').run(environment);
        const ins = db.prepare('INSERT INTO watchlist (environment, symbol, position) VALUES (?, ?, ?)');
        symbols.forEach((s, i) => ins.run(environment, s, i));
      });
    },

    evaluatedThrough(environment) {
      const row = getMeta.get(`evaluated:${environment}`) as { value: string } | undefined;
      const n = row === undefined ? NaN : Number(row.value);
      return Number.isFinite(n) ? n : null;
    },

    setEvaluatedThrough(environment, at) {
      setMeta.run(`evaluated:${environment}`, String(at));
    },

    flagged: (key) => getMeta.get(`flag:${key}`) !== undefined,

    setFlag(key) {
      setMeta.run(`flag:${key}`, '1');
    },
  };
}
