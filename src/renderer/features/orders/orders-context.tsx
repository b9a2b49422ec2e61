import { createContext, useContext, type ReactNode } from 'react';
import { useSelected } from '../../app/view-store';
import type { OrdersState, OrdersStore } from './orders-store';

const OrdersContext = createContext<OrdersStore | null>(null);

export function OrdersProvider({ store, children }: Readonly<{ store: OrdersStore; children: ReactNode }>): React.JSX.Element {
  return <OrdersContext.Provider value={store}>{children}</OrdersContext.Provider>;
}

export function useOrders(): OrdersStore {
  const store = useContext(OrdersContext);
  if (store === null) throw new Error('useOrders outside OrdersProvider');
  return store;
}

/** Select one stable slice of the orders state. */
export function useOrdersView<T>(select: (s: OrdersState) => T): T {
  return useSelected(useOrders(), select);
}
