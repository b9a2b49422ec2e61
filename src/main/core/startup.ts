/**
 * What Perch does when its files cannot be used at start-up. The decisions live here (no
 * Electron, testable in Node); the composition root only shows the message this returns and
 * quits when told to.
 *
 *  - a database that is not a database (garbage, a damaged header) is moved aside with its -wal
 *    and -shm files as perch.corrupt-<time>.sqlite and a new one is started; the person is told,
 *    including that order intents in the old one may need checking on Binance;
 *  - a database written by a newer Perch is never touched (read-only look first, no WAL switch,
 *    no migration): Perch says so and quits. Alerts, orders and P&L keep their own migration
 *    ledgers; a newer version in any of them counts the same as a newer main schema;
 *  - anything else (a folder where the file should be, no permission, a full disk) is not ours
 *    to move: it ends the start with a message (failedStartMessage) instead of a windowless
 *    process.
 */
import { existsSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ALERT_MIGRATIONS } from '../storage/alerts-repository';
import {
  MIGRATIONS,
  NewerSchemaError,
  peekDatabase,
  readUnfinishedIntents,
  type Database,
  type DatabasePeek,
  type IntentSummary,
} from '../storage/database';
import { HISTORY_MIGRATIONS } from '../storage/history-repository';
import { ORDERS_MIGRATIONS } from '../storage/orders-repository';

export interface StartupMessage {
  readonly level: 'warning' | 'error';
  readonly title: string;
  readonly message: string;
  readonly detail: string;
}

/** Shows a start-up message and resolves when the person has read it (an Electron dialog in the app). */
export interface StartupDialogPort {
  show(message: StartupMessage): Promise<void>;
}

export type StartupDatabase =
  | { readonly kind: 'opened'; readonly database: Database; readonly message: StartupMessage | null }
  | { readonly kind: 'refused'; readonly message: StartupMessage };

export interface StartupFs {
  exists(path: string): boolean;
  rename(from: string, to: string): void;
}

export interface OpenStartupDatabaseOptions {
  readonly path: string;
  readonly open: (path: string) => Database;
  readonly peek?: (path: string, featureTables: readonly string[]) => DatabasePeek;
  readonly knownVersion?: number;
  /** The feature ledgers and the newest version of each this build knows (default: featureSchemas()). */
  readonly features?: readonly FeatureSchema[];
  readonly readUnfinished?: (path: string) => IntentSummary[];
  readonly fs?: StartupFs;
  readonly now?: () => Date;
}

const nodeFs: StartupFs = { exists: existsSync, rename: renameSync };

export interface FeatureSchema {
  readonly table: string;
  /** what the person reads: "alerts data version 3" */
  readonly what: string;
  readonly known: number;
}

const newest = (ms: ReadonlyArray<{ readonly version: number }>): number => Math.max(0, ...ms.map((m) => m.version));

/** Each feature's own migration ledger in the database and the newest version this build knows. */
export function featureSchemas(): FeatureSchema[] {
  return [
    { table: 'alert_migrations', what: 'alerts', known: newest(ALERT_MIGRATIONS) },
    { table: 'orders_schema', what: 'orders', known: newest(ORDERS_MIGRATIONS) },
    { table: 'pnl_schema', what: 'P&L history', known: newest(HISTORY_MIGRATIONS) },
  ];
}

/** SQLite's "file is not a database" (26) and "database disk image is malformed" (11). */
export function isCorruptDatabaseError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const errcode = (e as { errcode?: unknown }).errcode;
  return errcode === 26 || errcode === 11;
}

/** perch.sqlite -> perch.corrupt-2026-12-04T21-05-00-000Z.sqlite (same folder). */
export function corruptDatabaseName(path: string, at: Date): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  return join(dirname(path), `${stem}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}${ext}`);
}

function newerSchemaMessage(found: number, known: number, path: string, feature?: string): StartupMessage {
  return {
    level: 'error',
    title: 'Perch is older than its data',
    message: 'Your Perch data was saved by a newer version of Perch. This version cannot use it and has not changed it.',
    detail: `Install the newer Perch again to keep using this data (the database is ${path}, ${feature !== undefined ? `${feature} ` : ''}data version ${found}; this Perch knows up to ${known}). Perch will now quit.`,
  };
}

