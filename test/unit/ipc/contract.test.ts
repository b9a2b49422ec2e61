// Seam: the shared IPC contract (schemas only, no transport).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMMAND_NAMES, EVENT_NAMES, isCommandName, isEventName } from '../../../src/shared/ipc/channels';
import { commands, events } from '../../../src/shared/ipc/contract';
import { ERROR_CODES } from '../../../src/shared/ipc/result';
import { ExchangeId } from '../../../src/shared/domain/orders';
import { idKey } from '../../../src/main/storage/orders-repository';
import { applyPortfolioEvent, defaultSettings, maskApiKey, type Holding, type PortfolioSnapshot } from '../../../src/shared/domain';

const commandKeys = Object.keys(commands).sort();
const eventKeys = Object.keys(events).sort();

describe('contract shape', () => {
  it('has exactly one schema entry per command name and per event name', () => {
    expect(commandKeys).toEqual([...COMMAND_NAMES].sort());
    expect(eventKeys).toEqual([...EVENT_NAMES].sort());
    expect(new Set(COMMAND_NAMES).size).toBe(COMMAND_NAMES.length);
  });

  it('names follow domain:verb / domain:noun', () => {
    for (const n of [...COMMAND_NAMES, ...EVENT_NAMES]) expect(n).toMatch(/^[a-z]+:[a-zA-Z0-9]+$/);
    expect(isCommandName('settings:get')).toBe(true);
    expect(isCommandName('settings:nope')).toBe(false);
    expect(isCommandName(42)).toBe(false);
    expect(isEventName('app:notice')).toBe(true);
    expect(isEventName('settings:get')).toBe(false);
  });

  // Runtime validation both ways is only real if neither schema accepts anything: a z.any() or
  // z.unknown() slipped into the contract would type-check and validate nothing.
  const NOT_A_MESSAGE = Symbol('no command takes or returns this');
  it.each(COMMAND_NAMES)('%s validates both ways: input and output refuse a value of no shape they describe', (name) => {
    expect(commands[name].input.safeParse(NOT_A_MESSAGE).success).toBe(false);
    expect(commands[name].output.safeParse(NOT_A_MESSAGE).success).toBe(false);
  });
  it.each(EVENT_NAMES)('%s payload refuses a value of no shape it describes', (name) => {
    expect(events[name].safeParse(NOT_A_MESSAGE).success).toBe(false);
  });
  it('control: a schema that validates nothing is caught by that check', () => {
    expect(z.unknown().safeParse(NOT_A_MESSAGE).success).toBe(true);
    expect(z.any().safeParse(NOT_A_MESSAGE).success).toBe(true);
  });

  it.each(COMMAND_NAMES)('%s input rejects unknown keys (strict)', (name) => {
    const res = commands[name].input.safeParse({ __extra: 1 });
    expect(res.success).toBe(false);
  });

  it('error codes are unique kebab-case strings', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const c of ERROR_CODES) expect(c).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
  });
});

/** Walks a zod schema's JSON Schema and collects every property name. */
function propertyNames(schema: z.ZodType): string[] {
  const names: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' && typeof v === 'object' && v !== null) names.push(...Object.keys(v));
      walk(v);
    }
  };
  walk(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }));
  return names;
}

describe('no secret crosses to the renderer', () => {
  const forbidden = /^(secret|apiSecret|privateKey|privateKeyPem|signature|password|apiKey)$/i;
  it.each(COMMAND_NAMES)('%s output has no key-material field', (name) => {
    expect(propertyNames(commands[name].output).filter((p) => forbidden.test(p))).toEqual([]);
  });
  it.each(EVENT_NAMES)('%s payload has no key-material field', (name) => {
    expect(propertyNames(events[name]).filter((p) => forbidden.test(p))).toEqual([]);
  });
  it('the walker does find key material in an input (it can fail)', () => {
    expect(propertyNames(commands['keys:save'].input)).toContain('secret');
  });
  it('masks API keys', () => {
    expect(maskApiKey('vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A')).toBe('vmPU…Eh8A');
    expect(maskApiKey('short')).toBe('…');
  });
});

