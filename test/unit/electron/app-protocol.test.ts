// Seam: the app:// resolver and handler with a fake protocol/net (no Electron).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, mimeTypeFor, registerAppProtocol, resolveAppRequest } from '../../../src/main/electron/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/security-policy';

const root = mkdtempSync(join(tmpdir(), 'perch-renderer-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><p>hi</p>');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveAppRequest', () => {
  it.each([
    ['app://perch/', join(root, 'index.html')],
    ['app://perch/index.html', join(root, 'index.html')],
    ['app://perch/assets/index-abc.js', join(root, 'assets/index-abc.js')],
    ['app://perch/assets/a%20b.js', join(root, 'assets/a b.js')],
    // the URL parser already normalises plain and %2e-encoded dot segments to the root
    ['app://perch/../secret.txt', join(root, 'secret.txt')],
    ['app://perch/%2e%2e/%2e%2e/etc/passwd', join(root, 'etc/passwd')],
  ])('%s -> inside root', (url, expected) => {
    expect(resolveAppRequest(url, root)).toBe(expected);
  });

  it.each([
    'app://perch/assets/..%2f..%2f..%2fetc%2fpasswd',
    'app://perch/..%5c..%5cwindows',
    'app://perch/a%00.js',
    'app://other/index.html',
    'https://perch/index.html',
    'app://perch/%E0%A4%A',
    'nonsense',
  ])('%s -> refused', (url) => {
    expect(resolveAppRequest(url, root)).toBeNull();
  });

  it('maps MIME types and registers a secure, standard scheme without CSP bypass', () => {
    expect(mimeTypeFor('x/index.HTML')).toMatch(/text\/html/);
    expect(mimeTypeFor('a.js')).toMatch(/javascript/);
    expect(mimeTypeFor('a.exe')).toBe('application/octet-stream');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true, bypassCSP: false });
  });
});

describe('registerAppProtocol', () => {
  let handler: ((req: Request) => Promise<Response>) | undefined;
  registerAppProtocol(
    {
      handle: ((_scheme: string, fn: (req: Request) => Promise<Response>) => {
        handler = fn;
      }) as never,
    },
    {
      fetch: (async (url: string) => {
        const { readFile } = await import('node:fs/promises');
        try {
          return new Response(await readFile(new URL(url)));
        } catch {
          return new Response('', { status: 404 });
        }
      }) as never,
    },
    root,
  );

  it('serves index.html with the CSP header and nosniff', async () => {
    const res = await handler!(new Request('app://perch/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<p>hi</p>');
  });

  it('404s traversal and missing files', async () => {
    expect((await handler!(new Request('app://perch/%2e%2e/%2e%2e/etc/passwd'))).status).toBe(404);
    expect((await handler!(new Request('app://perch/missing.js'))).status).toBe(404);
    expect(pathToFileURL(root).protocol).toBe('file:');
  });
});
