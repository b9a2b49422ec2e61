/**
 * The fault-injection handle. Tests (in-process) and the control endpoint (over HTTP) flip these
 * knobs; each part of the simulator reads the ones it is concerned with at the moment it acts,
 * so a change takes effect on the next request, frame or order without any restart.
 */
import type { FaultAction, Faults, FaultsState, OrderFault } from './types';

function initialState(): FaultsState {
  return {
    latencyMs: 0,
    hangPaths: [],
    orderFaults: [],
    unknownOrderQueries: new Map(),
    force429: 0,
    banUntil: 0,
    silentSockets: false,
    noPongs: false,
    refuseUpgrades: 0,
    reorderUserEvents: false,
    duplicateUserEvents: false,
    bigIds: false,
    restFailures: [],
  };
}

export function createFaults(): Faults {
  // One state object for the whole life of the handle: parts may keep a reference to it.
  const state = initialState();
  const listeners = new Set<(action: FaultAction) => void>();

  const emit = (action: FaultAction): void => {
    for (const listener of [...listeners]) {
      try {
        listener(action);
      } catch {
        // A broken connection server must not stop the action reaching the others.
      }
    }
  };

  return {
    state,
    takeOrderFault(): OrderFault | undefined {
      return state.orderFaults.shift();
    },
    takeUnknownOrderQuery(keys: readonly string[]): boolean {
      for (const key of keys) {
        if (key === '') continue;
        const left = state.unknownOrderQueries.get(key);
        if (left === undefined) continue;
        if (left <= 1) state.unknownOrderQueries.delete(key);
        else state.unknownOrderQueries.set(key, left - 1);
        if (left >= 1) return true;
      }
      return false;
    },
    reset(): void {
      // bigIds is deliberately reset too: a test that wants big ids sets it again.
      Object.assign(state, initialState());
    },
    closeAll(kind) {
      emit({ type: 'closeAll', kind });
    },
    serverShutdown() {
      emit({ type: 'serverShutdown' });
    },
    eventStreamTerminated(accountId?: string) {
      emit(accountId === undefined ? { type: 'eventStreamTerminated' } : { type: 'eventStreamTerminated', accountId });
    },
    onAction(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
