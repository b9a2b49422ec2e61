import { join } from 'node:path';

export interface AppPaths {
  readonly userData: string;
  /** electron-store's settings file (name 'settings') */
  readonly settingsName: string;
  readonly database: string;
  readonly logs: string;
  readonly renderer: string;
  readonly preload: string;
}

/** Where Perch keeps its files; `mainDir` is the directory of the built main bundle (out/main). */
export function appPaths(userData: string, mainDir: string): AppPaths {
  return {
    userData,
    settingsName: 'settings',
    database: join(userData, 'perch.sqlite'),
    logs: join(userData, 'logs'),
    renderer: join(mainDir, '../renderer'),
    preload: join(mainDir, '../preload/index.cjs'),
  };
}
