import { createContext, useContext, type ReactNode } from 'react';
import { useSelected } from '../../app/view-store';
import type { AlertsState, AlertsStore } from './alerts-store';

const AlertsContext = createContext<AlertsStore | null>(null);

export function AlertsProvider({ store, children }: Readonly<{ store: AlertsStore; children: ReactNode }>): React.JSX.Element {
  return <AlertsContext.Provider value={store}>{children}</AlertsContext.Provider>;
}

/** Null outside the provider (tests that mount a view alone). */
export function useAlertsStore(): AlertsStore | null {
  return useContext(AlertsContext);
}

export function useAlerts(): AlertsStore {
  const s = useContext(AlertsContext);
  if (s === null) throw new Error('useAlerts outside AlertsProvider');
  return s;
}

export function useAlertsView<T>(select: (s: AlertsState) => T): T {
  return useSelected(useAlerts(), select);
}
