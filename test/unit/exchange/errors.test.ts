import { describe, expect, it } from 'vitest';
import { ExchangeError, classifyHttpFailure, rateLimitHeaders, type ExchangeErrorKind } from '../../../src/main/exchange/errors';

const base = { method: 'POST', path: '/api/v3/order', headers: {}, nowMs: 1_700_000_000_000 };

describe('classifyHttpFailure (B3 table)', () => {
  const table: Array<{
    name: string;
    httpStatus: number;
    code?: number;
    msg?: string;
    changesState: boolean;
    headers?: Record<string, string>;
    kind: ExchangeErrorKind;
    mayHaveExecuted?: boolean;
  }> = [
    {
      name: '400 -1021',
      httpStatus: 400,
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
      changesState: false,
      kind: 'clock',
    },
    { name: '400 -1022', httpStatus: 400, code: -1022, msg: 'Signature for this request is not valid.', changesState: false, kind: 'auth' },
    { name: '401 -2014', httpStatus: 401, code: -2014, msg: 'API-key format invalid.', changesState: false, kind: 'auth' },
    {
      name: '401 -2015',
      httpStatus: 401,
      code: -2015,
      msg: 'Invalid API-key, IP, or permissions for action.',
      changesState: true,
      kind: 'auth',
    },
    { name: '400 -1013 LOT_SIZE', httpStatus: 400, code: -1013, msg: 'Filter failure: LOT_SIZE', changesState: true, kind: 'filter' },
    {
      name: '400 -1111',
      httpStatus: 400,
      code: -1111,
      msg: "Parameter 'quantity' has too much precision.",
      changesState: true,
      kind: 'filter',
    },
    {
      name: '400 -1102',
      httpStatus: 400,
      code: -1102,
      msg: "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
      changesState: true,
      kind: 'rejected',
    },
    { name: '400 -2010 duplicate', httpStatus: 400, code: -2010, msg: 'Duplicate order sent.', changesState: true, kind: 'rejected' },
    { name: '400 -2013', httpStatus: 400, code: -2013, msg: 'Order does not exist.', changesState: false, kind: 'not-found' },
    { name: '400 -2011 unknown order', httpStatus: 400, code: -2011, msg: 'Unknown order sent.', changesState: true, kind: 'not-found' },
    {
      name: '400 -2011 restrictions',
      httpStatus: 400,
      code: -2011,
      msg: 'Order was not canceled due to cancel restrictions.',
      changesState: true,
      kind: 'rejected',
    },
    {
      name: '429 -1003',
      httpStatus: 429,
      code: -1003,
      msg: 'Too much request weight used',
      changesState: false,
      headers: { 'retry-after': '7' },
      kind: 'rate-limited',
    },
    {
      name: '418',
      httpStatus: 418,
      code: -1003,
      msg: 'Way too much request weight used; IP banned until 1700000120000.',
      changesState: false,
      kind: 'banned',
    },
    {
      name: '503 -1007 order',
      httpStatus: 503,
      code: -1007,
      msg: 'Timeout waiting for response from backend server.',
      changesState: true,
      kind: 'unknown-outcome',
      mayHaveExecuted: true,
    },
    { name: '500 -1006 order', httpStatus: 500, code: -1006, changesState: true, kind: 'unknown-outcome', mayHaveExecuted: true },
    { name: '502 HTML order', httpStatus: 502, changesState: true, kind: 'unknown-outcome', mayHaveExecuted: true },
    { name: '503 GET', httpStatus: 503, changesState: false, kind: 'network', mayHaveExecuted: false },
    { name: '500 -1007 GET', httpStatus: 500, code: -1007, changesState: false, kind: 'timeout' },
    { name: '403 WAF', httpStatus: 403, changesState: false, kind: 'rejected' },
    { name: '404', httpStatus: 404, changesState: false, kind: 'unavailable' },
  ];
  it.each(table)('$name -> $kind', (row) => {
    const e = classifyHttpFailure({
      ...base,
      httpStatus: row.httpStatus,
      binanceCode: row.code,
      binanceMsg: row.msg,
      headers: row.headers ?? {},
      changesState: row.changesState,
    });
    expect(e).toBeInstanceOf(ExchangeError);
    expect(e.kind).toBe(row.kind);
    expect(e.httpStatus).toBe(row.httpStatus);
    expect(e.binanceCode).toBe(row.code);
    expect(e.binanceMsg).toBe(row.msg);
    expect(e.method).toBe('POST');
    expect(e.path).toBe('/api/v3/order');
    expect(e.message.length).toBeGreaterThan(30);
    if (row.mayHaveExecuted !== undefined) expect(e.mayHaveExecuted).toBe(row.mayHaveExecuted);
  });

  it('keeps Retry-After and headers on 429; the ban end on 418', () => {
    const e429 = classifyHttpFailure({
      ...base,
      httpStatus: 429,
      binanceCode: -1003,
      headers: { 'retry-after': '7', 'x-mbx-used-weight-1m': '6001' },
      changesState: false,
    });
    expect(e429.retryAfterMs).toBe(7000);
    expect(e429.headers?.['x-mbx-used-weight-1m']).toBe('6001');
    expect(e429.message).toMatch(/7 s/);
    const e418 = classifyHttpFailure({
      ...base,
      httpStatus: 418,
      binanceCode: -1003,
      binanceMsg: 'IP banned until 1700000120000.',
      headers: {},
      changesState: false,
    });
    expect(e418.bannedUntil).toBe(1_700_000_120_000);
    expect(e418.retryAfterMs).toBe(120_000);
    const e418h = classifyHttpFailure({ ...base, httpStatus: 418, headers: { 'retry-after': '300' }, changesState: false });
    expect(e418h.bannedUntil).toBe(base.nowMs + 300_000);
  });

  it('names the filter and explains it in plain words', () => {
    const e = classifyHttpFailure({
      ...base,
      httpStatus: 400,
      binanceCode: -1013,
      binanceMsg: 'Filter failure: NOTIONAL',
      changesState: true,
    });
    expect(e.filter).toBe('NOTIONAL');
    expect(e.message).toMatch(/order value/);
  });

  it('toJSON is plain data without a stack', () => {
    const e = classifyHttpFailure({ ...base, httpStatus: 400, binanceCode: -1021, changesState: false });
    const json = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    expect(json.kind).toBe('clock');
    expect(json.code).toBe('exchange.clock');
    expect(json.stack).toBeUndefined();
  });

  it('rateLimitHeaders keeps only x-mbx-* and retry-after', () => {
    const h = new Headers({
      'X-MBX-USED-WEIGHT-1M': '12',
      'x-mbx-order-count-10s': '1',
      'Retry-After': '3',
      'Set-Cookie': 'x',
      'Content-Type': 'json',
    });
    expect(rateLimitHeaders(h)).toEqual({ 'x-mbx-used-weight-1m': '12', 'x-mbx-order-count-10s': '1', 'retry-after': '3' });
  });
});
