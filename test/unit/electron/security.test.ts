// Seam: security decisions and guards, applied to fake webContents/session objects (no Electron).
import { describe, expect, it, vi } from 'vitest';
import {
  APP_ORIGIN,
  appOrigins,
  CONTENT_SECURITY_POLICY,
  isAllowedExternalUrl,
  isNavigationAllowed,
  parseCsp,
} from '../../../src/main/electron/security-policy';
import {
  applyWebContentsGuards,
  hardenSession,
  openExternalSafely,
  type GuardedContents,
  type GuardedSession,
} from '../../../src/main/electron/security';

describe('external link allow-list', () => {
  it.each([
    ['https://www.binance.com/en/my/settings/api-management', true],
    ['HTTPS://WWW.BINANCE.COM/en', true],
    ['https://testnet.binance.vision/', true],
    ['https://developers.binance.com/docs/binance-spot-api-docs', true],
    ['http://www.binance.com/', false],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['smb://www.binance.com/share', false],
    ['https://binance.com.evil.example/', false],
    ['https://www.binance.com@evil.example/', false],
    ['https://user:pw@www.binance.com/', false],
    ['https://www.binance.com:8443/', false],
    ['https://evil.example/?https://www.binance.com', false],
    ['not a url', false],
  ])('%s -> %s', (url, expected) => {
    expect(isAllowedExternalUrl(url)).toBe(expected);
  });
});

describe('navigation', () => {
  const origins = appOrigins('http://localhost:5173/');
  it('allows the app origin and the dev server only', () => {
    expect(origins).toEqual([APP_ORIGIN, 'http://localhost:5173']);
    expect(isNavigationAllowed('app://perch/index.html#/settings', origins)).toBe(true);
    expect(isNavigationAllowed('http://localhost:5173/', origins)).toBe(true);
    expect(isNavigationAllowed('https://evil.example/', origins)).toBe(false);
    expect(isNavigationAllowed('app://perch.evil/', origins)).toBe(false);
    expect(isNavigationAllowed('file:///index.html', origins)).toBe(false);
    expect(isNavigationAllowed('about:blank', origins)).toBe(false);
    expect(appOrigins(undefined)).toEqual([APP_ORIGIN]);
  });
});

function fakeContents() {
  const listeners = new Map<string, (...args: unknown[]) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  const contents = {
    on: (event: string, fn: (...args: unknown[]) => void) => {
      listeners.set(event, fn);
      return contents;
    },
    setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => {
      openHandler = fn;
    },
  };
  const fire = (event: string, url: string) => {
    const e = { preventDefault: vi.fn(), url };
    listeners.get(event)?.(event === 'will-frame-navigate' ? e : e, url);
    return e.preventDefault;
  };
  return { contents: contents as unknown as GuardedContents, fire, open: (url: string) => openHandler?.({ url }), listeners };
}

describe('webContents guards', () => {
  const setup = () => {
    const f = fakeContents();
    const openExternal = vi.fn();
    const onBlocked = vi.fn();
    applyWebContentsGuards(f.contents, { allowedOrigins: [APP_ORIGIN], openExternal, onBlocked });
    return { ...f, openExternal, onBlocked };
  };

  it.each(['will-navigate', 'will-redirect', 'will-frame-navigate'])(
    '%s away from the app is prevented, within the app is not',
    (event) => {
      const f = setup();
      expect(f.fire(event, 'https://evil.example/')).toHaveBeenCalledOnce();
      expect(f.fire(event, 'app://perch/index.html#/holdings')).not.toHaveBeenCalled();
      expect(f.onBlocked).toHaveBeenCalledOnce();
    },
  );

  it('<webview> can never attach', () => {
    const f = setup();
    expect(f.fire('will-attach-webview', '')).toHaveBeenCalledOnce();
  });

  it('window.open is always denied; only allow-listed https goes to the system browser', () => {
    const f = setup();
    for (const url of ['https://www.binance.com/en', 'https://evil.example/', 'javascript:alert(1)', 'app://perch/index.html']) {
      expect(f.open(url)).toEqual({ action: 'deny' });
    }
    expect(f.openExternal.mock.calls).toEqual([['https://www.binance.com/en']]);
  });

  it('openExternalSafely refuses what the allow-list refuses', () => {
    const open = vi.fn();
    expect(openExternalSafely('https://evil.example', open)).toBe(false);
    expect(openExternalSafely('https://github.com/', open)).toBe(true);
    expect(open.mock.calls).toEqual([['https://github.com/']]);
  });
});

describe('session hardening', () => {
  const setup = () => {
    const s = {
      request: undefined as undefined | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
      check: undefined as undefined | ((wc: unknown, p: string) => boolean),
      device: undefined as undefined | (() => boolean),
      headers: undefined as
        | undefined
        | ((
            d: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> },
            cb: (r: { responseHeaders: Record<string, string[]> }) => void,
          ) => void),
    };
    const session = {
      setPermissionRequestHandler: (fn: typeof s.request) => {
        s.request = fn;
      },
      setPermissionCheckHandler: (fn: typeof s.check) => {
        s.check = fn;
      },
      setDevicePermissionHandler: (fn: typeof s.device) => {
        s.device = fn;
      },
      webRequest: {
        onHeadersReceived: (fn: typeof s.headers) => {
          s.headers = fn;
        },
      },
    };
    hardenSession(session as unknown as GuardedSession);
    return s;
  };

  it.each([
    'notifications',
    'media',
    'geolocation',
    'clipboard-read',
    'clipboard-sanitized-write',
    'openExternal',
    'fullscreen',
    'hid',
    'serial',
    'unknown-future-permission',
  ])('denies %s on request and on check', (permission) => {
    const s = setup();
    const cb = vi.fn();
    s.request?.({}, permission, cb);
    expect(cb).toHaveBeenCalledWith(false);
    expect(s.check?.({}, permission)).toBe(false);
    expect(s.device?.()).toBe(false);
  });

  it('adds the CSP header to main-frame responses that are not the local dev server', () => {
    const s = setup();
    const cb = vi.fn();
    s.headers?.({ url: 'app://perch/index.html', resourceType: 'mainFrame', responseHeaders: { a: ['b'] } }, cb);
    expect(cb).toHaveBeenCalledWith({ responseHeaders: { a: ['b'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    const cb2 = vi.fn();
    s.headers?.({ url: 'http://localhost:5173/', resourceType: 'mainFrame' }, cb2);
    expect(cb2).toHaveBeenCalledWith({ responseHeaders: {} });
  });
});

describe('CSP', () => {
  it('script-src is self only, nothing inline or eval; objects, base and forms are off', () => {
    const csp = parseCsp(CONTENT_SECURITY_POLICY);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
  });
});
