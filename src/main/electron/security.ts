import type { Event as ElectronEvent, HandlerDetails, Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY, isAllowedExternalUrl, isNavigationAllowed, permissionDecision } from './security-policy';

/** The part of WebContents the guards touch; tests pass a fake. */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;
export type GuardedSession = {
  setPermissionRequestHandler: Session['setPermissionRequestHandler'];
  setPermissionCheckHandler: Session['setPermissionCheckHandler'];
  setDevicePermissionHandler?: Session['setDevicePermissionHandler'];
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

export interface GuardOptions {
  readonly allowedOrigins: readonly string[];
  /** shell.openExternal, called only for allow-listed https URLs */
  readonly openExternal: (url: string) => void;
  readonly onBlocked?: (what: string, url: string) => void;
}

/**
 * Applied to every webContents the app creates (via app 'web-contents-created'): navigation and
 * redirects away from the app origin are blocked, new windows are always denied (an allow-listed
 * https link goes to the system browser instead), <webview> cannot attach.
 */
export function applyWebContentsGuards(contents: GuardedContents, options: GuardOptions): void {
  const block =
    (kind: string) =>
    (event: ElectronEvent, url: string): void => {
      if (!isNavigationAllowed(url, options.allowedOrigins)) {
        event.preventDefault();
        options.onBlocked?.(kind, url);
      }
    };
  contents.on('will-navigate', block('navigation'));
  contents.on('will-frame-navigate', (details) => {
    if (!isNavigationAllowed(details.url, options.allowedOrigins)) {
      details.preventDefault();
      options.onBlocked?.('frame navigation', details.url);
    }
  });
  contents.on('will-redirect', block('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    options.onBlocked?.('webview', '');
  });
  contents.setWindowOpenHandler((details: HandlerDetails) => {
    if (isAllowedExternalUrl(details.url)) options.openExternal(details.url);
    else options.onBlocked?.('window.open', details.url);
    return { action: 'deny' };
  });
}

/** Deny every permission request and check; send the CSP header on http(s) responses (dev server). */
export function hardenSession(session: GuardedSession): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionDecision(permission)));
  session.setPermissionCheckHandler((_wc, permission) => permissionDecision(permission));
  session.setDevicePermissionHandler?.(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    // the dev server's inline preamble needs the relaxed meta policy; only packaged/built runs get the header
    if (details.resourceType === 'mainFrame' && !/^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(details.url)) {
      headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    }
    callback({ responseHeaders: headers });
  });
}

/** The app:openExternal handler's check, shared with the window-open handler. */
export function openExternalSafely(url: string, openExternal: (url: string) => void): boolean {
  if (!isAllowedExternalUrl(url)) return false;
  openExternal(url);
  return true;
}
