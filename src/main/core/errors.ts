/**
 * Errors from the exchange client become Result codes the UI can switch on, with a message a
 * person can act on, redacted once more on the way out.
 */
import { AppError, isPublicError, type ErrorCode } from '../../shared/ipc/result';
import { isExchangeError } from '../exchange/errors';
import type { RedactingLogger } from './redacting-logger';

export function toAppError(e: unknown, logger: Pick<RedactingLogger, 'redact'>): unknown {
  if (e instanceof AppError) return e;
  if (isExchangeError(e)) {
    let code: ErrorCode;
    switch (e.kind) {
      case 'auth':
        code = 'auth';
        break;
      case 'rate-limited':
      case 'banned':
        code = 'rate-limited';
        break;
      case 'clock':
        code = 'clock-skew';
        break;
      case 'unavailable':
        code = 'not-available';
        break;
      default:
        code = 'network';
    }
    return new AppError(code, logger.redact(e.message));
  }
  if (isPublicError(e)) return new AppError(e.code, logger.redact(e.message));
  return e;
}
