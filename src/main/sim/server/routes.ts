/**
 * REST routes the server part owns: GET /sapi/v1/account/apiRestrictions (per key).
 * Field set from BINANCE-FACTS.md §7.5 (Wallet OpenAPI: account-api).
 */
import { errors } from '../errors';
import type { RestRoute } from '../types';

export function serverRoutes(): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/sapi/v1/account/apiRestrictions',
      security: 'USER_DATA',
      weight: 1,
      sapi: true,
      params: [],
      handler: (req) => {
        const key = req.key;
        if (key === undefined) throw errors.rejectedMbxKey();
        const p = key.permissions;
        return {
          ipRestrict: p.ipRestrict,
          createTime: key.createdAt,
          enableInternalTransfer: false,
          enableFutures: false,
          enablePortfolioMarginTrading: false,
          enableVanillaOptions: false,
          permitsUniversalTransfer: false,
          enableReading: p.reading,
          enableSpotAndMarginTrading: p.spotTrading,
          enableWithdrawals: p.withdrawals,
          enableMargin: false,
          enableFixApiTrade: false,
          enableFixReadOnly: false,
        };
      },
    },
  ];
}
