/**
 * Waits until `cond` holds, checking every `everyMs`; fails with "timed out waiting for <what>"
 * after `timeoutMs`. For tests over real sockets and timers, where the moment something
 * happens is not known in advance (the timeout is a ceiling, not a timing).
 */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, everyMs = 10): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
