import type { HistorySyncProgress } from '../../../src/shared/domain/pnl';
// Sample inputs and outputs for every command: a missing command is a type error here too.
import type { CommandName } from '../../../src/shared/ipc/channels';
import type { CommandInputArg, CommandOutput } from '../../../src/shared/ipc/contract';
import { defaultSettings, type ConnectionsStatus, type KeyHealth, type KeyInfo, type PortfolioSnapshot } from '../../../src/shared/domain';
import type { ConfirmedOrder, OrderOutcomeView, OrderView, SyncProgress } from '../../../src/shared/domain/orders';

export const SECRET = 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tAbCd';
export const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';

export const keyInfo: KeyInfo = { environment: 'testnet', apiKeyMasked: 'vmPU…Eh8A', type: 'HMAC', publicKeyPem: null, savedAt: 1 };
export const keyHealth: KeyHealth = {
  environment: 'testnet', type: 'HMAC', reading: true, spotTrading: true, withdrawals: null, ipRestricted: null,
  createdAt: null, tradingAuthorityExpiresAt: null, warnings: [], checkedAt: 5,
};
export const snapshot: PortfolioSnapshot = {
  environment: 'demo', seq: 3, quote: 'USDT', total: '100.5', total24hChange: '-1.5', total24hChangePct: '-1.47', asOf: 10,
  freshness: { state: 'live', since: 1 },
  holdings: [{ asset: 'BTC', free: '0.001', locked: '0', total: '0.001', price: '100500', value: '100.5', change24hPct: '-1.47', share: '100', priceRoute: 'direct' }],
};
export const status: ConnectionsStatus = {
  environment: 'demo', weightUsed: 12, weightLimit: 6000, clockOffsetMs: -3, asOf: 10,
  connections: [{ id: 'market', state: 'live', lastMessageAt: 9, reconnects: 0, lastError: null }],
};

export const confirmedOrder: ConfirmedOrder = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '50000', timeInForce: 'GTC' };
export const orderView: OrderView = {
  symbol: 'BTCUSDT', orderId: '18446744073709551615', clientOrderId: 'perch-1', orderListId: '-1', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC',
  price: '50000', stopPrice: '0', origQty: '0.001', executedQty: '0', cumulativeQuoteQty: '0', status: 'NEW', time: 1, updateTime: 1,
};
export const outcome: OrderOutcomeView = {
  clientOrderId: 'perch-1', kind: 'order', symbol: 'BTCUSDT', status: 'accepted', message: 'Binance accepted the order; it is open.',
  binanceCode: null, binanceMessage: null, orders: [orderView], orderListId: null, corrected: false, at: 2,
};
export const syncProgress: SyncProgress = {
  running: false, done: 1, total: 1, symbol: null, weightCost: 20, weightUsed: 40, ordersAdded: 1, fillsAdded: 0, error: null,
};

export const pnlSync: HistorySyncProgress = {
  phase: 'done', symbolsDone: 3, symbolsTotal: 3, symbol: null, tradesFound: 10, weightCost: 60, weightUsed: 60, weightLimit: 6000,
  etaMs: 0, pausedUntil: null, firstSyncDone: true, lastSyncedAt: 5, transfers: 'synced', error: null,
};

