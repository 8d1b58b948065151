import { defineOp } from '../op.ts';
import { toTensor, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel, zipKernel } from './kernels.ts';
import { mul } from './mul.ts';
import { sub } from './sub.ts';

// y = tanh x       ∂y/∂x = 1 − tanh²x = 1 − y²
export const tanhOp = defineOp({
  name: 'tanh',
  inputs: ['x'],
  kernel: mapKernel(Math.tanh),
  derivatives: {
    x: {
      formula: '∂y/∂x = 1−y²',
      partial: ({ result }) => sub(1, mul(result, result)),
      vjp: ({ grad, result }) => tanhBackward(grad, result),
    },
  },
});

// tanh's backward pass as one op (PyTorch's tanh_backward), with the incoming gradient dy:
// dx = dy·(1−y·y), the same float operations as mul(dy, sub(1, mul(y, y)))
//   ∂dx/∂dy = 1−y²        ∂dx/∂y = −2·dy·y
export const tanhBackwardOp = defineOp({
  name: 'tanhBackward',
  inputs: ['dy', 'y'],
  kernel: zipKernel((dy, y) => dy * (1 - y * y)),
  derivatives: {
    dy: {
      formula: '∂(dy·(1−y²))/∂dy = 1−y²',
      partial: ({ y }) => sub(1, mul(y, y)),
      vjp: ({ grad, y }) => tanhBackward(grad, y),
    },
    y: { formula: '∂(dy·(1−y²))/∂y = −2·dy·y', partial: ({ dy, y }) => mul(mul(-2, dy), y) },
  },
});

export function tanh(x: TensorLike): Tensor {
  return tanhOp.apply([toTensor(x)], undefined);
}

/** dy·tanh′ given tanh's result y: dy·(1−y·y). */
export function tanhBackward(dy: TensorLike, y: TensorLike): Tensor {
  return tanhBackwardOp.apply([toTensor(dy), toTensor(y)], undefined);
}
