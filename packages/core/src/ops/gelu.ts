import { GradlabError } from '../errors.ts';
import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { add } from './add.ts';
import { erf, normalCdfScalar } from './erf.ts';
import { exp } from './exp.ts';
import { mapKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { square } from './square.ts';
import { sub } from './sub.ts';
import { tanh } from './tanh.ts';

const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const BETA = 0.7978845608028654; // √(2/π)
const KAPPA = 0.044715;

/** x·Φ(x) with Φ the standard normal distribution function. */
function geluScalar(x: number): number {
  return x * normalCdfScalar(x);
}

/** ½x(1 + tanh(√(2/π)(x + 0.044715x³))), in PyTorch's order of operations. */
function geluTanhScalar(x: number): number {
  return 0.5 * x * (1 + Math.tanh(BETA * (x + KAPPA * (x * x * x))));
}

// y = x·Φ(x)       ∂y/∂x = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)
export const geluOp = defineOp({
  name: 'gelu',
  inputs: ['x'],
  kernel: mapKernel(geluScalar),
  derivatives: {
    x: {
      formula: '∂(x·Φ(x))/∂x = Φ(x) + x·φ(x)',
      // Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π)
      partial: ({ x }) =>
        add(mul(0.5, add(1, erf(mul(Math.SQRT1_2, x)))), mul(x, mul(INV_SQRT_2PI, exp(mul(-0.5, square(x)))))),
    },
  },
});

// y = ½x(1 + t), t = tanh u, u = √(2/π)(x + 0.044715x³)
//   ∂y/∂x = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)
export const geluTanhOp = defineOp({
  name: 'gelu',
  inputs: ['x'],
  kernel: mapKernel(geluTanhScalar),
  derivatives: {
    x: {
      formula: '∂y/∂x = ½(1+t) + ½x(1−t²)·√(2/π)(1+3·0.044715x²), t = tanh(√(2/π)(x+0.044715x³))',
      partial: ({ x }) => {
        const x2 = square(x);
        const t = tanh(mul(BETA, add(x, mul(KAPPA, mul(x2, x)))));
        const du = mul(BETA, add(1, mul(3 * KAPPA, x2)));
        return add(mul(0.5, add(1, t)), mul(mul(0.5, x), mul(sub(1, square(t)), du)));
      },
    },
  },
  describe: () => "gelu(approximate='tanh')",
});

export interface GeluOptions {
  /** 'none' (default): x·Φ(x) with the exact erf; 'tanh': PyTorch's tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/** The Gaussian error linear unit, x·Φ(x) (or its tanh approximation). */
export function gelu(x: TensorLike, options?: GeluOptions): Tensor {
  const approximate = options?.approximate ?? 'none';
  if (approximate === 'none') return geluOp.apply([toTensor(x)], undefined);
  if (approximate === 'tanh') return geluTanhOp.apply([toTensor(x)], undefined);
  throw new GradlabError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
}
