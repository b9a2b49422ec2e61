/** Seeded PRNG (mulberry32) and helpers; the market model must be reproducible from --seed. */
export interface Rng {
  next(): number; // [0, 1)
  normal(): number; // standard normal (Box–Muller)
  int(min: number, maxInclusive: number): number;
}

export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal: () => {
      const u = Math.max(next(), 1e-12);
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int: (min, maxInclusive) => min + Math.floor(next() * (maxInclusive - min + 1)),
  };
}

/** Stable 32-bit hash of a string (FNV-1a), to derive per-symbol/per-bucket seeds. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
