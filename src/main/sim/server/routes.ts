/**
 * REST routes the server part owns: GET /sapi/v1/account/apiRestrictions (per key).
 * Field set from Binance's Wallet API types (https://github.com/binance/binance-connector-js/tree/a9de9a99bb4e1bd796e1ccf96088514064cc0b7e/clients/wallet/src/rest-api/types).
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
