import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { trackOpeners } from './app/modal';
import { createAppStore } from './app/store';
import { StoreProvider } from './app/store-context';
import { OrdersProvider } from './features/orders/orders-context';
import { createOrdersStore } from './features/orders/orders-store';
import { BRIDGE_CLOSED_EVENT } from '../shared/ipc/liveness';
import { AlertsProvider } from './features/alerts/alerts-context';
import { createAlertsStore } from './features/alerts/alerts-store';
import './styles/app.css';

/** Wires the store to the bridge (window.perch, from the preload or the web host) and mounts. */
export function mountApp(): void {
  const el = document.getElementById('root');
  if (!el) return;
  if (typeof window.perch !== 'object' || window.perch === null) {
    el.textContent = 'Perch cannot reach its main process (no bridge).';
    return;
  }
  trackOpeners(document);
  const store = createAppStore(window.perch, {
    // The web host's bridge says at once when its socket closed (Electron's has no such event:
    // there, silence from main is how a lost bridge shows).
    onBridgeClosed: (fn) => {
      window.addEventListener(BRIDGE_CLOSED_EVENT, fn);
      return () => window.removeEventListener(BRIDGE_CLOSED_EVENT, fn);
    },
  });
  void store.start();
  const orders = createOrdersStore(window.perch);
  orders.start();
  const alerts = createAlertsStore(window.perch);
  alerts.start();
  createRoot(el).render(
    <StrictMode>
      <StoreProvider store={store}>
        <OrdersProvider store={orders}>
          <AlertsProvider store={alerts}>
            <App />
          </AlertsProvider>
        </OrdersProvider>
      </StoreProvider>
    </StrictMode>,
  );
}

mountApp();
