import { createContext, useContext, type ReactNode } from 'react';
import type { AppStore, ViewState } from './store';
import { useSelected } from './view-store';

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: Readonly<{ store: AppStore; children: ReactNode }>): React.JSX.Element {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useStore(): AppStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useStore outside StoreProvider');
  return store;
}

/** Select one stable slice of the view state (return a field, not a new object). */
export function useView<T>(select: (s: ViewState) => T): T {
  return useSelected(useStore(), select);
}

/** Privacy mode: every amount is hidden (the one place that reads it from the settings). */
export function usePrivacy(): boolean {
  return useView((s) => s.settings?.privacyMode ?? false);
}
