/**
 * The renderer's view of alerts, the watchlist, the tray model and (in the web host) the banners
 * shown: a projection of main's truth, loaded once and kept current by events.
 */
import type { AlertLogEntry, AlertRule, AlertSettings, TrayModel, WatchItem } from '../../../shared/domain';
import type { PerchBridge } from '../../../shared/ipc/bridge';
import { createViewStore } from '../../app/view-store';

export interface ShownNotification {
  readonly title: string;
  readonly body: string;
  readonly view: AlertLogEntry['view'];
  readonly at: number;
}

export interface AlertsState {
  readonly rules: readonly AlertRule[];
  readonly settings: AlertSettings | null;
  readonly log: readonly AlertLogEntry[];
  readonly watch: readonly WatchItem[];
  readonly tray: TrayModel | null;
  readonly shown: readonly ShownNotification[];
  /** a notification was clicked: the view to open (consumed by the app shell) */
  readonly openView: { readonly view: AlertLogEntry['view']; readonly n: number } | null;
  /** a symbol to prefill in the alert form (from a holding row or a watch symbol) */
  readonly draftSymbol: { readonly symbol: string; readonly n: number } | null;
}

export interface AlertsStore {
  get(): AlertsState;
  subscribe(listener: () => void): () => void;
  start(): void;
  stop(): void;
  readonly bridge: PerchBridge;
  reload(): Promise<void>;
  /** "Alert…" on a holding row or a watch symbol: open the alerts view with this symbol */
  draftFor(symbol: string): void;
}

const MAX_LOG = 200;
const MAX_SHOWN = 20;
/** Also the state of the stand-in the shell reads when no alerts store is mounted. */
export const INITIAL_ALERTS_STATE: AlertsState = {
  rules: [],
  settings: null,
  log: [],
  watch: [],
  tray: null,
  shown: [],
  openView: null,
  draftSymbol: null,
};

export function createAlertsStore(bridge: PerchBridge): AlertsStore {
  const view = createViewStore<AlertsState>(INITIAL_ALERTS_STATE);
  const set = view.set;
  const off: Array<() => void> = [];
  let n = 0;

  const reload = async (): Promise<void> => {
    const [a, w, t] = await Promise.all([bridge.call('alerts:get'), bridge.call('watchlist:get'), bridge.call('tray:get')]);
    set({
      ...(a.ok ? { rules: a.value.rules, settings: a.value.settings, log: a.value.log } : {}),
      ...(w.ok ? { watch: w.value } : {}),
      ...(t.ok ? { tray: t.value } : {}),
    });
  };

  return {
    bridge,
    get: view.get,
    subscribe: view.subscribe,
    start() {
      if (off.length > 0) return;
      off.push(bridge.on('alerts:changed', (s) => set({ rules: s.rules, settings: s.settings, log: s.log })));
      off.push(
        bridge.on('alerts:fired', (e) => {
          if (view.get().log.some((x) => x.id === e.id)) return;
          set({ log: [e, ...view.get().log].slice(0, MAX_LOG) });
        }),
      );
      off.push(bridge.on('watchlist:changed', (w) => set({ watch: w })));
      off.push(bridge.on('tray:model', (t) => set({ tray: t })));
      off.push(bridge.on('notifications:shown', (x) => set({ shown: [x, ...view.get().shown].slice(0, MAX_SHOWN) })));
      off.push(bridge.on('app:openView', ({ view }) => set({ openView: { view, n: ++n } })));
      void reload();
    },
    stop() {
      for (const u of off.splice(0)) u();
    },
    reload,
    draftFor(symbol) {
      set({ draftSymbol: { symbol, n: ++n }, openView: { view: 'alerts', n: ++n } });
    },
  };
}
