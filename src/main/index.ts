/**
 * Composition root: the only file outside src/main/electron/ that imports electron. It builds
 * the adapters, then the core (createCore), and connects its handlers to ipcMain and its events
 * to the window. Order matters with an ESM main: everything
 * before `app.whenReady()` (scheme privileges, single-instance lock, userData path) runs here
 * synchronously at the top of the module.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell } from 'electron';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Settings, TrayModel } from '../shared/domain';
import { createCommandRouter } from './ipc/command-router';
import { createEventBroadcaster } from './ipc/event-broadcaster';
import { createOriginSenderCheck } from './ipc/sender-check';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './electron/app-protocol';
import { createElectronSettingsStore } from './electron/electron-settings-store';
import { createFileLogger } from './electron/file-logger';
import { registerIpcCommands } from './electron/ipc';
import { createNotificationPort } from './electron/notifier';
import { appPaths } from './electron/paths';
import { createPowerPort } from './electron/power';
import { AUTOSTART_ARG, createStartAtLogin } from './electron/start-at-login';
import { applyWebContentsGuards, hardenSession, openExternalSafely } from './electron/security';
import { APP_ORIGIN, appOrigins } from './electron/security-policy';
import type { AppShellPort, TrayPort } from './electron/shell-ports';
import { createStartupDialog } from './electron/startup-dialog';
import { createTray } from './electron/tray';
import { createMainWindow } from './electron/window';
import { createCore } from './core/create-core';
import { buildAppMenu } from './app-shell/app-menu';
import { resolveDevMode } from './app-shell/dev-mode';
import { installAppMenu } from './electron/app-menu';
import { createRedactingLogger, describeError, type RedactingLogger } from './core/redacting-logger';
import { toAppError } from './core/errors';
import { failedStartMessage, openStartupDatabase } from './core/startup';
import { createKeyringSecretStore } from './storage/secret-store';
import { openDatabase } from './storage/database';
import { autostartFilePath, createLinuxAutostart, launchCommand } from './storage/linux-autostart';

// Tests (and people running two profiles) point Perch at another profile directory.
if (process.env['PERCH_USER_DATA_DIR']) app.setPath('userData', process.env['PERCH_USER_DATA_DIR']);

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  // a second start only brings the running Perch to the front (its 'second-instance' handler)
  app.exit(0);
} else {
  main().catch(failStart);
}

/** Set once main() has a log to write to; a failed start is reported there too. */
let startupLog: { readonly folder: string; readonly error: (message: string, error: unknown) => void } | null = null;

/**
 * A start that failed tells the person and ends the process: a windowless Perch holding the
 * single-instance lock would make every later start quit at once.
 */
function failStart(e: unknown): void {
  try {
    startupLog?.error('start failed', e);
  } catch {
    // the message below matters more than the log line
  }
  void createStartupDialog()
    .show(failedStartMessage(e, startupLog?.folder ?? null))
    .catch(() => undefined)
    .finally(() => {
      app.releaseSingleInstanceLock();
      app.exit(1);
    });
}

