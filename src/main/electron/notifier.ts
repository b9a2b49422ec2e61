import { Notification } from 'electron';
import type { NotificationPort } from '../alerts/alerts-service';

/**
 * Alert and order banners for the core, the only desktop notifications Perch shows (from main:
 * the page needs no notification permission, all are denied). A click brings Perch to the front
 * on the view the alert is about. The Notification objects are kept until closed: one collected
 * early loses its click.
 */
export function createNotificationPort(onClick: (view: string) => void): NotificationPort {
  const live = new Set<Notification>();
  return {
    show({ title, body, silent, view }) {
      if (!Notification.isSupported()) return;
      const n = new Notification({ title, body, silent });
      live.add(n);
      n.on('click', () => onClick(view));
      n.on('close', () => live.delete(n));
      n.show();
      // at most a handful are remembered; the OS keeps its own list
      for (const old of live) {
        if (live.size <= 20) break;
        live.delete(old);
      }
    },
  };
}
