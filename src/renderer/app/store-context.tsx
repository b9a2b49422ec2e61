import { createContext, useContext, type ReactNode } from 'react';
import type { AppStore, ViewState } from './store';
import { useViewState } from './store';

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
  return useViewState(useStore(), select);
}
