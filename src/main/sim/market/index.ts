/**
 * The market part of the simulator: symbol catalogue, seeded price model with kline history,
 * market data REST routes and the market stream WebSocket server.
 */
export { createMarket } from './model';
export { marketRoutes } from './routes';
export { createStreamServer } from './streams';
export { BRIDGE_ASSET, NO_MARKET_ASSET } from './symbols';
