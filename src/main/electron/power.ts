import { powerMonitor } from 'electron';
import type { PowerPort } from './shell-ports';

export function createPowerPort(): PowerPort {
  return {
    onSuspend(listener) {
      powerMonitor.on('suspend', listener);
      return () => {
        powerMonitor.removeListener('suspend', listener);
      };
    },
    onResume(listener) {
      powerMonitor.on('resume', listener);
      return () => {
        powerMonitor.removeListener('resume', listener);
      };
    },
  };
}
