/**
 * What the core needs from the outside world. The Electron composition root passes the real
 * adapters (keychain, electron-store, node:sqlite); the web host and tests pass Node ones.
 * These are structural interfaces: the storage module's implementations satisfy them without
 * importing anything from here.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { EnvironmentId, Notice, Settings, SettingsPatch } from '../../shared/domain';
import type { Environment } from '../exchange/environments';
import type { ValuePointStore, ValueSnapshotRepositoryLike } from '../history/value-recorder';
import type { OrderIntentRepository } from '../storage/database';
import type { NotificationPort } from '../alerts/alerts-service';

/** The OS keychain (src/main/storage/secret-store.ts implements it). */
export interface SecretStorePort {
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

/** Validated, versioned settings (src/main/storage implements it on electron-store). */
export interface SettingsPort {
  get(): Settings;
  /** Validates and persists; returns the settings now in effect. */
  update(patch: SettingsPatch): Settings | Promise<Settings>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Where log lines go. The core wraps it in a redacting logger before any line is written. */
export interface LoggerPort {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

export interface ShellPort {
  /** Opens an allow-listed https URL in the system browser; false when refused. */
  openExternal(url: string): boolean;
  setStartAtLogin(enabled: boolean): void;
  /** Asks where to save a text file (a save dialog) and writes it; absent where there is no dialog (the web host). */
  saveTextFile?(file: {
    readonly defaultName: string;
    readonly content: string;
  }): Promise<{ readonly saved: boolean; readonly path: string | null }>;
}

export interface ClockPort {
  now(): number;
}

/** The built-in simulator, as the core uses it for demo mode (src/main/sim/simulator.ts). */
export interface DemoSimulator {
  readonly restUrl: string;
  readonly streamUrl: string;
  readonly wsApiUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly demoAccountId: string;
  readonly accounts: { reset(accountId: string): void };
  stop(): Promise<void>;
}

export interface DemoOptions {
  readonly seed?: number;
  readonly symbolCount?: number;
  /** Defaults to the real simulator (imported lazily so production start-up stays lean). */
  readonly startSimulator?: (opts: { seed?: number; symbolCount?: number }) => Promise<DemoSimulator>;
}

export interface CorePorts {
  readonly secrets: SecretStorePort;
  readonly settings: SettingsPort;
  /**
   * The node:sqlite database: value_snapshots records portfolio value; the order intent journal
   * and order history live in `db`. Without `db`/`orderIntents` orders use an in-memory database
   * (intents then do not survive a restart: tests and tools only).
   */
  readonly database?: {
    readonly valueSnapshots: ValueSnapshotRepositoryLike;
    readonly db?: DatabaseSync;
    readonly orderIntents?: OrderIntentRepository;
  };
  /** Or any other store for value points; with neither, history is kept in memory only. */
  readonly valuePoints?: ValuePointStore;
  /** The desktop shell, for external links and start-at-login; absent in the web host. */
  readonly shell?: ShellPort;
  readonly logger?: LoggerPort;
  readonly clock?: ClockPort;
  readonly appVersion?: string;
  /** Notices produced before the core existed (e.g. corrupt settings replaced). */
  readonly initialNotices?: readonly Notice[];
  readonly demo?: DemoOptions;
  /**
   * Replace the URLs of an environment (tests and the web host point 'testnet' at a local
   * simulator). Never set in the shipped app.
   */
  readonly environmentOverrides?: Partial<Record<Exclude<EnvironmentId, 'demo'>, Environment>>;
  readonly fetchImpl?: typeof fetch;
  /** Alert and fill banners (Electron's Notification; the web host's in-page list). */
  readonly notifications?: NotificationPort;
  /** The local UTC offset at t, minutes (quiet hours, "at 03:12"); the machine's by default. */
  readonly offsetMinutes?: (t: number) => number;
  /** Coalescing period of portfolio events, ms (default 250: at most 4 per second). */
  readonly flushIntervalMs?: number;
}