export const validInputs: { [C in CommandName]: CommandInputArg<C> } = {
  'app:getState': undefined,
  'app:openExternal': { url: 'https://www.binance.com/en/my/settings/api-management' },
  'app:dismissNotice': { id: 'n1' },
  'settings:get': {},
  'settings:update': { theme: 'dark', smallBalanceThreshold: '0.5' },
  'keys:test': { environment: 'testnet', material: { kind: 'hmac', apiKey: API_KEY, secret: SECRET } },
  'keys:save': { environment: 'testnet', material: { kind: 'hmac', apiKey: API_KEY, secret: SECRET }, acceptWithdrawalRisk: false },
  'keys:remove': { environment: 'testnet' },
  'keys:generateEd25519': { environment: 'testnet' },
  'keys:publicKey': { environment: 'testnet' },
  'keys:health': { environment: 'production' },
  'demo:reset': undefined,
  'portfolio:getSnapshot': undefined,
  'orders:listOpen': { symbol: 'BTCUSDT' },
  'orders:cancel': { symbol: 'BTCUSDT', orderId: '18446744073709551615', confirmed: true },
  'orders:cancelAll': { symbol: 'BTCUSDT', confirmed: true },
  'orders:history': { symbol: 'BTCUSDT', limit: 50 },
  'orders:syncHistory': undefined,
  'orders:symbols': { query: 'btc' },
  'orders:preflight': { draft: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.0011', price: '50000.001' }, confirm: true },
  'orders:submit': { token: 'perch-1', order: confirmedOrder, confirmed: true },
  'orders:outcome': { clientOrderId: 'perch-1' },
  'orders:watchMarket': { symbol: null },
  'orders:unresolved': undefined,
  'alerts:get': {},
  'alerts:create': { kind: 'price-above', symbol: 'BTCUSDT', level: '70000' },
  'alerts:update': { id: 'r1', rule: { kind: 'price-below', symbol: 'BTCUSDT', level: '60000', note: 'n' } },
  'alerts:delete': { id: 'r1' },
  'alerts:setPaused': { id: 'r1', paused: true },
  'alerts:check': { kind: 'price-above', symbol: 'BTCUSDT', level: '70000' },
  'alerts:updateSettings': { sound: false },
  'alerts:pauseAll': { until: '1h' },
  'watchlist:get': {},
  'watchlist:set': { symbols: ['ETHBTC', 'BNBUSDT'] },
  'tray:get': {},
  'pnl:overview': { method: 'fifo', range: '30d' },
  'pnl:trades': { asset: 'BTC', side: 'BUY', limit: 100 },
  'pnl:asset': { asset: 'BTC', method: 'average' },
  'pnl:sync': {},
  'pnl:cancelSync': undefined,
  'pnl:addSymbol': { symbol: 'DOGEUSDT' },
  'pnl:exportCsv': { kind: 'gains', method: 'fifo' },
  'pnl:deposits': undefined,
  'pnl:saveCsv': { kind: 'trades', method: 'average' },
  'pnl:setDepositCost': { id: '123', cost: { kind: 'entered', total: '250.5' } },
};

/** Inputs that must be rejected before any handler runs (wrong type, bad value or extra key). */
export const invalidInputs: { [C in CommandName]: unknown[] } = {
  'app:getState': ['x', { extra: true }],
  'app:openExternal': [{}, { url: 5 }, { url: 'https://binance.com', extra: 1 }],
  'app:dismissNotice': [{}, { id: '' }],
  'settings:get': [[], { a: 1 }],
  'settings:update': [{ theme: 'neon' }, { smallBalanceThreshold: 0.5 }, { unknownSetting: true }, null, { smallBalanceThreshold: '1'.repeat(41) }],
  'keys:test': [
    { environment: 'testnet' },
    { environment: 'testnet', material: { kind: 'hmac', apiKey: API_KEY } },
    { environment: 'moon', material: { kind: 'hmac', apiKey: API_KEY, secret: SECRET } },
    { environment: 'testnet', material: { kind: 'hmac', apiKey: API_KEY, secret: SECRET }, extra: 1 },
  ],
  'keys:save': [{ environment: 'testnet', material: { kind: 'rsa', apiKey: API_KEY, privateKeyPem: SECRET } }, { environment: 'testnet', material: null }],
  'keys:remove': [{}, { environment: 'prod' }],
  'keys:generateEd25519': [{}, { environment: 'testnet', privateKeyPem: 'x' }],
  'keys:publicKey': [{}, { environment: 'mainnet' }],
  'keys:health': [{ environment: 1 }],
  'demo:reset': [{ hard: true }],
  'portfolio:getSnapshot': [{ quote: 'BTC' }],
  'orders:listOpen': [{ symbol: 'btcusdt' }, 'BTCUSDT'],
  'orders:cancel': [{ symbol: 'BTCUSDT', orderId: '1' }, { symbol: 'BTCUSDT', orderId: '1', confirmed: false }, { symbol: 'BTCUSDT', orderId: 1, confirmed: true }, { symbol: 'BTCUSDT', orderId: '-7', confirmed: true }],
  'orders:cancelAll': [{ symbol: 'BTCUSDT' }, { symbol: 'BTCUSDT', confirmed: 'yes' }],
  'orders:history': [{}, { symbol: 'BTCUSDT', limit: 501 }, { symbol: 'BTCUSDT', beforeOrderId: 'abc' }, { symbol: 'BTCUSDT', beforeOrderId: '-1' }],
  'orders:syncHistory': [{ symbols: 'BTCUSDT' }],
  'orders:symbols': [{}, { query: 'x'.repeat(31) }],
  'orders:preflight': [{ draft: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: 0.001 } }, { draft: { symbol: 'BTCUSDT', side: 'HOLD', type: 'LIMIT' } }],
  'orders:submit': [
    { token: 'perch-1', order: confirmedOrder },
    { token: 'perch-1', order: confirmedOrder, confirmed: false },
    { token: 'perch-1', order: { ...confirmedOrder, quantity: '1e-3' }, confirmed: true },
    { token: 'perch 1', order: confirmedOrder, confirmed: true },
  ],
  'orders:outcome': [{}, { clientOrderId: '' }],
  'orders:watchMarket': [{}, { symbol: 'btc/usdt' }],
  'orders:unresolved': [{ environment: 'demo' }, 'all'],
  'alerts:get': [{ x: 1 }],
  'alerts:create': [{}, { kind: 'price-above', symbol: 'BTCUSDT', level: '-1' }, { kind: 'price-above', symbol: 'BTCUSDT', level: '0' }, { kind: 'price-above', symbol: 'BTCUSDT', level: '1', note: 'x'.repeat(201) }],
  'alerts:update': [{ id: 'r1' }, { id: 'x'.repeat(65), rule: { kind: 'price-above', symbol: 'BTCUSDT', level: '1' } }],
  'alerts:delete': [{}, { id: '' }],
  'alerts:setPaused': [{ id: 'r1' }],
  'alerts:check': [{ kind: 'nope', symbol: 'BTCUSDT', level: '1' }],
  'alerts:updateSettings': [{ quietHours: { enabled: true, start: 1440, end: 0 } }, { unknown: true }],
  'alerts:pauseAll': [{ until: 'forever' }],
  'watchlist:get': [{ a: 1 }],
  'watchlist:set': [{ symbols: ['btc usdt'] }, { symbols: Array.from({ length: 51 }, (_, i) => `S${i}`) }],
  'tray:get': [{ a: 1 }],
  'pnl:overview': [{}, { method: 'lifo', range: '30d' }, { method: 'fifo', range: '2y' }],
  'pnl:trades': [{ asset: 'btc' }, { limit: 5000 }, { side: 'HOLD' }],
  'pnl:asset': [{}, { asset: 'B'.repeat(21), method: 'fifo' }],
  'pnl:sync': [{ extra: 1 }],
  'pnl:cancelSync': [{ extra: 1 }],
  'pnl:addSymbol': [{}, { symbol: 'X'.repeat(41) }],
  'pnl:exportCsv': [{ kind: 'pdf', method: 'fifo' }, { kind: 'trades' }],
  'pnl:deposits': [{ extra: 1 }],
  'pnl:saveCsv': [{ kind: 'xls', method: 'average' }],
  'pnl:setDepositCost': [{ id: '1', cost: { kind: 'entered', total: '-5' } }, { id: '1', cost: { kind: 'guess' } }, { id: '', cost: { kind: 'market' } }],
};

