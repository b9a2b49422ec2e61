/**
 * The order a request names by id or by original client id (query, cancel, amend and
 * cancel-replace all name it this way, under their own parameter names).
 */
import { SimError } from '../errors';
import type { Engine } from './engine';
import type { SimOrder } from './model';
import { eitherMissing, longParam, origClientIdParam, type Params } from './params';

export function findOrder(
  engine: Pick<Engine, 'book'>,
  accountId: string,
  symbol: string,
  params: Params,
  idName = 'orderId',
  clientName = 'origClientOrderId',
): SimOrder | undefined {
  const orderId = longParam(params, idName);
  const orig = origClientIdParam(params, clientName);
  if (orderId === undefined && orig === undefined) throw eitherMissing(idName, clientName);
  const book = engine.book(accountId);
  if (orderId !== undefined) {
    const o = book.orders.get(orderId);
    if (!o || o.symbol !== symbol) return undefined;
    if (orig !== undefined && o.clientOrderId !== orig) throw new SimError(400, -2039, 'Client order ID is not correct for this order ID.');
    return o;
  }
  // By client id: the newest order that carried it (a client id may be reused once the first is done).
  let found: SimOrder | undefined;
  for (const o of book.orders.values()) {
    if (o.symbol === symbol && o.clientOrderId === orig && (!found || o.orderId > found.orderId)) found = o;
  }
  return found;
}
