/**
 * The funded demo account (issue 2): at least 10,000 USDT, some BTC, ETH and BNB, a little of
 * an asset reachable only through a BTC pair, and one asset with no market at all. The asset
 * names must match the MARKET catalogue (src/main/sim/market/symbols.ts).
 */
export const DEMO_ACCOUNT_ID = 'demo';

/** Asset only tradable against BTC in the catalogue (value reaches USDT through BTC). */
export const DEMO_BRIDGE_ASSET = 'XMR';
/** Asset with no symbol at all (valued at nothing, shown as "no market"). */
export const DEMO_NO_MARKET_ASSET = 'LOCKED';

export function demoAccountBalances(): Record<string, string> {
  return {
    USDT: '12500.00000000',
    BTC: '0.25000000',
    ETH: '3.50000000',
    BNB: '12.00000000',
    [DEMO_BRIDGE_ASSET]: '4.20000000',
    [DEMO_NO_MARKET_ASSET]: '150.00000000',
  };
}
