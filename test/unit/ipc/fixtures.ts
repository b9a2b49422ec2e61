// Sample inputs and outputs for every command: a missing command is a type error here too.
import type { CommandName } from '../../../src/shared/ipc/channels';
import type { CommandInputArg, CommandOutput } from '../../../src/shared/ipc/contract';
import { defaultSettings, type ConnectionsStatus, type KeyHealth, type KeyInfo, type PortfolioSnapshot } from '../../../src/shared/domain';

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
  'keys:health': { environment: 'production' },
  'demo:reset': undefined,
  'portfolio:getSnapshot': undefined,
};

/** Inputs that must be rejected before any handler runs (wrong type, bad value or extra key). */
export const invalidInputs: { [C in CommandName]: unknown[] } = {
  'app:getState': ['x', { extra: true }],
  'app:openExternal': [{}, { url: 5 }, { url: 'https://binance.com', extra: 1 }],
  'app:dismissNotice': [{}, { id: '' }],
  'settings:get': [[], { a: 1 }],
  'settings:update': [{ theme: 'neon' }, { smallBalanceThreshold: 0.5 }, { unknownSetting: true }, null],
  'keys:test': [
    { environment: 'testnet' },
    { environment: 'testnet', material: { kind: 'hmac', apiKey: API_KEY } },
    { environment: 'moon', material: { kind: 'hmac', apiKey: API_KEY, secret: SECRET } },
    { environment: 'testnet', material: { kind: 'hmac', apiKey: API_KEY, secret: SECRET }, extra: 1 },
  ],
  'keys:save': [{ environment: 'testnet', material: { kind: 'rsa', apiKey: API_KEY, privateKeyPem: SECRET } }, { environment: 'testnet', material: null }],
  'keys:remove': [{}, { environment: 'prod' }],
  'keys:generateEd25519': [{}, { environment: 'testnet', privateKeyPem: 'x' }],
  'keys:health': [{ environment: 1 }],
  'demo:reset': [{ hard: true }],
  'portfolio:getSnapshot': [{ quote: 'BTC' }],
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
  'demo:reset': { resetAt: 42 },
  'portfolio:getSnapshot': snapshot,
};
