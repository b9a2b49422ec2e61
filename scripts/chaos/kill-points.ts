/** Where the crash-consistency runner may kill Perch's core (scripts/chaos/core-process.ts). */
export const KILL_POINTS = [
  /** Confirmed, about to write the intent to the journal: nothing may be sent. */
  'before-journal',
  /** The intent is journaled, the request not yet sent. */
  'after-journal',
  /** The order request (POST order / OCO) is on its way; the exchange may or may not act on it. */
  'post-in-flight',
  /** The exchange answered; the core dies before reading the answer or updating the journal. */
  'after-answer',
  /** The outcome is known in memory; the journal update is about to be written. */
  'before-journal-update',
  /** A cancel (DELETE) is on its way. */
  'cancel-in-flight',
  /** An order query (the reconciler after a restart, or a check after an unknown outcome). */
  'reconcile-query',
] as const;

export type KillPoint = (typeof KILL_POINTS)[number];

export interface KillPlan {
  readonly point: KillPoint;
  readonly count: number;
}

/** "post-in-flight:2" -> the second arrival at post-in-flight; '' -> no kill point. */
export function parseKillPlan(text: string): KillPlan | null {
  if (text === '') return null;
  const [name, n] = text.split(':');
  if (!(KILL_POINTS as readonly string[]).includes(name ?? '')) throw new Error(`unknown kill point ${text}`);
  const count = Number(n ?? '1');
  if (!Number.isInteger(count) || count < 1) throw new Error(`bad kill count in ${text}`);
  return { point: name as KillPoint, count };
}
