/**
 * Desktop lifecycle for the streaming side (B15, B16). The app's power/network adapter calls
 * these; nothing here knows about Electron.
 * - suspend: close every socket and timer, mark everything offline (a sleeping laptop's sockets
 *   are dead anyway, and timers would fire in a burst on wake).
 * - resume / networkChanged: reconnect now instead of waiting for a heartbeat to notice, resync
 *   the clock offset (B1) and, through the new subscription, balances and orders (B12).
 * - dispose: release everything.
 */
import type { MarketStreams } from './market-streams';
import type { UserDataStream } from './user-data-stream';
import type { WsApiConnection } from './ws-api-connection';

export interface StreamsLifecycleParts {
  readonly market?: MarketStreams;
  readonly wsApi?: WsApiConnection;
  readonly userData?: UserDataStream;
  readonly timeSync?: { sync(reason: string): Promise<void> };
  /** Where a failed clock resync is reported (it is retried by the time sync's own schedule). */
  readonly onError?: (error: unknown) => void;
}

export interface StreamsLifecycle {
  suspend(): void;
  resume(): Promise<void>;
  networkChanged(): Promise<void>;
  dispose(): void;
}

export function createStreamsLifecycle(parts: StreamsLifecycleParts): StreamsLifecycle {
  let disposed = false;
  let suspended = false;

  const resyncClock = async (reason: string): Promise<void> => {
    if (parts.timeSync === undefined) return;
    try {
      await parts.timeSync.sync(reason);
    } catch (e) {
      parts.onError?.(e);
    }
  };

  return {
    suspend() {
      if (disposed || suspended) return;
      suspended = true;
      parts.market?.suspend();
      parts.wsApi?.suspend();
    },
    async resume() {
      if (disposed) return;
      suspended = false;
      // Clock first: the new subscription signs a timestamp, and wall time jumped while asleep.
      const clock = resyncClock('resume');
      parts.market?.resume();
      await clock;
      parts.wsApi?.resume();
    },
    async networkChanged() {
      if (disposed || suspended) return;
      const clock = resyncClock('network change');
      parts.market?.networkChanged();
      await clock;
      parts.wsApi?.networkChanged();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      parts.userData?.dispose();
      parts.wsApi?.dispose();
      parts.market?.dispose();
    },
  };
}
