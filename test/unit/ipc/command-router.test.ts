// Seam: createCommandRouter with stub handlers and injected sender predicates; no Electron.
import { describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, type CommandName } from '../../../src/shared/ipc/channels';
import { AppError } from '../../../src/shared/ipc/result';
import { createCommandRouter, scrubMessage, type CommandHandlers, type CommandSender } from '../../../src/main/ipc/command-router';
import { createOriginSenderCheck, normalizeOrigin } from '../../../src/main/ipc/sender-check';
import { createEventBroadcaster } from '../../../src/main/ipc/event-broadcaster';
import { invalidInputs, sampleOutputs, SECRET, snapshot, validInputs } from './fixtures';
import { ExchangeError } from '../../../src/main/exchange/errors';
import { toAppError } from '../../../src/main/core/errors';

const trusted: CommandSender = { transport: 'test', frameUrl: 'app://perch/index.html', webContentsId: 1 };
const foreign: CommandSender = { transport: 'test', frameUrl: 'https://evil.example/', webContentsId: 1 };
const isTrusted = createOriginSenderCheck({ allowedOrigins: ['app://perch'] });

function stubHandlers(): CommandHandlers & Record<CommandName, ReturnType<typeof vi.fn>> {
  const h = {} as Record<CommandName, ReturnType<typeof vi.fn>>;
  for (const name of COMMAND_NAMES) h[name] = vi.fn(async () => sampleOutputs[name]);
  return h as CommandHandlers & Record<CommandName, ReturnType<typeof vi.fn>>;
}

describe.each(COMMAND_NAMES)('command %s', (name) => {
  it('runs the handler with parsed input and returns ok + a contract-valid value', async () => {
    const handlers = stubHandlers();
    const router = createCommandRouter({ handlers, isTrustedSender: isTrusted, validateOutput: true });
    const res = await router.dispatch(name, validInputs[name], trusted);
    expect(res).toEqual({ ok: true, value: sampleOutputs[name] });
    expect(handlers[name]).toHaveBeenCalledTimes(1);
    expect(handlers[name].mock.calls[0]?.[1]).toEqual({ sender: trusted });
  });

  it.each(invalidInputs[name].map((v) => [JSON.stringify(v) ?? 'undefined', v]))(
    'rejects invalid input %s without running the handler',
    async (_label, input) => {
      const handlers = stubHandlers();
      const router = createCommandRouter({ handlers, isTrustedSender: isTrusted });
      const res = await router.dispatch(name, input, trusted);
      expect(res.ok).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('invalid-input');
        expect(res.error.message).not.toContain(SECRET);
      }
      expect(handlers[name]).not.toHaveBeenCalled();
    },
  );

  it('refuses an untrusted sender before validating or running anything', async () => {
    const handlers = stubHandlers();
    const router = createCommandRouter({ handlers, isTrustedSender: isTrusted });
    const res = await router.dispatch(name, validInputs[name], foreign);
    expect(res).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
    expect(handlers[name]).not.toHaveBeenCalled();
  });

  it('turns a thrown error into an internal Result with no stack or secret', async () => {
    const handlers = stubHandlers();
    handlers[name].mockImplementation(async () => {
      throw new Error(`boom with secret ${SECRET} at https://api.binance.com/api/v3/account?signature=abc`);
    });
    const logged: unknown[] = [];
    const router = createCommandRouter({ handlers, isTrustedSender: isTrusted, onInternalError: (_n, e) => logged.push(e) });
    const res = await router.dispatch(name, validInputs[name], trusted);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('internal');
      expect(JSON.stringify(res)).not.toContain(SECRET);
      expect(JSON.stringify(res)).not.toMatch(/at .*\.ts:\d+|Error:|signature/);
      expect(Object.keys(res.error).sort()).toEqual(['code', 'message']);
    }
    expect(logged).toHaveLength(1);
  });
});

