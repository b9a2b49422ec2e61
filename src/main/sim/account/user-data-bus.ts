import type { UserDataBus, UserDataEvent } from '../types';

/**
 * Per-account fan-out of user data events, in publication order. `tap` sees every event of every
 * account, subscribed or not (the public trade tape learns the accounts' fills from it).
 */
export function createUserDataBus(tap?: (accountId: string, event: UserDataEvent) => void): UserDataBus {
  const listeners = new Map<string, Set<(event: UserDataEvent) => void>>();
  return {
    publish(accountId, event) {
      if (tap !== undefined) {
        try {
          tap(accountId, event);
        } catch {
          // The tap is an observer; it must not break delivery.
        }
      }
      const set = listeners.get(accountId);
      if (!set) return;
      // Copy: a listener may unsubscribe itself while being called.
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch {
          // One faulty subscriber must not stop delivery to the others or break the engine.
        }
      }
    },
    subscribe(accountId, listener) {
      let set = listeners.get(accountId);
      if (!set) {
        set = new Set();
        listeners.set(accountId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(accountId) === set) listeners.delete(accountId);
      };
    },
  };
}
