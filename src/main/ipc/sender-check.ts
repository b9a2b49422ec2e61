import type { CommandSender } from './command-router';

/**
 * True when the sending frame belongs to the app's own origin (compared as parsed origins, never
 * by string prefix: "app://bundle.evil" must not pass for "app://bundle"), and, for Electron,
 * when the webContents is one of the app's windows.
 */
export function createOriginSenderCheck(options: {
  readonly allowedOrigins: readonly string[];
  readonly trustedWebContentsIds?: () => ReadonlySet<number>;
}): (sender: CommandSender) => boolean {
  const allowed = new Set(options.allowedOrigins.map(normalizeOrigin).filter((o): o is string => o !== null));
  return (sender) => {
    if (sender.frameUrl === null) return false;
    const origin = normalizeOrigin(sender.frameUrl);
    if (origin === null || !allowed.has(origin)) return false;
    if (options.trustedWebContentsIds && sender.transport === 'electron') {
      return sender.webContentsId !== null && options.trustedWebContentsIds().has(sender.webContentsId);
    }
    return true;
  };
}

/** scheme://host[:port], lower-cased; null for unparsable or opaque ("null") origins. */
export function normalizeOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.username || parsed.password) return null;
  if (!parsed.host) return null; // file:, data:, about: have no host: never trusted
  return `${parsed.protocol}//${parsed.host}`.toLowerCase();
}
