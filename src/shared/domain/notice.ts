import { z } from 'zod';
import { CODE_MAX_LENGTH, TEXT_MAX_LENGTH, TimestampMs } from './primitives';

/** A message main wants a person to see once (corrupt settings replaced, keychain locked, ...). */
export const NoticeLevel = z.enum(['info', 'warning', 'error']);
export type NoticeLevel = z.infer<typeof NoticeLevel>;

export const Notice = z.object({
  id: z.string().min(1).max(200),
  level: NoticeLevel,
  message: z.string().max(TEXT_MAX_LENGTH),
  /** stable machine-readable reason, e.g. 'settings-corrupt', 'keychain-locked' */
  code: z.string().max(CODE_MAX_LENGTH).optional(),
  at: TimestampMs,
});
export type Notice = z.infer<typeof Notice>;
