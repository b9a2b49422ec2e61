import { describe, expect, it } from 'vitest';
import { SimError } from '../../../src/main/sim/errors';
import { checkTiming, parseRecvWindow, parseTimestamp } from '../../../src/main/sim/server/auth';

function error(fn: () => unknown): { code: number; msg: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof SimError) return { code: err.code, msg: err.message };
    throw err;
  }
}

const SERVER = 1_700_000_000_000;

describe('timestamp parsing', () => {
  it('accepts ms and µs', () => {
    expect(parseTimestamp(String(SERVER))).toBe(SERVER);
    expect(parseTimestamp(`${SERVER}123`)).toBeCloseTo(SERVER + 0.123, 3);
  });
  it('missing -> -1102, non-digits -> -1100', () => {
    expect(error(() => parseTimestamp(undefined))?.code).toBe(-1102);
    expect(error(() => parseTimestamp(''))?.code).toBe(-1102);
    expect(error(() => parseTimestamp('12.5'))?.code).toBe(-1100);
    expect(error(() => parseTimestamp('-5'))?.code).toBe(-1100);
  });
});

describe('recvWindow parsing', () => {
  it('defaults to 5000 and takes up to 3 decimals', () => {
    expect(parseRecvWindow(undefined)).toBe(5000);
    expect(parseRecvWindow('6000.346')).toBe(6000.346);
    expect(parseRecvWindow('60000')).toBe(60000);
  });
  it('rejects more than 60000, 4 decimals, junk', () => {
    expect(error(() => parseRecvWindow('60000.001'))?.code).toBe(-1102);
    expect(error(() => parseRecvWindow('60001'))?.code).toBe(-1102);
    expect(error(() => parseRecvWindow('100.1234'))?.code).toBe(-1111);
    expect(error(() => parseRecvWindow('1e3'))?.code).toBe(-1100);
    expect(error(() => parseRecvWindow(''))?.code).toBe(-1105);
  });
});

describe('timing rule: timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow', () => {
  it('edges of the ahead rule', () => {
    expect(error(() => checkTiming(SERVER + 999, 5000, SERVER))).toBeUndefined();
    expect(error(() => checkTiming(SERVER + 1000, 5000, SERVER))).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    // µs precision: 999.999 ms ahead is still fine.
    expect(error(() => checkTiming(parseTimestamp(`${SERVER + 999}999`), 5000, SERVER))).toBeUndefined();
    expect(error(() => checkTiming(parseTimestamp(`${SERVER + 1000}000`), 5000, SERVER))?.code).toBe(-1021);
  });
  it('edges of the recvWindow rule', () => {
    expect(error(() => checkTiming(SERVER - 5000, 5000, SERVER))).toBeUndefined();
    expect(error(() => checkTiming(SERVER - 5001, 5000, SERVER))).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    expect(error(() => checkTiming(SERVER - 60000, 60000, SERVER))).toBeUndefined();
  });
  it('fractional recvWindow with µs timestamps', () => {
    const rw = parseRecvWindow('100.5');
    // 100.4 ms old: inside; 100.6 ms old: outside.
    expect(error(() => checkTiming(parseTimestamp(`${SERVER - 101}600`), rw, SERVER))).toBeUndefined();
    expect(error(() => checkTiming(parseTimestamp(`${SERVER - 101}400`), rw, SERVER))?.code).toBe(-1021);
  });
});