/**
 * Walks a zod schema's JSON Schema (inputs and outputs) and returns the path of every string
 * that has no upper bound. A fixed set of values (enum, const) is bounded by itself.
 */
function unboundedStrings(schema: z.ZodType): string[] {
  const found: string[] = [];
  const walkIo = (io: 'input' | 'output'): void => {
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) {
        node.forEach((n, i) => walk(n, `${path}[${i}]`));
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      const types = Array.isArray(n['type']) ? n['type'] : [n['type']];
      if (types.includes('string') && n['enum'] === undefined && n['const'] === undefined && typeof n['maxLength'] !== 'number') {
        found.push(`${io}:${path || '(root)'}`);
      }
      for (const [k, v] of Object.entries(n))
        walk(v, k === 'properties' || k === 'items' || k === 'anyOf' || k === 'oneOf' ? path : `${path}.${k}`.replace(/^\./, ''));
      if (typeof n['properties'] === 'object' && n['properties'] !== null) {
        for (const [k, v] of Object.entries(n['properties'])) walk(v, path ? `${path}.${k}` : k);
      }
    };
    walk(z.toJSONSchema(schema, { unrepresentable: 'any', io }), '');
  };
  walkIo('input');
  walkIo('output');
  return [...new Set(found)];
}

describe('every string in the contract is bounded', () => {
  it.each(COMMAND_NAMES)('%s input and output', (name) => {
    expect(unboundedStrings(commands[name].input)).toEqual([]);
    expect(unboundedStrings(commands[name].output)).toEqual([]);
  });
  it.each(EVENT_NAMES)('%s payload', (name) => {
    expect(unboundedStrings(events[name])).toEqual([]);
  });
  it('the walker finds an unbounded string, nested or in a list (it can fail)', () => {
    expect(unboundedStrings(z.object({ a: z.object({ b: z.array(z.string()) }), c: z.string().max(3), d: z.enum(['x']) }))).not.toEqual([]);
    expect(unboundedStrings(z.object({ n: z.string().nullable() }))).not.toEqual([]);
    expect(unboundedStrings(z.object({ a: z.object({ b: z.array(z.string().max(9)) }), d: z.enum(['x']) }))).toEqual([]);
  });
  it('a 900,001-character threshold is refused; a long but real decimal is accepted', () => {
    const s = commands['settings:update'].input;
    expect(s.safeParse({ smallBalanceThreshold: '1'.repeat(900_001) }).success).toBe(false);
    expect(s.safeParse({ smallBalanceThreshold: `9${'0'.repeat(19)}.12345678` }).success).toBe(true);
  });
  it('exchange ids are never negative, in every command that takes one', () => {
    expect(commands['orders:cancel'].input.safeParse({ symbol: 'BTCUSDT', orderId: '-5', confirmed: true }).success).toBe(false);
    expect(commands['orders:cancel'].input.safeParse({ symbol: 'BTCUSDT', orderId: '5', confirmed: true }).success).toBe(true);
    expect(commands['orders:history'].input.safeParse({ symbol: 'BTCUSDT', beforeOrderId: '-1' }).success).toBe(false);
    expect(commands['orders:history'].input.safeParse({ symbol: 'BTCUSDT', beforeOrderId: '18446744073709551615' }).success).toBe(true);
  });
  it('the contract and the orders repository agree on what an exchange id is', () => {
    const samples = [
      '0',
      '1',
      '-1',
      '-42',
      '18446744073709551615',
      '1'.repeat(20),
      '1'.repeat(21),
      '',
      ' 1',
      '+1',
      '1.0',
      '1e3',
      '007',
      'abc',
    ];
    const repositoryTakes = (id: string): boolean => {
      try {
        idKey(id);
        return true;
      } catch {
        return false;
      }
    };
    for (const id of samples) expect([id, ExchangeId.safeParse(id).success]).toEqual([id, repositoryTakes(id)]);
    expect(ExchangeId.safeParse('-1').success).toBe(false);
  });
});

