/**
 * Channel names, and nothing else: the sandboxed preload bundles this file, so it must stay
 * free of imports. Commands are `domain:verb` (renderer -> main, request/response); events are
 * `domain:noun` (main -> renderer). contract.ts maps each name to its schemas.
 */
/** The orders feature's names (orders-contract.ts maps them to schemas). */
export const ORDER_COMMAND_NAMES = [
  'orders:listOpen',
  'orders:cancel',
  'orders:cancelAll',
  'orders:history',
  'orders:syncHistory',
  'orders:symbols',
  'orders:preflight',
  'orders:submit',
  'orders:outcome',
  'orders:watchMarket',
  'orders:unresolved',
] as const;

export const ORDER_EVENT_NAMES = ['orders:open', 'orders:outcome', 'orders:syncProgress', 'orders:market'] as const;

/** Alerts, watchlist and tray (alerts-contract.ts maps them to schemas). */
export const ALERT_COMMAND_NAMES = [
  'alerts:get',
  'alerts:create',
  'alerts:update',
  'alerts:delete',
  'alerts:setPaused',
  'alerts:check',
  'alerts:updateSettings',
  'alerts:pauseAll',
  'watchlist:get',
  'watchlist:set',
  'tray:get',
] as const;

export const ALERT_EVENT_NAMES = [
  'alerts:changed',
  'alerts:fired',
  'watchlist:changed',
  'tray:model',
  'notifications:shown',
  'app:openView',
] as const;
/** The P&L feature's names (pnl-contract.ts maps them to schemas). */
export const PNL_COMMAND_NAMES = [
  'pnl:overview',
  'pnl:trades',
  'pnl:asset',
  'pnl:sync',
  'pnl:cancelSync',
  'pnl:addSymbol',
  'pnl:exportCsv',
  'pnl:deposits',
  'pnl:setDepositCost',
  'pnl:saveCsv',
] as const;
export const PNL_EVENT_NAMES = ['pnl:syncProgress'] as const;

export const COMMAND_NAMES = [
  'app:getState',
  'app:openExternal',
  'app:dismissNotice',
  'settings:get',
  'settings:update',
  'keys:test',
  'keys:save',
  'keys:remove',
  'keys:generateEd25519',
  'keys:publicKey',
  'keys:health',
  'demo:reset',
  'portfolio:getSnapshot',
  ...ORDER_COMMAND_NAMES,
  ...ALERT_COMMAND_NAMES,
  ...PNL_COMMAND_NAMES,
] as const;

export const EVENT_NAMES = [
  'portfolio:snapshot',
  'status:connections',
  'settings:changed',
  'keys:changed',
  'app:notice',
  'app:menu',
  'app:heartbeat',
  ...ORDER_EVENT_NAMES,
  ...ALERT_EVENT_NAMES,
  ...PNL_EVENT_NAMES,
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}
