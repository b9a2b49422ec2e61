/**
 * Before a session is connected the P&L commands answer "not available, still connecting" (a
 * public error the page shows as it is), not an internal error. Seam: createPnlHandlers.
 */
import { describe, expect, it } from 'vitest';
import { createPnlHandlers } from '../../../src/main/core/pnl-handlers';
import { AppError } from '../../../src/shared/ipc/result';

describe('P&L commands before a session is connected', () => {
  it('answer not-available with the reason a person reads', async () => {
    const handlers = createPnlHandlers({ pnl: () => null, ports: {} });
    const err: unknown = await Promise.resolve()
      .then(() => handlers['pnl:overview']({} as never, {} as never))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('not-available');
    expect((err as AppError).message).toMatch(/still connecting/);
  });
});
