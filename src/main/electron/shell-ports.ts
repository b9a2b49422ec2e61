/**
 * What the core may ask of the desktop shell. Types only (no Electron import): the core imports
 * these, index.ts passes the Electron adapters, the web host and tests pass fakes.
 */

/** Sleep/resume: the exchange client re-syncs time and reconnects on resume (B15). */
export interface PowerPort {
  onSuspend(listener: () => void): () => void;
  onResume(listener: () => void): () => void;
}

export interface TrayMenuItem {
  readonly id: string;
  readonly label: string;
  readonly enabled?: boolean;
  /** a check box (privacy mode) */
  readonly checked?: boolean;
}

export interface TrayPort {
  setTooltip(text: string): void;
  /** the text beside the icon (macOS only; ignored elsewhere) */
  setTitle?(text: string): void;
  /** Linux (AppIndicator) ignores clicks, so every action is also a menu item */
  setMenu(items: readonly TrayMenuItem[], onSelect: (id: string) => void): void;
  destroy(): void;
}

export interface AppShellPort {
  readonly version: string;
  readonly isPackaged: boolean;
  /** opens an allow-listed https URL in the system browser; false when refused */
  openExternal(url: string): boolean;
  setStartAtLogin(enabled: boolean): void;
  /** A save dialog, then the file written (CSV export). */
  saveTextFile?(file: {
    readonly defaultName: string;
    readonly content: string;
  }): Promise<{ readonly saved: boolean; readonly path: string | null }>;
  showWindow(): void;
  quit(): void;
}
