import { z } from 'zod';
import { EnvironmentId } from './environment';
import { TEXT_MAX_LENGTH, TimestampMs } from './primitives';

export const ConnectionState = z.enum(['connecting', 'live', 'stale', 'reconnecting', 'resyncing', 'offline']);
export type ConnectionState = z.infer<typeof ConnectionState>;

/** 'market' = public market streams; 'account' = WS API user data stream (+ REST resync). */
export const ConnectionId = z.enum(['market', 'account']);
export type ConnectionId = z.infer<typeof ConnectionId>;

export const ConnectionStatus = z.object({
  id: ConnectionId,
  state: ConnectionState,
  lastMessageAt: TimestampMs.nullable(),
  reconnects: z.number().int().nonnegative(),
  /** a message a person can read; never a URL with a signature or a key */
  lastError: z.string().max(TEXT_MAX_LENGTH).nullable(),
});
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

export const ConnectionsStatus = z.object({
  environment: EnvironmentId,
  connections: z.array(ConnectionStatus),
  /** X-MBX-USED-WEIGHT-1M of the last REST response */
  weightUsed: z.number().int().nonnegative().nullable(),
  weightLimit: z.number().int().positive().nullable(),
  /** server time minus local time, as measured by the client */
  clockOffsetMs: z.number().int().nullable(),
  asOf: TimestampMs,
});
export type ConnectionsStatus = z.infer<typeof ConnectionsStatus>;
