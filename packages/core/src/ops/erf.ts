import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { exp } from './exp.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { square } from './square.ts';

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
/** Below it erf is summed as a series, above it as 1 − erfc. */
const SERIES_UP_TO = 2.5;
/** From it erfc is a continued fraction (below, 1 − erf loses no more than a bit or two). */
const FRACTION_FROM = 1;

/**
 * erf x for 0 ≤ x < 2.5: (2/√π)·e^(−x²)·Σₙ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), a series of positive
 * terms (no cancellation): each term is the last times 2x²/(2n+1).
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc x for x ≥ 1: (e^(−x²)/√π) / (x + ½/(x + 1/(x + (3/2)/(x + 2/(x + …))))), the
 * continued fraction evaluated from the front (modified Lentz), until a step changes < 1 ulp
 * (under 200 steps from x = 1, fewer further out).
 */
function erfcFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = 1 / (d === 0 ? tiny : d);
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function, erf x = (2/√π)∫₀ˣ e^(−t²) dt, to a few units in the last place. */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a === Infinity) return x > 0 ? 1 : -1;
  const value = a < SERIES_UP_TO ? erfSeries(a) : 1 - erfcFraction(a);
  return x < 0 ? -value : value;
}

/** The complementary error function, erfc x = 1 − erf x, accurate in relative terms for large x too. */
export function erfcScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x >= FRACTION_FROM) return erfcFraction(x);
  return 1 - erfScalar(x);
}

/** Φ(x), the standard normal distribution function: ½·erfc(−x/√2), without cancellation for x < 0. */
export function normalCdfScalar(x: number): number {
  return 0.5 * erfcScalar(-x * Math.SQRT1_2);
}

// y = erf x        ∂y/∂x = (2/√π)·e^(−x²)
export const erfOp = defineOp({
  name: 'erf',
  inputs: ['x'],
  kernel: mapKernel(erfScalar),
  derivatives: {
    x: { formula: '∂erf(x)/∂x = (2/√π)·e^(−x²)', partial: ({ x }) => mul(TWO_OVER_SQRT_PI, exp(mul(-1, square(x)))) },
  },
});

/** The error function elementwise. */
export function erf(x: TensorLike): Tensor {
  return erfOp.apply([toTensor(x)], undefined);
}
