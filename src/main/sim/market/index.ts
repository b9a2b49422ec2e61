/**
 * The market part of the simulator: symbol catalogue, seeded price model with kline history,
 * market data REST routes and the market stream WebSocket server.
 */
export { createMarket } from './model';
export type { SimMarket, KlineQuery, MiniTicker24h } from './model';
export { marketRoutes } from './routes';
export { createStreamServer, parseStreamName, MAX_STREAMS_PER_CONNECTION, MAX_INCOMING_PER_SECOND } from './streams';
export type { StreamServer, StreamServerOptions } from './streams';
export { buildCatalogue, BRIDGE_ASSET, BRIDGE_ASSETS, NO_MARKET_ASSET, RATE_LIMITS, EXCHANGE_FILTERS } from './symbols';
export type { MarketSymbol } from './symbols';
export { KLINE_INTERVALS } from './intervals';
