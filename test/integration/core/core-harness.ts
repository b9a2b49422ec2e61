/**
 * Shared by the core integration tests: session tuning that makes heartbeats, staleness and
 * reconnects happen in seconds instead of minutes, and a polling wait (no fixed sleeps).
 */
export const FAST_SESSION_TUNING = {
  market: {
    staleAfterMs: 1_500,
    pingIntervalMs: 500,
    pongTimeoutMs: 1_000,
    dataSilenceLimitMs: 3_000,
    backoff: { baseMs: 100, capMs: 400 },
  },
  wsApi: { staleAfterMs: 1_500, pingIntervalMs: 500, pongTimeoutMs: 1_000, requestTimeoutMs: 5_000, backoff: { baseMs: 100, capMs: 400 } },
  bootBackoff: { baseMs: 100, capMs: 400 },
};

type Probe<T> = () => T | null | undefined | false | Promise<T | null | undefined | false>;

/** Polls until probe returns a value (not null/undefined/false), or fails naming what it waited for. */
export async function waitFor<T>(what: string, probe: Probe<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
