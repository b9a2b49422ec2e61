/**
 * POST /api/v3/order/cancelReplace (https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § Cancel an Existing Order and Send a
 * New Order): the engine's own cancel, then its own placement, with the documented outcomes:
 * 200 when both succeed; -2022 (400) when the cancel fails under STOP_ON_FAILURE or both fail;
 * -2021 (409) when one of the two fails. Filters of the new order are checked before anything
 * happens, as Binance does. orderRateLimitExceededMode=CANCEL_ONLY is accepted but the order
 * count is checked before the cancel, as with DO_NOTHING.
 */
import { SimError, errors } from '../errors';
import type { Faults, MarketModel, RestRoute } from '../types';
import { accountIdOf } from '../account/routes';
import type { Engine } from './engine';
import { isLive } from './model';
import { findOrder } from './find-order';
import { lookupSymbol, parseOrderRequest } from './order-input';
import { clientIdParam, enumParam } from './params';
import { cancelReply, orderReply } from './reports';
import { NEW_ORDER_PARAMS } from './routes';

/** A Binance error reply that carries a `data` object (cancel-replace outcomes). */
export class SimErrorWithData extends SimError {
  constructor(
    httpStatus: number,
    code: number,
    msg: string,
    readonly data: Readonly<Record<string, unknown>>,
  ) {
    super(httpStatus, code, msg);
  }
  override toJSON(): { code: number; msg: string; data: Readonly<Record<string, unknown>> } {
    return { code: this.code, msg: this.message, data: this.data };
  }
}

const CANCEL_PARAMS = [
  'cancelReplaceMode',
  'cancelNewClientOrderId',
  'cancelOrigClientOrderId',
  'cancelOrderId',
  'cancelRestrictions',
  'orderRateLimitExceededMode',
];

const failed = (data: Record<string, unknown>): SimError => new SimErrorWithData(400, -2022, 'Order cancel-replace failed.', data);
const partiallyFailed = (data: Record<string, unknown>): SimError =>
  new SimErrorWithData(409, -2021, 'Order cancel-replace partially failed.', data);
const asReply = (err: unknown): { code: number; msg: string } =>
  err instanceof SimError
    ? { code: err.code, msg: err.message }
    : { code: -1000, msg: 'An unknown error occurred while processing the request.' };

export function cancelReplaceRoute(deps: { market: MarketModel; faults: Faults; engine: Engine; newClientId: () => string }): RestRoute {
  const { market, engine } = deps;

  return {
    method: 'POST',
    path: '/api/v3/order/cancelReplace',
    security: 'TRADE',
    weight: 1,
    countsAsOrder: true,
    params: [...NEW_ORDER_PARAMS, ...CANCEL_PARAMS],
    handler(req) {
      const p = req.params;
      const accountId = accountIdOf(req);
      const info = lookupSymbol(market, p);
      if (p['cancelReplaceMode'] === undefined || p['cancelReplaceMode'] === '') throw errors.mandatoryParamMissing('cancelReplaceMode');
      const mode = enumParam(p, 'cancelReplaceMode', ['STOP_ON_FAILURE', 'ALLOW_FAILURE'] as const)!;
      enumParam(p, 'orderRateLimitExceededMode', ['DO_NOTHING', 'CANCEL_ONLY'] as const);
      const restriction = enumParam(
        p,
        'cancelRestrictions',
        ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const,
        () => new SimError(400, -1145, 'Invalid cancelRestrictions'),
      );
      const cancelId = clientIdParam(p, 'cancelNewClientOrderId') ?? deps.newClientId();
      const newParams: Record<string, string> = {};
      for (const name of NEW_ORDER_PARAMS) if (p[name] !== undefined) newParams[name] = p[name];
      const parsed = parseOrderRequest(market, newParams);
      // Filters (and the new order's own checks) are evaluated before the cancel.
      engine.place(accountId, parsed, true);
      const target = findOrder(engine, accountId, info.symbol, p, 'cancelOrderId', 'cancelOrigClientOrderId');

      let cancelResponse: Record<string, unknown> | undefined;
      let cancelError: { code: number; msg: string } | undefined;
      try {
        if (info.status !== 'TRADING' && info.status !== 'CANCEL_ONLY') throw errors.cancelRejected('Market is closed.');
        if (!target || !isLive(target)) throw errors.cancelRejected('Unknown order sent.');
        if (
          (restriction === 'ONLY_NEW' && target.status !== 'NEW') ||
          (restriction === 'ONLY_PARTIALLY_FILLED' && target.status !== 'PARTIALLY_FILLED')
        ) {
          throw errors.cancelRejected('Order was not canceled due to cancel restrictions.');
        }
        const { transactTime } = engine.cancel(accountId, target, cancelId);
        cancelResponse = cancelReply(target, cancelId, transactTime);
      } catch (err) {
        cancelError = asReply(err);
      }
      if (cancelError !== undefined && mode === 'STOP_ON_FAILURE') {
        throw failed({ cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED', cancelResponse: cancelError, newOrderResponse: null });
      }

      let newOrderResponse: Record<string, unknown> | undefined;
      let newError: { code: number; msg: string } | undefined;
      try {
        const r = engine.place(accountId, parsed, false);
        if (!r) throw errors.unknown();
        newOrderResponse = orderReply(r.order, r.transactTime, parsed.respType, r.fills);
      } catch (err) {
        newError = asReply(err);
      }
      const data = {
        cancelResult: cancelError ? 'FAILURE' : 'SUCCESS',
        newOrderResult: newError ? 'FAILURE' : 'SUCCESS',
        cancelResponse: cancelError ?? cancelResponse,
        newOrderResponse: newError ?? newOrderResponse,
      };
      if (cancelError && newError) throw failed(data);
      if (cancelError || newError) throw partiallyFailed(data);
      return data;
    },
  };
}
