/**
 * The renderer's only state: a projection of main's truth, rebuilt from app:getState and kept
 * current by events. Subscriptions are wired once, outside React, so StrictMode's double effects
 * cannot create duplicate listeners (docs/ARCHITECTURE.md §1: the renderer holds only a view of main).
 */
import type { ConnectionsStatus, KeyInfo, Notice, PortfolioEvent, PortfolioSnapshot, Settings, SettingsPatch } from '../../shared/domain';
import { applyPortfolioEvent } from '../../shared/domain/portfolio-events';
import type { CommandName, EventName } from '../../shared/ipc/channels';
import type { AppMenuEvent, AppState, CommandArgs, CommandOutput, EventPayload, KeychainState } from '../../shared/ipc/contract';
import { BRIDGE_LOST_AFTER_MS } from '../../shared/ipc/liveness';
import type { PerchBridge } from '../../shared/ipc/bridge';
import { createViewStore } from './view-store';
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
  /** the newest application-menu request (Electron's menu), numbered so a repeat is seen */
  readonly menu: { readonly seq: number; readonly request: AppMenuEvent } | null;
  /**
   * Main has gone silent (no heartbeat for BRIDGE_LOST_AFTER_MS) or the web host's socket closed:
   * nothing shown is current, whatever it said; the figures are shown stale.
   */
  readonly bridgeLost: boolean;
  /** When main was last heard from (any event), local clock. */
  readonly lastHeardAt: number | null;
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
  menu: null,
  bridgeLost: false,
  lastHeardAt: null,
};

/** Seams for the bridge's liveness (tests drive a fake clock). */
export interface AppStoreOptions {
  readonly now?: () => number;
  /** Runs `fn` every `ms`; returns the stop function. */
  readonly every?: (ms: number, fn: () => void) => () => void;
  /** The transport says the bridge is gone for good (the web host's socket closed). */
  readonly onBridgeClosed?: (fn: () => void) => () => void;
}

/** How often the store checks that main is still talking. */
const LIVENESS_CHECK_MS = 500;