async function main(): Promise<void> {
  let mainWindow: BrowserWindow | null = null;
  let tray: TrayPort | null = null;
  let quitting = false;

  const showWindow = (): void => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };
  app.on('second-instance', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });

  await app.whenReady();

  const paths = appPaths(app.getPath('userData'), import.meta.dirname);
  const logger = createFileLogger(paths.logs);
  // An error's text may quote a key or a signed URL: it goes through the core's redaction (its
  // patterns until the core exists, then the core's redactor, which also knows the secrets it holds).
  let startRedactor: RedactingLogger = createRedactingLogger(logger);
  startupLog = {
    folder: paths.logs,
    error: (message, error) => startRedactor.error(message, { error: describeError(error, startRedactor).slice(0, 300) }),
  };
  // DevTools, a dev server origin and payload checks only with the explicit flag, never packaged
  const dev = resolveDevMode({ isPackaged: app.isPackaged, env: process.env, argv: process.argv });
  const devServerUrl = dev.rendererUrl;
  const origins = appOrigins(devServerUrl);

  // -- security: before any content loads
  hardenSession(session.defaultSession);
  const openExternal = (url: string): boolean => openExternalSafely(url, (u) => void shell.openExternal(u));
  app.on('web-contents-created', (_event, contents) => {
    applyWebContentsGuards(contents, {
      allowedOrigins: origins,
      openExternal: (url) => void shell.openExternal(url),
      onBlocked: (what, url) => logger.log('warn', `blocked ${what}`, { url: url.slice(0, 200) }),
    });
  });
  registerAppProtocol(protocol, net, paths.renderer);

  // -- adapters
  const settings = createElectronSettingsStore({ userData: paths.userData, name: paths.settingsName });
  const secrets = createKeyringSecretStore();
  // A damaged database is set aside (the person is told); a newer Perch's database is left untouched and we quit.
  const opened = openStartupDatabase({ path: paths.database, open: openDatabase });
  if (opened.message !== null) await createStartupDialog().show(opened.message);
  if (opened.kind === 'refused') {
    logger.log('error', 'database refused', { reason: opened.message.message });
    app.releaseSingleInstanceLock();
    app.exit(1);
    return;
  }
  if (opened.message !== null) logger.log('warn', 'damaged database set aside', { detail: opened.message.detail });
  const database = opened.database;
  const power = createPowerPort();
  const startAtLogin = createStartAtLogin({
    platform: process.platform,
    setLoginItemSettings: (s) => app.setLoginItemSettings(s),
    linux: () => ({
      autostart: createLinuxAutostart({ path: autostartFilePath(process.env, homedir()) }),
      command: launchCommand({
        execPath: process.execPath,
        env: process.env,
        isPackaged: app.isPackaged,
        appPath: app.getAppPath(),
        args: [AUTOSTART_ARG],
      }),
    }),
  });
  const startAtLoginNotice = startAtLogin.refresh(settings.get().startAtLogin, Date.now());
  const shellPort: AppShellPort = {
    version: app.getVersion(),
    isPackaged: app.isPackaged,
    openExternal,
    // the core saved the setting before applying it: a failure turns it back and answers an error
    setStartAtLogin: (enabled) => startAtLogin.set(enabled, () => settings.update({ startAtLogin: !enabled })),
    showWindow,
    quit: () => app.quit(),
    saveTextFile: async ({ defaultName, content }) => {
      const options = { defaultPath: join(app.getPath('downloads'), defaultName), filters: [{ name: 'CSV', extensions: ['csv'] }] };
      const r = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return { saved: false, path: null };
      await writeFile(r.filePath, content, 'utf8');
      return { saved: true, path: r.filePath };
    },
  };

  const trustedIds = new Set<number>();
  const broadcast = createEventBroadcaster({
    targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
    validate: dev.validatePayloads,
    // a validation error may quote the payload; `core` exists by the time an event is sent
    onError: (event, error) => core.inspect.logger.error(`event ${event} not sent`, { error: describeError(error, core.inspect.logger) }),
  });
  const onTraySelect = (id: string): void => {
    if (id === 'quit') app.quit();
    else if (id === 'toggle-window') {
      if (mainWindow?.isVisible() === true && mainWindow.isFocused()) mainWindow.hide();
      else showWindow();
    } else if (id === 'show' || id.startsWith('open:')) showWindow();
    else core.tray.action(id).catch((e: unknown) => redacting.error('tray action failed', { error: describeError(e, redacting) }));
  };
  /** The core computes what the tray shows (at most every few seconds); this only draws it. */
  const drawTray = (model: TrayModel): void => {
    if (!tray) return;
    tray.setTooltip(model.tooltip);
    tray.setTitle?.(model.title);
    tray.setMenu(model.items, onTraySelect);
  };
  const syncTray = (closeToTray: boolean): void => {
    if (closeToTray && !tray) {
      tray = createTray(onTraySelect);
      drawTray(core.tray.model());
    }
    if (!closeToTray && tray) {
      tray.destroy();
      tray = null;
    }
  };

  // -- the core (no Electron inside): every command handler and every event comes from it. Its
  // alerts are the only desktop banners (fills, rejections, "not placed" included): they follow
  // quiet hours, pause and privacy mode.
  const core = createCore({
    secrets,
    settings,
    database,
    notifications: createNotificationPort((view) => {
      showWindow();
      broadcast('app:openView', { view: view as 'alerts' });
    }),
    shell: shellPort,
    logger,
    appVersion: app.getVersion(),
    initialNotices: [...settings.takeStartupNotices(), ...(startAtLoginNotice ? [startAtLoginNotice] : [])],
  });
  /** The core's redactor (it knows every secret the core has handled) in front of the file log. */
  const redacting = core.inspect.logger;
  startRedactor = redacting;
  const offEvents = core.onEvent((name, payload) => {
    if (name === 'settings:changed') syncTray((payload as Settings).closeToTray);
    if (name === 'tray:model') drawTray(payload as TrayModel);
    broadcast(name, payload);
  });
  const offSuspend = power.onSuspend(() => core.suspend());
  const offResume = power.onResume(() => {
    core.resume().catch((e: unknown) => redacting.error('resume failed', { error: describeError(e, redacting) }));
  });
  const handlers = core.handlers;

  const router = createCommandRouter({
    handlers,
    isTrustedSender: createOriginSenderCheck({ allowedOrigins: origins, trustedWebContentsIds: () => trustedIds }),
    validateOutput: dev.validatePayloads,
    // An unexpected error's message may quote its input (V8's JSON.parse does): only redacted text is logged.
    onInternalError: (command, error) => redacting.error(`command ${command} failed`, { error: describeError(error, redacting) }),
    // exchange errors become Result codes with a person's message, here for every command
    toPublicError: (error) => toAppError(error, redacting),
  });
  const unregisterIpc = registerIpcCommands(ipcMain, router);

  mainWindow = createMainWindow({
    preloadPath: paths.preload,
    devTools: dev.devTools,
    savedBounds: settings.getWindowBounds(),
    saveBounds: (b) => settings.setWindowBounds(b),
    shouldHideOnClose: () => !quitting && settings.get().closeToTray && tray !== null,
    // the tray (created just below) is then the way in, as is starting Perch again
    startHidden: process.argv.includes(AUTOSTART_ARG) && settings.get().closeToTray,
  });
  trustedIds.add(mainWindow.webContents.id);
  mainWindow.on('show', () => core.tray.setWindowVisible(true));
  mainWindow.on('hide', () => core.tray.setWindowVisible(false));
  mainWindow.on('closed', () => {
    mainWindow = null;
  });

  syncTray(settings.get().closeToTray);
  installAppMenu(buildAppMenu({ platform: process.platform, appName: app.getName(), devTools: dev.devTools }), (action) => {
    showWindow();
    broadcast('app:menu', action);
  });

  // start streaming while the page loads; a failed start is reported through status and notices
  core.start().catch((e: unknown) => redacting.error('core start failed', { error: describeError(e, redacting) }));
  // The window exists: a page that fails to load is shown and logged, not a reason to quit.
  await mainWindow
    .loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`)
    .catch((e: unknown) => redacting.error('the page did not load', { error: describeError(e, redacting) }));

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin' || !tray) app.quit();
  });
  let stopping = false;
  app.on('will-quit', (event) => {
    if (stopping) return;
    // close sockets and the simulator cleanly before the database goes away
    event.preventDefault();
    stopping = true;
    unregisterIpc();
    offEvents();
    offSuspend();
    offResume();
    tray?.destroy();
    void core
      .stop()
      .catch(() => undefined)
      .finally(() => {
        database.close();
        app.quit();
      });
  });
  logger.log('info', 'started', { version: app.getVersion(), userData: join(paths.userData) });
}
