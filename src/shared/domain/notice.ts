import { z } from 'zod';
import { TimestampMs } from './primitives';

/** A message main wants a person to see once (corrupt settings replaced, keychain locked, ...). */
export const NoticeLevel = z.enum(['info', 'warning', 'error']);
export type NoticeLevel = z.infer<typeof NoticeLevel>;

export const Notice = z.object({
  id: z.string().min(1),
  level: NoticeLevel,
  message: z.string(),
  /** stable machine-readable reason, e.g. 'settings-corrupt', 'keychain-locked' */
  code: z.string().optional(),
  at: TimestampMs,
});
export type Notice = z.infer<typeof Notice>;
