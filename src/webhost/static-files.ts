import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a request path onto a file inside `root`, or null when it would leave it (`..`, encoded
 * `%2e%2e`, backslashes, NUL). Decoding happens once, before the containment check.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const full = resolve(base, relative);
  if (full !== base && !full.startsWith(base + sep)) return null;
  return full;
}

export async function readStatic(root: string, urlPath: string): Promise<{ path: string; body: Buffer } | null> {
  const path = resolveStaticPath(root, urlPath);
  if (path === null) return null;
  try {
    return { path, body: await readFile(path) };
  } catch {
    return null;
  }
}

/**
 * Adds the bridge script to the built index.html (no secret: the bridge reads the token from the
 * URL fragment). The bridge is a classic script placed before the module entry, so `window.perch`
 * exists when the app starts; it is a same-origin file, which the CSP (`script-src 'self'`)
 * allows, never inline code.
 */
export function injectBridge(html: string): string {
  // the meta tag tells the renderer it runs in the web host (no tray or notification center:
  // it shows them in the page); it carries no credential
  const tags = `<meta name="perch-web-host" content="1">\n    <script src="/__perch/bridge.js"></script>\n`;
  const at = html.search(/<script\b/i);
  if (at >= 0) return `${html.slice(0, at)}${tags}    ${html.slice(at)}`;
  return html.replace(/<\/head>/i, `${tags}</head>`);
}
