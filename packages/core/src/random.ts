import { GradlabError } from './errors.ts';
// Seeded randomness. Everything random in gradlab takes a seed; the same seed gives the same
// numbers, bit for bit, on every platform (only 32-bit integer arithmetic is used).

/** A source of uniform numbers in [0, 1): what `rand` and `randn` draw from; `createRng(seed)` is one. */
export interface RandomSource {
  next(): number;
}

/** A seeded generator: uniform doubles in [0, 1), integers and normals. */
export interface Rng extends RandomSource {
  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number;
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** A uniform double in [low, high). */
  uniform(low?: number, high?: number): number;
  /** A standard normal sample (Box–Muller, one sample per pair of uniforms). */
  normal(mean?: number, std?: number): number;
  /** A generator for a sub-task, seeded from this one (so tasks don't share a stream). */
  fork(): Rng;
}

/** SplitMix32: spreads a 32-bit seed into well-mixed state words. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * `createRng(seed)`: xoshiro128** (Blackman & Vigna), its 128-bit state filled from the seed by
 * SplitMix32. A double is built from two outputs: (a >>> 5)·2²⁶ + (b >>> 6), divided by 2⁵³.
 * The seed must be an integer (it is taken modulo 2³²).
 */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new GradlabError(`createRng: the seed must be an integer, got ${seed}`);
  const init = splitmix32(seed >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is the one state xoshiro cannot leave

  const nextUint32 = (): number => {
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
  const next = (): number => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992;

  const rng: Rng = {
    next,
    nextUint32,
    int(n) {
      if (!Number.isInteger(n) || n <= 0) throw new GradlabError(`rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    uniform(low = 0, high = 1) {
      return low + (high - low) * next();
    },
    normal(mean = 0, std = 1) {
      const u1 = 1 - next();
      const u2 = next();
      return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    fork() {
      return createRng(nextUint32());
    },
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
