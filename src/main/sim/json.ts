/**
 * JSON writer for replies and events. Binance sends order/trade ids as JSON numbers, and they
 * may exceed 2^53; inside the simulator such ids are `bigint`, written here as bare digits so a
 * client sees exactly what Binance would send (and a naive JSON.parse would lose precision).
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `\u0000big:${v.toString()}\u0000` : v)).replace(
    /"\\u0000big:(-?\d+)\\u0000"/g,
    '$1',
  );
}
