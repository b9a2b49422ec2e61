/**
 * What the simulator does not serve of Binance's documented spot API (/api/v3 REST and the
 * WebSocket API), and why. Everything documented and not listed here is served; a test checks
 * both directions against the list of documented endpoints kept with the test fixtures.
 */

export const REST_NOT_SERVED: Readonly<Record<string, string>> = {
  'POST /api/v3/orderList/opo': 'the matching engine has no one-pays-the-other lists',
  'POST /api/v3/orderList/opoco': 'the matching engine has no one-pays-the-other lists',
  'POST /api/v3/sor/order': 'no smart order routing: the simulator has one book per symbol',
  'POST /api/v3/sor/order/test': 'no smart order routing: the simulator has one book per symbol',
};

export const WS_API_NOT_SERVED: Readonly<Record<string, string>> = {
  'orderList.place.opo': REST_NOT_SERVED['POST /api/v3/orderList/opo']!,
  'orderList.place.opoco': REST_NOT_SERVED['POST /api/v3/orderList/opoco']!,
  'sor.order.place': REST_NOT_SERVED['POST /api/v3/sor/order']!,
  'sor.order.test': REST_NOT_SERVED['POST /api/v3/sor/order/test']!,
};
