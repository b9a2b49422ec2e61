/**
 * The /sapi listings a spot client reads on its way to spot data, served as Binance serves them,
 * so a third-party client that loads them by default (ccxt's binance loadMarkets with a key: the
 * margin pair lists and, for currencies, the coin list) keeps working against the simulator:
 *
 * - GET /sapi/v1/margin/allPairs (MARKET_DATA: API key, no signature; weight 1): cross-margin pairs
 * - GET /sapi/v1/margin/isolated/allPairs (USER_DATA; weight 10): isolated-margin pairs
 * - GET /sapi/v1/capital/config/getall (USER_DATA; weight 10): every coin with the key's balances
 *
 * The simulator has no margin trading, deposits or withdrawals: the pair lists are the symbols
 * whose exchangeInfo says isMarginTradingAllowed (as on Binance, the two lists agree with it),
 * and every coin says deposits and withdrawals are off, with no networks.
 * Field sets from the Binance OpenAPI spec (Margin: allPairs, isolated/allPairs; Wallet: capital/config/getall).
 */
import { createHash } from 'node:crypto';
import { errors } from '../errors';
import type { AccountsModel, MarketModel, RestRoute, SymbolInfo } from '../types';

export interface SapiListingDeps {
  readonly market: MarketModel;
  readonly accounts: Pick<AccountsModel, 'balances'>;
}

interface MarginPair {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly isMarginTrade: boolean;
  readonly isBuyAllowed: boolean;
  readonly isSellAllowed: boolean;
}

function isMarginSymbol(s: SymbolInfo): boolean {
  const m = s as SymbolInfo & { isMarginTradingAllowed?: boolean };
  return m.isMarginTradingAllowed ?? s.permissionSets.some((set) => set.includes('MARGIN'));
}

/** Binance's cross-margin pair ids are large stable integers; a hash of the symbol stands in (below 2^53). */
function pairId(symbol: string): number {
  return Number.parseInt(createHash('sha256').update(symbol).digest('hex').slice(0, 13), 16);
}

function marginPairs(market: MarketModel, symbol: string | undefined): MarginPair[] {
  let list = market.symbols().filter(isMarginSymbol);
  if (symbol !== undefined) {
    // an unknown symbol, or one without margin, is refused like any unknown symbol
    list = list.filter((s) => s.symbol === symbol);
    if (list.length === 0) throw errors.badSymbol();
  }
  return list.map((s) => {
    const trading = s.status === 'TRADING';
    return {
      symbol: s.symbol,
      base: s.baseAsset,
      quote: s.quoteAsset,
      isMarginTrade: trading,
      isBuyAllowed: trading,
      isSellAllowed: trading,
    };
  });
}

export function sapiListingRoutes(deps: SapiListingDeps): RestRoute[] {
  const { market, accounts } = deps;
  return [
    {
      method: 'GET',
      path: '/sapi/v1/margin/allPairs',
      security: 'MARKET_DATA',
      weight: 1,
      sapi: true,
      params: ['symbol'],
      handler: (req) =>
        marginPairs(market, req.params.symbol).map((p) => ({
          base: p.base,
          id: pairId(p.symbol),
          isBuyAllowed: p.isBuyAllowed,
          isMarginTrade: p.isMarginTrade,
          isSellAllowed: p.isSellAllowed,
          quote: p.quote,
          symbol: p.symbol,
        })),
    },
    {
      method: 'GET',
      path: '/sapi/v1/margin/isolated/allPairs',
      security: 'USER_DATA',
      weight: 10,
      sapi: true,
      params: ['symbol'],
      handler: (req) => marginPairs(market, req.params.symbol),
    },
    {
      method: 'GET',
      path: '/sapi/v1/capital/config/getall',
      security: 'USER_DATA',
      weight: 10,
      sapi: true,
      params: [],
      handler: (req) => {
        const key = req.key;
        if (key === undefined) throw errors.rejectedMbxKey();
        const held = new Map(accounts.balances(key.accountId).map((b) => [b.asset, b]));
        const coins = new Set<string>(held.keys());
        for (const s of market.symbols()) {
          coins.add(s.baseAsset);
          coins.add(s.quoteAsset);
        }
        return [...coins].sort().map((coin) => {
          const b = held.get(coin);
          return {
            coin,
            depositAllEnable: false,
            withdrawAllEnable: false,
            name: coin,
            free: b?.free ?? '0',
            locked: b?.locked ?? '0',
            freeze: '0',
            withdrawing: '0',
            ipoing: '0',
            ipoable: '0',
            storage: '0',
            isLegalMoney: false,
            trading: true,
            networkList: [],
          };
        });
      },
    },
  ];
}
