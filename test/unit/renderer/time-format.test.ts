// Seam: every time a person reads carries its date unless it is today.
import { describe, expect, it } from 'vitest';
import { formatClock } from '../../../src/renderer/app/format';
import { timeText } from '../../../src/renderer/features/orders/order-format';

describe('times carry a date unless they are today', () => {
  const now = new Date(2026, 11, 4, 21, 0, 0).getTime();
  it('today: the time alone; any other day: the date too', () => {
    expect(formatClock(new Date(2026, 11, 4, 9, 5, 7).getTime(), now)).toBe('09:05:07');
    expect(formatClock(new Date(2026, 11, 3, 23, 59, 59).getTime(), now)).toBe('2026-12-03 23:59:59');
    expect(formatClock(new Date(2025, 11, 4, 9, 5, 7).getTime(), now)).toBe('2025-12-04 09:05:07');
    expect(timeText(new Date(2026, 10, 30, 8, 0, 0).getTime(), now)).toBe('2026-11-30 08:00:00');
    expect(timeText(null, now)).toBe('—');
  });
});