export const sampleOutputs: { [C in CommandName]: CommandOutput<C> } = {
  'app:getState': {
    version: '0.1.0', settings: defaultSettings(), demo: true, key: null, keys: [keyInfo],
    keychain: { state: 'available', message: null }, portfolio: snapshot, status, notices: [],
  },
  'app:openExternal': null,
  'app:dismissNotice': null,
  'settings:get': defaultSettings(),
  'settings:update': { ...defaultSettings(), theme: 'dark' },
  'keys:test': keyHealth,
  'keys:save': keyInfo,
  'keys:remove': { removed: true },
  'keys:generateEd25519': { publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n' },
  'keys:health': keyHealth,
  'keys:publicKey': { publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n', saved: false },
  'demo:reset': { resetAt: 42, canceledOrders: 2 },
  'portfolio:getSnapshot': snapshot,
  'orders:listOpen': { orders: [orderView], lists: [], asOf: 3 },
  'orders:cancel': { status: 'canceled', message: 'Canceled.' },
  'orders:cancelAll': { status: 'done', message: 'Canceled 1 order on BTCUSDT.', canceled: 1, stillOpen: 0 },
  'orders:history': { symbol: 'BTCUSDT', orders: [orderView], fills: [], nextBeforeOrderId: null, lastSyncedAt: 4 },
  'orders:syncHistory': syncProgress,
  'orders:symbols': [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT' }],
  'orders:preflight': {
    ok: false, disabledReason: 'Trading is switched off in Settings (read-only mode).', rules: null, market: null, order: null,
    issues: [], warnings: [], estimate: null, available: null, presets: [], confirmation: null,
  },
  'orders:submit': outcome,
  'orders:outcome': null,
  'orders:watchMarket': { bid: '49999.99', ask: '50000.01', last: '50000', at: 5 },
  'orders:unresolved': [{ clientOrderId: 'perch-1', environment: 'testnet', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', status: 'unknown', at: 5, checkedInBackground: true }],
  'alerts:get': { rules: [{ id: 'r1', environment: 'demo' as const, kind: 'price-above' as const, symbol: 'BTCUSDT', level: '70000', direction: 'either' as const, windowMs: 3600000, repeat: false, cooldownMs: 0, rearmPercent: '0.5', note: '', paused: false, createdAt: 1, done: false, lastFiredAt: null }], settings: { notifications: true, sound: true, quietHours: { enabled: false, start: 1320, end: 420 }, trayShows: 'holdings' as const, pausedUntil: null }, log: [] },
  'alerts:create': { id: 'r1', environment: 'demo' as const, kind: 'price-above' as const, symbol: 'BTCUSDT', level: '70000', direction: 'either' as const, windowMs: 3600000, repeat: false, cooldownMs: 0, rearmPercent: '0.5', note: '', paused: false, createdAt: 1, done: false, lastFiredAt: null },
  'alerts:update': { id: 'r1', environment: 'demo' as const, kind: 'price-above' as const, symbol: 'BTCUSDT', level: '70000', direction: 'either' as const, windowMs: 3600000, repeat: false, cooldownMs: 0, rearmPercent: '0.5', note: '', paused: false, createdAt: 1, done: false, lastFiredAt: null },
  'alerts:delete': { removed: true },
  'alerts:setPaused': { id: 'r1', environment: 'demo' as const, kind: 'price-above' as const, symbol: 'BTCUSDT', level: '70000', direction: 'either' as const, windowMs: 3600000, repeat: false, cooldownMs: 0, rearmPercent: '0.5', note: '', paused: false, createdAt: 1, done: false, lastFiredAt: null },
  'alerts:check': { wouldFireNow: false, last: '69000' },
  'alerts:updateSettings': { notifications: true, sound: true, quietHours: { enabled: false, start: 1320, end: 420 }, trayShows: 'holdings' as const, pausedUntil: null },
  'alerts:pauseAll': { notifications: true, sound: true, quietHours: { enabled: false, start: 1320, end: 420 }, trayShows: 'holdings' as const, pausedUntil: null },
  'watchlist:get': [{ symbol: 'ETHBTC', last: '0.05', changePercent: '1.2', stale: false }],
  'watchlist:set': [],
  'tray:get': { tooltip: 'Perch', title: '', items: [{ id: 'quit', label: 'Quit Perch', enabled: true }], asOf: 1 },
  'pnl:overview': { summary: null, sync: pnlSync, series: [{ t: 1, value: '10', pnl: null }], daily: [], message: 'Reading your history…' },
  'pnl:trades': { rows: [], total: 0 },
  'pnl:asset': { asset: 'BTC', symbol: 'BTCUSDT', candles: [], fills: [], averageCost: [] },
  'pnl:sync': pnlSync,
  'pnl:cancelSync': pnlSync,
  'pnl:addSymbol': { added: true, message: 'DOGEUSDT is covered from now on.' },
  'pnl:exportCsv': { filename: 'perch-gains.csv', csv: 'a,b\n' },
  'pnl:deposits': { quote: 'USDT', rows: [{ id: '1', time: 5, asset: 'BTC', amount: '0.25', cost: { kind: 'unknown' }, valueAtDeposit: '15000' }] },
  'pnl:setDepositCost': { saved: true },
  'pnl:saveCsv': { status: 'unavailable', path: null },
};