describe('router behaviour', () => {
  it('passes a public error code and message through, scrubbed', async () => {
    const handlers = stubHandlers();
    handlers['keys:test'].mockRejectedValue(new AppError('auth', 'Binance rejected the key (signature=deadbeef).'));
    const router = createCommandRouter({ handlers, isTrustedSender: isTrusted });
    const res = await router.dispatch('keys:test', validInputs['keys:test'], trusted);
    expect(res).toEqual({ ok: false, error: { code: 'auth', message: 'Binance rejected the key (signature=[redacted]).' } });
  });

  it('duck-types errors from other layers with a known code', async () => {
    const handlers = stubHandlers();
    handlers['keys:save'].mockRejectedValue(
      Object.assign(new Error('The keychain is locked. Unlock it and retry.'), { code: 'keychain-locked' }),
    );
    const router = createCommandRouter({ handlers, isTrustedSender: isTrusted });
    const res = await router.dispatch('keys:save', validInputs['keys:save'], trusted);
    expect(res).toMatchObject({ ok: false, error: { code: 'keychain-locked' } });
  });

  it('maps an error to a public one in one place (toPublicError): handlers just throw', async () => {
    const handlers = stubHandlers();
    const clock = new ExchangeError({
      kind: 'clock',
      httpStatus: 400,
      binanceCode: -1021,
      message: "Your computer's clock is 2 s ahead of Binance's. Sync the clock and retry.",
    });
    handlers['keys:test'].mockRejectedValue(clock);
    const internal = vi.fn();
    const router = createCommandRouter({
      handlers,
      isTrustedSender: isTrusted,
      onInternalError: internal,
      toPublicError: (e) => toAppError(e, { redact: (t) => t }),
    });
    const res = await router.dispatch('keys:test', validInputs['keys:test'], trusted);
    expect(res).toEqual({
      ok: false,
      error: { code: 'clock-skew', message: "Your computer's clock is 2 s ahead of Binance's. Sync the clock and retry." },
    });
    expect(internal).not.toHaveBeenCalled();
    // what the mapper does not know stays internal, and the log gets the original error
    const bug = new TypeError('x is undefined');
    handlers['keys:test'].mockRejectedValue(bug);
    expect(await router.dispatch('keys:test', validInputs['keys:test'], trusted)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(internal).toHaveBeenCalledWith('keys:test', bug);
  });

  it('unknown command names are refused', async () => {
    const router = createCommandRouter({ handlers: stubHandlers(), isTrustedSender: isTrusted });
    expect(await router.dispatch('shell:exec', {}, trusted)).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    expect(await router.dispatch('shell:exec', {}, foreign)).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
  });

  it('a handler output that breaks the contract becomes internal when validating', async () => {
    const handlers = stubHandlers();
    handlers['portfolio:getSnapshot'].mockResolvedValue({ ...snapshot, total: 100.5 });
    const onInternalError = vi.fn();
    const router = createCommandRouter({ handlers, isTrustedSender: isTrusted, validateOutput: true, onInternalError });
    expect(await router.dispatch('portfolio:getSnapshot', undefined, trusted)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(onInternalError).toHaveBeenCalledOnce();
  });

  it('a throwing sender predicate counts as untrusted', async () => {
    const router = createCommandRouter({
      handlers: stubHandlers(),
      isTrustedSender: () => {
        throw new Error('x');
      },
    });
    expect(await router.dispatch('settings:get', undefined, trusted)).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
  });

  it('scrubs PEM blocks, signed URLs and long messages', () => {
    expect(scrubMessage('k=-----BEGIN PRIVATE KEY-----\nMC4CAQ\n-----END PRIVATE KEY----- end')).toBe('k=[redacted key] end');
    expect(scrubMessage('GET https://x/api?timestamp=1&signature=ab failed')).toBe('GET [url redacted] failed');
    expect(scrubMessage('a'.repeat(1000)).length).toBeLessThanOrEqual(401);
  });
});

describe('sender check', () => {
  it.each([
    ['app://perch/index.html', true],
    ['APP://PERCH/#/settings', true],
    ['app://perch.evil/index.html', false],
    ['app://evil/', false],
    ['file:///index.html', false],
    ['https://perch/', false],
    ['app://user@perch/', false],
    ['not a url', false],
  ])('%s -> %s', (url, expected) => {
    expect(isTrusted({ transport: 'websocket', frameUrl: url, webContentsId: null })).toBe(expected);
  });

  it('null frame URL is untrusted', () => {
    expect(isTrusted({ transport: 'electron', frameUrl: null, webContentsId: 1 })).toBe(false);
  });

  it('in Electron, the webContents must be one of ours', () => {
    const ids = new Set([7]);
    const check = createOriginSenderCheck({ allowedOrigins: ['http://localhost:5173'], trustedWebContentsIds: () => ids });
    expect(check({ transport: 'electron', frameUrl: 'http://localhost:5173/', webContentsId: 7 })).toBe(true);
    expect(check({ transport: 'electron', frameUrl: 'http://localhost:5173/', webContentsId: 8 })).toBe(false);
    expect(check({ transport: 'electron', frameUrl: 'http://localhost:5174/', webContentsId: 7 })).toBe(false);
    expect(normalizeOrigin('data:text/html,hi')).toBeNull();
  });
});

describe('event broadcaster', () => {
  it('sends to live targets only and validates payloads when asked', () => {
    const live = { isDestroyed: () => false, send: vi.fn() };
    const dead = { isDestroyed: () => true, send: vi.fn() };
    const onError = vi.fn();
    const broadcast = createEventBroadcaster({ targets: () => [live, dead], validate: true, onError });
    broadcast('app:notice', { id: 'a', level: 'info', message: 'hi', at: 1 });
    expect(live.send).toHaveBeenCalledWith('app:notice', { id: 'a', level: 'info', message: 'hi', at: 1 });
    expect(dead.send).not.toHaveBeenCalled();
    broadcast('app:notice', { id: 'a', level: 'loud', message: 'hi', at: 1 } as never);
    expect(live.send).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledOnce();
  });
});
