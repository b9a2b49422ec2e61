import { useSyncExternalStore } from 'react';

/**
 * The skeleton the renderer's stores share (app, orders, alerts): one immutable state object, replaced by `set` (a
 * shallow patch), and listeners told after each change. React reads it with `useSelected`.
 */
export interface ViewStore<S> {
  get(): S;
  set(patch: Partial<S>): void;
  subscribe(listener: () => void): () => void;
}

export function createViewStore<S extends object>(initial: S): ViewStore<S> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(patch) {
      state = { ...state, ...patch };
      // a copy: a listener that unsubscribes (or subscribes) while being told changes nothing here
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** Select one stable slice of a store's state (return a field, not a new object). */
export function useSelected<S, T>(store: Pick<ViewStore<S>, 'get' | 'subscribe'>, select: (s: S) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
