/**
 * Seeded randomness for the scenario simulator. Never Math.random: the same
 * seed must give byte-identical scenario files on every machine.
 *
 * Two flavours:
 * - `createPrng` — a sequential stream (xoshiro128**, seeded through
 *   splitmix32) for building the firm registry and the trade network;
 * - `hashUnit` — a stateless hash of integers into [0, 1), used for daily
 *   decisions (does link L invoice on working day o?) so that a decision does
 *   not depend on how many random numbers were drawn before it.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Uniform real in [min, max). */
  range(min: number, max: number): number;
  chance(probability: number): boolean;
  /** Throws RangeError on an empty list. */
  pick<T>(items: readonly T[]): T;
  /** Index drawn proportionally to non-negative weights; throws RangeError if they sum to 0. */
  weightedIndex(weights: readonly number[]): number;
  /**
   * weightedIndex over `count` weights given by `weightAt` (called twice per index, so it must be pure), without
   * a weights array: a candidate filter can be folded into a weight of 0, which is never drawn. Returns -1, and
   * draws nothing, when the weights sum to 0.
   */
  weightedIndexOf(count: number, weightAt: (i: number) => number): number;
  /** exp(N(0, sigma²)) with mean corrected to 1, for multiplicative noise on amounts. */
  logNormal(sigma: number): number;
  /** A new independent stream derived from this one's seed and a label. */
  fork(label: number): Prng;
}

/** murmur3 finaliser: a good 32-bit avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes integers (seeds may exceed 32 bits; their high part is folded in) into one 32-bit value. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9 ^ parts.length;
  for (const part of parts) h = mixPart(h, part);
  return h >>> 0;
}

function mixPart(h: number, part: number): number {
  const low = part >>> 0;
  const high = Math.floor(part / 4294967296) >>> 0;
  h = fmix32((h ^ low) + 0x6d2b79f5);
  return high === 0 ? h : fmix32((h ^ high) + 0x6d2b79f5);
}

/** Stateless uniform in [0, 1) from integers. */
export function hashUnit(...parts: number[]): number {
  return mixSeed(...parts) / 4294967296;
}

/**
 * hashUnit(a, b, c, d), without the array a rest parameter allocates: the simulator asks it for every link on
 * every working day (26M times for a 14,000-firm year).
 */
export function hashUnit4(a: number, b: number, c: number, d: number): number {
  const h = mixPart(mixPart(mixPart(mixPart(0x9e3779b9 ^ 4, a), b), c), d);
  return (h >>> 0) / 4294967296;
}

export function createPrng(seed: number): Prng {
  // splitmix32 expands one seed into the four words of xoshiro128** state.
  let sm = mixSeed(seed);
  const splitmix = (): number => {
    sm = (sm + 0x9e3779b9) >>> 0;
    return fmix32(sm);
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  if ((a | b | c | d) === 0) a = 1;
  const baseSeed = seed;

  const nextUint = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  const prng: Prng = {
    next: () => nextUint() / 4294967296,
    int: (min, max) => min + Math.floor(prng.next() * (max - min + 1)),
    range: (min, max) => min + prng.next() * (max - min),
    chance: (probability) => prng.next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('cannot pick from an empty list');
      return items[Math.floor(prng.next() * items.length)]!;
    },
    weightedIndex: (weights) => {
      const i = prng.weightedIndexOf(weights.length, (k) => weights[k]!);
      if (i < 0) throw new RangeError('weights must sum to a positive number');
      return i;
    },
    weightedIndexOf: (count, weightAt) => {
      let total = 0;
      let last = -1;
      for (let i = 0; i < count; i++) {
        const w = weightAt(i);
        total += w;
        if (w > 0) last = i;
      }
      if (!(total > 0)) return -1;
      let r = prng.next() * total;
      for (let i = 0; i < count; i++) {
        r -= weightAt(i);
        if (r < 0) return i;
      }
      // Rounding can leave r at or just above 0 after the last weight: that weight's index, never a weight of 0's.
      return last;
    },
    logNormal: (sigma) => {
      // Box–Muller; 1 − u keeps the logarithm finite.
      const u = 1 - prng.next();
      const v = prng.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.exp(sigma * z - (sigma * sigma) / 2);
    },
    fork: (label) => createPrng(mixSeed(baseSeed, label, 0x51ed)),
  };
  return prng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