function intentLines(intents: readonly IntentSummary[]): string {
  return intents
    .slice(0, 10)
    .map((i) => `${i.side} ${i.symbol} (${i.environment}, ${new Date(i.createdAt).toISOString().replace('T', ' ').slice(0, 16)} UTC)`)
    .join('; ');
}

function corruptMessage(backup: string, intents: readonly IntentSummary[]): StartupMessage {
  const found =
    intents.length > 0
      ? ` It still lists ${intents.length} order${intents.length === 1 ? '' : 's'} whose outcome was not known: ${intentLines(intents)}. Check ${intents.length === 1 ? 'it' : 'them'} in Open orders and your order history on Binance.`
      : ' If you placed orders shortly before this, Perch may not have learned what became of them: check Open orders and your order history on Binance.';
  return {
    level: 'warning',
    title: 'Perch started with a new database',
    message:
      'Perch could not read its database (the file is damaged), so it started a new one. Your value history and the journal of orders sent from Perch start again from now.',
    detail: `The damaged file was kept as ${basename(backup)} next to the new one.${found}`,
  };
}

function cannotOpen(path: string, e: unknown): Error {
  const reason = e instanceof Error ? e.message : String(e);
  return new Error(`it could not open its database ${path} (${reason}). If something else is in its place, move it away`, { cause: e });
}

/** Opens the history database, or decides what to do when it cannot be used (see the top). */
export function openStartupDatabase(o: OpenStartupDatabaseOptions): StartupDatabase {
  const fs = o.fs ?? nodeFs;
  const now = o.now ?? (() => new Date());
  const peek = o.peek ?? peekDatabase;
  const known = o.knownVersion ?? newest(MIGRATIONS);
  const features = o.features ?? featureSchemas();
  let corrupt: unknown = null;
  if (fs.exists(o.path)) {
    try {
      const seen = peek(
        o.path,
        features.map((f) => f.table),
      );
      if (seen.schemaVersion !== null && seen.schemaVersion > known)
        return { kind: 'refused', message: newerSchemaMessage(seen.schemaVersion, known, o.path) };
      for (const f of features) {
        const v = seen.features?.[f.table] ?? null;
        if (v !== null && v > f.known) return { kind: 'refused', message: newerSchemaMessage(v, f.known, o.path, f.what) };
      }
    } catch (e) {
      // Anything else (a read-only look can fail where a normal open works): the open below decides.
      if (isCorruptDatabaseError(e)) corrupt = e;
    }
  }
  if (corrupt === null) {
    try {
      return { kind: 'opened', database: o.open(o.path), message: null };
    } catch (e) {
      if (e instanceof NewerSchemaError) return { kind: 'refused', message: newerSchemaMessage(e.found, e.known, o.path) };
      if (!isCorruptDatabaseError(e)) throw cannotOpen(o.path, e);
    }
  }
  const intents = (o.readUnfinished ?? readUnfinishedIntents)(o.path);
  const backup = corruptDatabaseName(o.path, now());
  // The -wal and -shm belong to the damaged file: left in place they would be replayed into the new one.
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (fs.exists(o.path + suffix)) fs.rename(o.path + suffix, backup + suffix);
  }
  return { kind: 'opened', database: o.open(o.path), message: corruptMessage(backup, intents) };
}

/** What a start that failed for any other reason tells the person before Perch quits. */
export function failedStartMessage(e: unknown, logFolder: string | null): StartupMessage {
  const raw = e instanceof Error ? e.message : String(e);
  const why = raw.replace(/\s+/g, ' ').slice(0, 300);
  return {
    level: 'error',
    title: 'Perch could not start',
    message: `Perch could not start: ${why}`,
    detail: `Check that Perch may read and write its data folder and that the disk is not full, then start Perch again.${logFolder !== null ? ` Details are in the log (${logFolder}).` : ''}`,
  };
}
