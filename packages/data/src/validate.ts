// Argument checks shared by the generators. Each error names the function and the bad value,
// e.g. `generateLinear: n must be a positive integer, got 2.5`.

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** n: the number of points, a positive integer. */
export function checkN(fn: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${fn}: n must be a positive integer, got ${show(n)}`);
}

/** seed: any integer (createRng takes it modulo 2³²). */
export function checkSeed(fn: string, seed: number): void {
  if (!Number.isInteger(seed)) throw new Error(`${fn}: seed must be an integer, got ${show(seed)}`);
}

/** noise: the standard deviation of the gaussian jitter, a finite number ≥ 0. */
export function checkNoise(fn: string, noise: number): void {
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) {
    throw new Error(`${fn}: noise must be a finite number >= 0, got ${show(noise)}`);
  }
}
