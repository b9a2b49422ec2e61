/**
 * The renderer's only state: a projection of main's truth, rebuilt from app:getState and kept
 * current by events. Subscriptions are wired once, outside React, so StrictMode's double effects
 * cannot create duplicate listeners (electron-anchors.md §2e, §5b).
 */
import { useSyncExternalStore } from 'react';
import type {
  ConnectionsStatus,
  KeyInfo,
  Notice,
  PortfolioEvent,
  PortfolioSnapshot,
  Settings,
  SettingsPatch,
} from '../../shared/domain';
import { applyPortfolioEvent } from '../../shared/domain/portfolio-events';
import type { CommandName } from '../../shared/ipc/channels';
import type { AppState, CommandArgs, CommandOutput, KeychainState } from '../../shared/ipc/contract';
import type { PerchBridge } from '../../shared/ipc/bridge';
import type { Result } from '../../shared/ipc/result';

export interface ViewState {
  readonly phase: 'loading' | 'ready' | 'failed';
  readonly loadError: string | null;
  readonly version: string;
  readonly settings: Settings | null;
  readonly key: KeyInfo | null;
  readonly keys: readonly KeyInfo[];
  readonly keychain: KeychainState | null;
  readonly portfolio: PortfolioSnapshot | null;
  readonly status: ConnectionsStatus | null;
  readonly notices: readonly Notice[];
  /** command errors not shown next to a form */
  readonly errors: readonly { readonly id: number; readonly message: string }[];
}

const INITIAL: ViewState = {
  phase: 'loading',
  loadError: null,
  version: '',
  settings: null,
  key: null,
  keys: [],
  keychain: null,
  portfolio: null,
  status: null,
  notices: [],
  errors: [],
};

export interface AppStore {
  get(): ViewState;
  subscribe(listener: () => void): () => void;
  start(): Promise<void>;
  stop(): void;
  call<C extends CommandName>(name: C, ...args: CommandArgs<C>): Promise<Result<CommandOutput<C>>>;
  updateSettings(patch: SettingsPatch): Promise<Result<Settings>>;
  togglePrivacy(): void;
  reportError(message: string): void;
  dismissError(id: number): void;
  dismissNotice(id: string): void;
  isDemo(): boolean;
}

export function createAppStore(bridge: PerchBridge): AppStore {
  let state: ViewState = INITIAL;
  const listeners = new Set<() => void>();
  const unsubscribers: Array<() => void> = [];
  let loaded = false;
  const early: PortfolioEvent[] = [];
  let refetching = false;
  let errorId = 0;

  const set = (patch: Partial<ViewState>): void => {
    state = { ...state, ...patch };
    for (const l of [...listeners]) l();
  };

  const reportError = (message: string): void => {
    errorId += 1;
    set({ errors: [...state.errors.slice(-3), { id: errorId, message }] });
  };

  const refetchSnapshot = (): void => {
    if (refetching) return;
    refetching = true;
    void bridge.call('portfolio:getSnapshot').then((res) => {
      refetching = false;
      if (res.ok) set({ portfolio: res.value });
    });
  };

  const applyPortfolio = (event: PortfolioEvent): void => {
    if (!loaded) {
      early.push(event);
      return;
    }
    const next = applyPortfolioEvent(state.portfolio, event);
    if (next === null) refetchSnapshot();
    else set({ portfolio: next });
  };

  const keysWith = (env: KeyInfo['environment'], key: KeyInfo | null): KeyInfo[] => {
    const rest = state.keys.filter((k) => k.environment !== env);
    return key ? [...rest, key] : rest;
  };

  const adopt = (app: AppState): void => {
    set({
      phase: 'ready',
      loadError: null,
      version: app.version,
      settings: app.settings,
      key: app.key,
      keys: app.keys,
      keychain: app.keychain,
      portfolio: app.portfolio,
      status: app.status,
      notices: app.notices,
    });
  };

  const store: AppStore = {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async start() {
      unsubscribers.push(
        bridge.on('portfolio:snapshot', applyPortfolio),
        bridge.on('status:connections', (status) => set({ status })),
        bridge.on('settings:changed', (settings) => {
          set({ settings, key: state.keys.find((k) => k.environment === settings.environment) ?? null });
        }),
        bridge.on('keys:changed', ({ environment, key }) => {
          const keys = keysWith(environment, key);
          set({ keys, key: keys.find((k) => k.environment === state.settings?.environment) ?? null });
        }),
        bridge.on('app:notice', (notice) => {
          set({ notices: [...state.notices.filter((n) => n.id !== notice.id), notice] });
        }),
      );
      const res = await bridge.call('app:getState');
      if (!res.ok) {
        set({ phase: 'failed', loadError: res.error.message });
        return;
      }
      adopt(res.value);
      loaded = true;
      // events that raced the first answer: fulls replace, deltas apply only if they follow
      for (const ev of early.splice(0)) {
        const next = applyPortfolioEvent(state.portfolio, ev);
        if (next !== null) set({ portfolio: next });
        else if (ev.kind === 'delta' && state.portfolio !== null && ev.seq > state.portfolio.seq) refetchSnapshot();
      }
    },
    stop() {
      for (const u of unsubscribers.splice(0)) u();
    },
    call: (name, ...args) => bridge.call(name, ...args),
    async updateSettings(patch) {
      const before = state.settings;
      // Controls answer at once; main's answer (or the old value, on error) replaces the guess.
      if (before !== null) set({ settings: { ...before, ...patch } as Settings });
      const res = await bridge.call('settings:update', patch);
      if (res.ok) set({ settings: res.value, key: state.keys.find((k) => k.environment === res.value.environment) ?? null });
      else if (before !== null) set({ settings: { ...(state.settings ?? before), ...pick(before, patch) } });
      return res;
    },
    togglePrivacy() {
      const current = state.settings;
      if (current === null) return;
      // Hide at once; main persists it. If saving fails, the screen stays hidden (the safe side).
      set({ settings: { ...current, privacyMode: !current.privacyMode } });
      void bridge.call('settings:update', { privacyMode: !current.privacyMode }).then((res) => {
        if (!res.ok) reportError(`Privacy mode was not saved: ${res.error.message}`);
      });
    },
    reportError,
    dismissError(id) {
      set({ errors: state.errors.filter((e) => e.id !== id) });
    },
    dismissNotice(id) {
      set({ notices: state.notices.filter((n) => n.id !== id) });
      void bridge.call('app:dismissNotice', { id }).then((res) => {
        if (!res.ok) reportError(res.error.message);
      });
    },
    isDemo: () => state.settings?.environment === 'demo',
  };
  return store;
}

/** The fields of `from` that `patch` names: what to restore when a patch was refused. */
function pick(from: Settings, patch: SettingsPatch): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(patch)) out[k] = (from as Record<string, unknown>)[k];
  return out as Partial<Settings>;
}

export function useViewState<T>(store: AppStore, select: (s: ViewState) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
