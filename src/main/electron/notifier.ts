import { Notification } from 'electron';
import type { NotifierPort } from './shell-ports';

/** Main-process notifications: the page needs no notification permission (all are denied). */
export function createNotifier(): NotifierPort {
  return {
    isSupported: () => Notification.isSupported(),
    notify({ title, body, silent }) {
      if (!Notification.isSupported()) return;
      new Notification({ title, body, silent: silent ?? false }).show();
    },
  };
}
