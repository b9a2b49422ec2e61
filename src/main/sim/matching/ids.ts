/**
 * Order, trade and order-list ids. Binance ids are 64-bit; with faults.state.bigIds the next
 * ids jump above 2^53 so a client that parses them as JS numbers loses precision visibly.
 */
import type { FaultsState } from '../types';

/** First id handed out once bigIds is set: 2^53 + 1, not representable as a double. */
export const BIG_ID_BASE = 9007199254740993n;

export interface IdSource {
  nextOrderId(): bigint;
  nextTradeId(): bigint;
  nextOrderListId(): bigint;
}

export function createIds(faults: { readonly state: Pick<FaultsState, 'bigIds'> }): IdSource {
  const counter = (start: bigint) => {
    let last = start - 1n;
    return (): bigint => {
      // Ids only ever increase: switching bigIds off again continues above the big range.
      if (faults.state.bigIds && last < BIG_ID_BASE - 1n) last = BIG_ID_BASE - 1n;
      last += 1n;
      return last;
    };
  };
  return { nextOrderId: counter(1n), nextTradeId: counter(1n), nextOrderListId: counter(1n) };
}