describe('input validation samples', () => {
  it('settings:update accepts a valid partial and rejects bad values', () => {
    const s = commands['settings:update'].input;
    expect(s.safeParse({ theme: 'dark' }).success).toBe(true);
    expect(s.safeParse({}).success).toBe(true);
    expect(s.safeParse({ theme: 'blue' }).success).toBe(false);
    expect(s.safeParse({ smallBalanceThreshold: '-1' }).success).toBe(false);
    expect(s.safeParse({ smallBalanceThreshold: 1 }).success).toBe(false);
    expect(s.safeParse({ smallBalanceThreshold: '1e5' }).success).toBe(false);
    expect(s.safeParse({ quoteCurrency: 'usdt' }).success).toBe(false);
    expect(s.safeParse({ environment: 'live' }).success).toBe(false);
  });

  it('keys:test takes a discriminated key material and rejects extras', () => {
    const s = commands['keys:test'].input;
    const apiKey = 'A'.repeat(64);
    expect(s.safeParse({ environment: 'testnet', material: { kind: 'hmac', apiKey, secret: 'b'.repeat(64) } }).success).toBe(true);
    expect(s.safeParse({ environment: 'testnet', material: { kind: 'ed25519-generated', apiKey } }).success).toBe(true);
    expect(s.safeParse({ environment: 'testnet', material: { kind: 'ed25519', apiKey, privateKeyPem: 'nope' } }).success).toBe(false);
    expect(s.safeParse({ environment: 'testnet', material: { kind: 'hmac', apiKey, secret: 'b'.repeat(64), extra: 1 } }).success).toBe(
      false,
    );
    expect(s.safeParse({ environment: 'mainnet', material: { kind: 'hmac', apiKey, secret: 'b'.repeat(64) } }).success).toBe(false);
  });

  it('no-input commands accept undefined and {} only', () => {
    const s = commands['settings:get'].input;
    expect(s.safeParse(undefined).success).toBe(true);
    expect(s.safeParse({}).success).toBe(true);
    expect(s.safeParse('x').success).toBe(false);
  });

  it('defaults are valid settings', () => {
    expect(commands['settings:get'].output.parse(defaultSettings())).toEqual(defaultSettings());
  });
});

describe('applyPortfolioEvent', () => {
  const h = (asset: string, total: string): Holding => ({
    asset,
    free: total,
    locked: '0',
    total,
    price: '1',
    value: total,
    change24hPct: '0',
    share: null,
    priceRoute: 'direct',
  });
  const base: PortfolioSnapshot = {
    environment: 'demo',
    seq: 1,
    quote: 'USDT',
    holdings: [h('BTC', '1'), h('ETH', '2')],
    total: '3',
    total24hChange: null,
    total24hChangePct: null,
    asOf: 1000,
    freshness: { state: 'live', since: 900 },
  };
  it('applies a delta in order: replaces, removes, appends', () => {
    const next = applyPortfolioEvent(base, {
      kind: 'delta',
      baseSeq: 1,
      seq: 2,
      changed: [h('ETH', '5'), h('BNB', '1')],
      removed: ['BTC'],
      total: '6',
      total24hChange: '1',
      total24hChangePct: '20',
      asOf: 2000,
      freshness: { state: 'live', since: 900 },
    });
    expect(next?.holdings.map((x) => [x.asset, x.total])).toEqual([
      ['ETH', '5'],
      ['BNB', '1'],
    ]);
    expect(next?.seq).toBe(2);
    expect(next?.total).toBe('6');
  });
  it('returns null on a gap so the caller refetches', () => {
    expect(
      applyPortfolioEvent(base, {
        kind: 'delta',
        baseSeq: 5,
        seq: 6,
        changed: [],
        removed: [],
        total: '3',
        total24hChange: null,
        total24hChangePct: null,
        asOf: 1,
        freshness: { state: 'live', since: 1 },
      }),
    ).toBeNull();
    expect(applyPortfolioEvent(null, { kind: 'full', snapshot: base })).toBe(base);
  });
  it('the event schema accepts both kinds', () => {
    expect(events['portfolio:snapshot'].safeParse({ kind: 'full', snapshot: base }).success).toBe(true);
    expect(events['portfolio:snapshot'].safeParse({ kind: 'full', snapshot: { ...base, total: 3 } }).success).toBe(false);
  });
});
