/**
 * Security decisions as pure functions (no Electron import), so each checklist item of
 * docs/ARCHITECTURE.md §9 has a unit test. security.ts applies them to sessions and webContents.
 */

/** The app's own scheme and origin in packaged/built runs (served by app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'perch';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Hosts a link may open in the system browser: Binance's own pages (API management, docs) and
 * the project's docs. Exact host match after URL parsing; https only; no credentials in the URL.
 */
export const EXTERNAL_HOST_ALLOW_LIST: ReadonlySet<string> = new Set([
  'www.binance.com',
  'binance.com',
  'accounts.binance.com',
  'developers.binance.com',
  'testnet.binance.vision',
  'demo.binance.com',
  'github.com',
]);

export function isAllowedExternalUrl(raw: string, allowList: ReadonlySet<string> = EXTERNAL_HOST_ALLOW_LIST): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:') return false;
  if (url.username !== '' || url.password !== '') return false;
  if (url.port !== '') return false;
  return allowList.has(url.hostname);
}

/** Origins the window may show: the app protocol, plus the dev server origin in `electron-vite dev`. */
export function appOrigins(devServerUrl: string | undefined): string[] {
  const origins = [APP_ORIGIN];
  if (devServerUrl) {
    try {
      origins.push(new URL(devServerUrl).origin);
    } catch {
      // an unparsable dev URL simply is not trusted
    }
  }
  return origins;
}

/** Navigation within the page (hash routes) is fine; anything leaving the app origin is not. */
export function isNavigationAllowed(targetUrl: string, allowedOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    return false;
  }
  const origin = url.host ? `${url.protocol}//${url.host}` : null;
  return origin !== null && allowedOrigins.includes(origin);
}

/**
 * The response-header CSP (the meta tag in index.html repeats it as a fallback; frame-ancestors
 * only works as a header).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Parses a CSP string into directive -> sources (lower-cased names). */
export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

/** Every permission (camera, notifications, geolocation, clipboard, ...) is refused. */
export function permissionDecision(_permission: string): false {
  return false;
}
