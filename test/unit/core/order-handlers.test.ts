/**
 * The orders commands throw what the orders service throws; the command router is the one place
 * that turns it into the public error the page reads (the Electron main and the web host pass it
 * toAppError). Seam: createOrderHandlers + createCommandRouter, with a stand-in orders feature.
 */
import { describe, expect, it } from 'vitest';
import { createOrderHandlers } from '../../../src/main/core/order-handlers';
import { toAppError } from '../../../src/main/core/errors';
import type { SessionOrders } from '../../../src/main/core/session-orders';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { createCommandRouter, type CommandHandlers } from '../../../src/main/ipc/command-router';
import { openDatabase } from '../../../src/main/storage/database';
import { memorySettings, testSender } from './fakes';

function ordersThrowing(error: unknown): SessionOrders {
  const fail = async (): Promise<never> => {
    throw error;
  };
  // Only what the listOpen path reads: readiness and the service's handler.
  return {
    isReady: () => true,
    watch: () => undefined,
    service: { handlers: { 'orders:listOpen': fail } },
  } as unknown as SessionOrders;
}

function routerFor(orders: SessionOrders, mapped: boolean) {
  const db = openDatabase(':memory:');
  const { handlers } = createOrderHandlers({
    ports: { settings: memorySettings({ environment: 'demo' }) },
    now: Date.now,
    sessions: { orders: () => orders, idleReason: () => null, ownedInBackground: () => false, unresolvedOrders: () => [] },
    database: () => db,
  });
  return createCommandRouter({
    handlers: handlers as Partial<CommandHandlers> as CommandHandlers,
    isTrustedSender: () => true,
    ...(mapped ? { toPublicError: (e: unknown) => toAppError(e, { redact: (t) => t.replace('SECRET', '[redacted]') }) } : {}),
  });
}

describe('orders commands: errors become public in the router', () => {
  const rateLimited = new ExchangeError({
    kind: 'rate-limited',
    message: 'Binance asks Perch to slow down (SECRET); try again in a minute.',
  });

  it("an exchange error of the orders service reaches the page with its code and words (redacted by the router's mapping)", async () => {
    const r = await routerFor(ordersThrowing(rateLimited), true).dispatch('orders:listOpen', {}, testSender.sender);
    expect(r).toEqual({
      ok: false,
      error: { code: 'rate-limited', message: 'Binance asks Perch to slow down ([redacted]); try again in a minute.' },
    });
  });

  it("the handler itself does not map it: without the router's mapping it is an internal error", async () => {
    const r = await routerFor(ordersThrowing(rateLimited), false).dispatch('orders:listOpen', {}, testSender.sender);
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
