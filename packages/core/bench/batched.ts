// Full-batch training of [2,64,64,1] (sigmoid, no bias, MSE, SGD) on generateLinear(4096):
// every matmul, forward and backward, is counted as 2·m·n·k floating-point operations.
import { compile, type Tensor } from '../src/index.ts';
import { generateLinear } from '../../data/src/index.ts';
import { mlp, mseLoss, SGD, type Sequential } from '../../nn/src/index.ts';

export const BATCH_DIMS = [2, 64, 64, 1] as const;
export const BATCH_SIZE = 4096;
const LR = 0.5;

/** Matmul flops of one training step: forward x·W, backward ∂L/∂W = xᵀ·g and ∂L/∂x = g·Wᵀ (not for the input). */
export function stepFlops(dims: readonly number[], batch: number): number {
  let flops = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    const layer = 2 * batch * dims[l] * dims[l + 1];
    flops += layer; // forward
    flops += layer; // ∂L/∂W
    if (l > 0) flops += layer; // ∂L/∂(layer input); the data needs no gradient
  }
  return flops;
}

export interface BatchedCase {
  name: string;
  step: () => void;
  model: Sequential;
}

function setup() {
  const data = generateLinear(BATCH_SIZE);
  const model = mlp([...BATCH_DIMS], { bias: false, seed: 3, init: 'xavier' });
  return { x: data.inputs, y: data.labels, model, optimizer: new SGD(model.parameters(), { lr: LR }) };
}

export function batchedEager(): BatchedCase {
  const { x, y, model, optimizer } = setup();
  return {
    name: 'eager',
    step: () => {
      optimizer.zeroGrad();
      mseLoss(model.forward(x), y).backward();
      optimizer.step();
    },
    model,
  };
}

export function batchedCompiled(): BatchedCase {
  const { x, y, model, optimizer } = setup();
  const step = compile((xb: Tensor, yb: Tensor) => mseLoss(model.forward(xb), yb));
  return {
    name: 'compiled',
    step: () => {
      step.run(x, y);
      optimizer.step();
    },
    model,
  };
}