const defaultEvery = (ms: number, fn: () => void): (() => void) => {
  const t = setInterval(fn, ms);
  return () => clearInterval(t);
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

/** A failed portfolio:getSnapshot is asked again after this, doubling up to the cap. */
const REFETCH_BASE_MS = 250;
const REFETCH_CAP_MS = 5_000;

export function createAppStore(bridge: PerchBridge, options: AppStoreOptions = {}): AppStore {
  const now = options.now ?? Date.now;
  const every = options.every ?? defaultEvery;
  const viewState = createViewStore<ViewState>(INITIAL);
  let lastHeard = now();
  let lastCheck = now();
  let closedForGood = false;
  const unsubscribers: Array<() => void> = [];
  let loaded = false;
  const early: PortfolioEvent[] = [];
  let errorId = 0;
  /**
   * Portfolio sync. `generation` changes whenever main's portfolio is replaced by another
   * session's (cleared event, environment switch): answers asked for under an older generation
   * are dropped. `newestSeq` is the highest seq main has announced in this generation; a
   * snapshot older than that is already out of date.
   */
  let generation = 0;
  let newestSeq = -1;
  let refetching = false;
  let refetchAgain = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelayMs = REFETCH_BASE_MS;
  let stopped = false;

  const set = viewState.set;

  const reportError = (message: string): void => {
    errorId += 1;
    set({ errors: [...viewState.get().errors.slice(-3), { id: errorId, message }] });
  };

  /** A portfolio of another environment than the one selected is never shown. */
  const forSelected = (p: PortfolioSnapshot | null, settings: Settings | null = viewState.get().settings): PortfolioSnapshot | null =>
    p !== null && settings !== null && p.environment !== settings.environment ? null : p;

  const cancelRetry = (): void => {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  };

  /** Main's portfolio was replaced: forget everything about the old one, including pending asks. */
  const resetPortfolio = (): void => {
    generation += 1;
    newestSeq = -1;
    refetchAgain = false;
    retryDelayMs = REFETCH_BASE_MS;
    cancelRetry();
    set({ portfolio: null });
  };

  const noteSeq = (event: PortfolioEvent): void => {
    if (event.kind === 'full') newestSeq = Math.max(newestSeq, event.snapshot.seq);
    else if (event.kind === 'delta') newestSeq = Math.max(newestSeq, event.seq);
  };

  const scheduleRetry = (): void => {
    if (stopped || retryTimer !== null) return;
    const delay = retryDelayMs;
    retryDelayMs = Math.min(REFETCH_CAP_MS, retryDelayMs * 2);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      refetchSnapshot();
    }, delay);
  };

  /**
   * While the mirror is out of sync with main, its figures are not current whatever they said:
   * they are shown stale until a snapshot arrives.
   */
  const markOutOfSync = (): void => {
    const p = viewState.get().portfolio;
    if (p !== null && p.freshness.state === 'live') set({ portfolio: { ...p, freshness: { state: 'stale', since: p.asOf } } });
  };

  const refetchSnapshot = (): void => {
    if (stopped) return;
    if (refetching) {
      refetchAgain = true;
      return;
    }
    cancelRetry();
    refetching = true;
    refetchAgain = false;
    const asked = generation;
    const done = (): void => {
      refetching = false;
      if (refetchAgain && !stopped) refetchSnapshot();
    };
    bridge.call('portfolio:getSnapshot').then(
      (res) => {
        if (asked !== generation) {
          done();
          return;
        }
        if (!res.ok) {
          markOutOfSync();
          scheduleRetry();
          done();
          return;
        }
        const snap = res.value;
        if (snap !== null && snap.seq < newestSeq) {
          // Main has announced newer figures than this answer (it crossed an event): ask again.
          markOutOfSync();
          refetchAgain = true;
          done();
          return;
        }
        retryDelayMs = REFETCH_BASE_MS;
        refetchAgain = false;
        if (snap !== null) newestSeq = Math.max(newestSeq, snap.seq);
        set({ portfolio: forSelected(snap) });
        done();
      },
      () => {
        if (asked === generation) {
          markOutOfSync();
          scheduleRetry();
        }
        done();
      },
    );
  };

  /** Nothing from main for too long, or the transport closed: nothing shown is current. */
  const markBridgeLost = (): void => {
    if (viewState.get().bridgeLost) return;
    set({ bridgeLost: true });
    markOutOfSync();
  };

  /** Main spoke (any event): alive. After a loss, read back what changed meanwhile. */
  const heard = (): void => {
    lastHeard = now();
    const heardAt = viewState.get().lastHeardAt;
    if (heardAt === null || lastHeard - heardAt >= 1_000 || viewState.get().bridgeLost) set({ lastHeardAt: lastHeard });
    if (!viewState.get().bridgeLost || closedForGood) return;
    set({ bridgeLost: false });
    refetchSnapshot();
    void bridge.call('app:getState').then(
      (res) => {
        if (res.ok && !viewState.get().bridgeLost) set({ status: res.value.status, notices: res.value.notices });
      },
      () => undefined,
    );
  };

  const checkLiveness = (): void => {
    const t = now();
    // Our own timer was held up (system sleep, a throttled background tab): the silence we did
    // not watch says nothing about main. Start counting again from here.
    if (t - lastCheck >= BRIDGE_LOST_AFTER_MS) lastHeard = t;
    lastCheck = t;
    if (t - lastHeard >= BRIDGE_LOST_AFTER_MS) markBridgeLost();
  };

  /** Every listener counts as hearing from main. */
  const listen = <E extends EventName>(name: E, fn: (payload: EventPayload<E>) => void): (() => void) =>
    bridge.on(name, (payload) => {
      heard();
      fn(payload);
    });

  const applyOne = (event: PortfolioEvent): void => {
    if (event.kind === 'cleared') {
      resetPortfolio();
      return;
    }
    if (event.kind === 'full' && forSelected(event.snapshot) === null) return;
    noteSeq(event);
    const next = applyPortfolioEvent(viewState.get().portfolio, event);
    if (next !== null) {
      set({ portfolio: next });
      return;
    }
    // A delta that does not follow: only worth a refetch when it is newer than what is shown.
    const shown = viewState.get().portfolio;
    if (shown === null || event.kind !== 'delta' || event.seq > shown.seq) {
      markOutOfSync();
      refetchSnapshot();
    }
  };

  const applyPortfolio = (event: PortfolioEvent): void => {
    if (!loaded) {
      early.push(event);
      return;
    }
    applyOne(event);
  };

  const keysWith = (env: KeyInfo['environment'], key: KeyInfo | null): KeyInfo[] => {
    const rest = viewState.get().keys.filter((k) => k.environment !== env);
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
      portfolio: forSelected(app.portfolio, app.settings),
      status: app.status,
      notices: app.notices,
    });
  };

  const store: AppStore = {
    get: viewState.get,
    subscribe: viewState.subscribe,
    async start() {
      lastHeard = now();
      lastCheck = lastHeard;
      unsubscribers.push(
        every(LIVENESS_CHECK_MS, checkLiveness),
        bridge.on('app:heartbeat', () => heard()),
        listen('portfolio:snapshot', applyPortfolio),
        listen('status:connections', (status) => set({ status })),
        listen('settings:changed', (settings) => {
          const previous = viewState.get().settings;
          const envChanged = previous !== null && previous.environment !== settings.environment;
          set({ settings, key: viewState.get().keys.find((k) => k.environment === settings.environment) ?? null });
          if (envChanged || forSelected(viewState.get().portfolio, settings) === null) resetPortfolio();
        }),
        listen('keys:changed', ({ environment, key }) => {
          const keys = keysWith(environment, key);
          set({ keys, key: keys.find((k) => k.environment === viewState.get().settings?.environment) ?? null });
        }),
        listen('app:notice', (notice) => {
          set({ notices: [...viewState.get().notices.filter((n) => n.id !== notice.id), notice] });
        }),
        listen('app:menu', (request) => {
          set({ menu: { seq: (viewState.get().menu?.seq ?? 0) + 1, request } });
        }),
      );
      if (options.onBridgeClosed) {
        unsubscribers.push(
          options.onBridgeClosed(() => {
            closedForGood = true;
            markBridgeLost();
          }),
        );
      }
      const res = await bridge.call('app:getState');
      if (!res.ok) {
        set({ phase: 'failed', loadError: res.error.message });
        return;
      }
      adopt(res.value);
      const loadedPortfolio = viewState.get().portfolio;
      if (loadedPortfolio !== null) newestSeq = loadedPortfolio.seq;
      loaded = true;
      // events that raced the first answer: fulls replace, deltas apply only if they follow
      // (older ones are already in the answer), a cleared event empties
      for (const ev of early.splice(0)) applyOne(ev);
    },
    stop() {
      stopped = true;
      cancelRetry();
      for (const u of unsubscribers.splice(0)) u();
    },
    call: (name, ...args) => bridge.call(name, ...args),
    async updateSettings(patch) {
      const before = viewState.get().settings;
      // Controls answer at once; main's answer (or the old value, on error) replaces the guess.
      if (before !== null) set({ settings: { ...before, ...patch } as Settings });
      // The old environment's figures go the moment another one is chosen.
      const switching = before !== null && patch.environment !== undefined && patch.environment !== before.environment;
      if (switching) resetPortfolio();
      const res = await bridge.call('settings:update', patch);
      if (res.ok) set({ settings: res.value, key: viewState.get().keys.find((k) => k.environment === res.value.environment) ?? null });
      else if (before !== null) {
        set({ settings: { ...(viewState.get().settings ?? before), ...pick(before, patch) } });
        // Refused: main still runs the old session, whose figures were dropped here; read them back.
        if (switching) refetchSnapshot();
      }
      return res;
    },
    togglePrivacy() {
      const current = viewState.get().settings;
      if (current === null) return;
      // Hide at once; main persists it. If saving fails, the screen stays hidden (the safe side).
      set({ settings: { ...current, privacyMode: !current.privacyMode } });
      void bridge.call('settings:update', { privacyMode: !current.privacyMode }).then((res) => {
        if (!res.ok) reportError(`Privacy mode was not saved: ${res.error.message}`);
      });
    },
    reportError,
    dismissError(id) {
      set({ errors: viewState.get().errors.filter((e) => e.id !== id) });
    },
    dismissNotice(id) {
      set({ notices: viewState.get().notices.filter((n) => n.id !== id) });
      void bridge.call('app:dismissNotice', { id }).then((res) => {
        if (!res.ok) reportError(res.error.message);
      });
    },
    isDemo: () => viewState.get().settings?.environment === 'demo',
  };
  return store;
}

/** The fields of `from` that `patch` names: what to restore when a patch was refused. */
function pick(from: Settings, patch: SettingsPatch): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(patch)) out[k] = (from as Record<string, unknown>)[k];
  return out as Partial<Settings>;
}
