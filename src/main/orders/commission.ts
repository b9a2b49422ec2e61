/**
 * This account's commission per symbol (GET /api/v3/account/commission, weight 20), cached: rates
 * change rarely and pre-flight runs on every keystroke. A failed look-up is remembered briefly so
 * a broken endpoint is not hammered; pre-flight then assumes the standard rate.
 */
import { z } from 'zod';
import type { RestClient } from '../exchange/rest-client';
import { Decimal, dec, formatDecimal } from '../../shared/money';
import type { CommissionRates } from './preflight';

const Dec = z.string().regex(/^-?\d+(\.\d+)?$/);
const RatesSchema = z.object({ maker: Dec, taker: Dec, buyer: Dec, seller: Dec });
const CommissionSchema = z.object({
  symbol: z.string(),
  standardCommission: RatesSchema,
  taxCommission: RatesSchema.optional(),
  specialCommission: RatesSchema.optional(),
  discount: z
    .object({ enabledForAccount: z.boolean(), enabledForSymbol: z.boolean(), discountAsset: z.string(), discount: Dec })
    .partial()
    .optional(),
});
export type CommissionReply = z.infer<typeof CommissionSchema>;

export interface CommissionSource {
  /** Rates for this symbol and side; undefined when they cannot be read right now. */
  rates(symbol: string, side: 'BUY' | 'SELL'): Promise<CommissionRates | undefined>;
}

/** Binance charges standard + tax + special, each maker/taker plus the buyer/seller part. */
export function ratesFromReply(r: CommissionReply, side: 'BUY' | 'SELL'): CommissionRates {
  const parts = [r.standardCommission, r.taxCommission, r.specialCommission].filter(
    (p): p is z.infer<typeof RatesSchema> => p !== undefined,
  );
  const sum = (liq: 'maker' | 'taker'): string =>
    formatDecimal(parts.reduce((acc, p) => acc.plus(dec(p[liq])).plus(dec(side === 'BUY' ? p.buyer : p.seller)), new Decimal(0)));
  return {
    maker: sum('maker'),
    taker: sum('taker'),
    bnbDiscount: r.discount?.enabledForAccount === true && r.discount.enabledForSymbol === true,
  };
}

export function createCommissionSource(opts: {
  readonly rest: Pick<RestClient, 'request'>;
  readonly now?: () => number;
  readonly ttlMs?: number;
  readonly failureTtlMs?: number;
  readonly timeoutMs?: number;
}): CommissionSource {
  const now = opts.now ?? Date.now;
  const ttl = opts.ttlMs ?? 60 * 60_000;
  const failureTtl = opts.failureTtlMs ?? 60_000;
  const cache = new Map<string, { at: number; reply: CommissionReply | null; pending?: Promise<CommissionReply | null> }>();

  const load = (symbol: string): Promise<CommissionReply | null> => {
    const hit = cache.get(symbol);
    if (hit?.pending !== undefined) return hit.pending;
    if (hit !== undefined && now() - hit.at < (hit.reply === null ? failureTtl : ttl)) return Promise.resolve(hit.reply);
    const pending = opts.rest
      .request({
        method: 'GET',
        path: '/api/v3/account/commission',
        security: 'USER_DATA',
        weight: 20,
        priority: 'normal',
        params: { symbol },
        schema: CommissionSchema,
        timeoutMs: opts.timeoutMs ?? 5_000,
      })
      .then(
        (reply) => reply,
        () => null,
      )
      .then((reply) => {
        cache.set(symbol, { at: now(), reply });
        return reply;
      });
    cache.set(symbol, { at: hit?.at ?? 0, reply: hit?.reply ?? null, pending });
    return pending;
  };

  return {
    async rates(symbol, side) {
      const reply = await load(symbol);
      return reply === null ? undefined : ratesFromReply(reply, side);
    },
  };
}
