import type { OrderOutcomeView } from './orders';

/**
 * Settled: no longer waiting for the exchange's answer ('sending', or 'unknown' while Perch
 * looks the order up), so a definite result can be shown. Zod-free: main and the renderer both
 * use this one definition.
 */
export function isSettledStatus(status: OrderOutcomeView['status']): boolean {
  return status !== 'sending' && status !== 'unknown';
}
