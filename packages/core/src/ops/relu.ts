import { defineOp } from '../op.ts';
import { toTensor, zeros, type Tensor, type TensorLike } from '../tensor.ts';
import { mapKernel, zipKernel } from './kernels.ts';
import { step } from './step.ts';

// y = max(x, 0)    ∂y/∂x = [x > 0]   (0 at x = 0, as PyTorch)
export const reluOp = defineOp({
  name: 'relu',
  inputs: ['x'],
  kernel: mapKernel((x) => (x > 0 ? x : 0)),
  derivatives: {
    x: { formula: '∂y/∂x = [x>0]', partial: ({ x }) => step(x), vjp: ({ grad, x }) => reluBackward(grad, x) },
  },
});

// relu's backward pass as one op (PyTorch's threshold_backward), with the incoming gradient dy:
// dx = dy·[x>0], the same float operations as mul(dy, step(x))
//   ∂dx/∂dy = [x>0]        ∂dx/∂x = 0 (for x ≠ 0)
export const reluBackwardOp = defineOp({
  name: 'reluBackward',
  inputs: ['dy', 'x'],
  kernel: zipKernel((dy, x) => dy * (x > 0 ? 1 : 0)),
  derivatives: {
    dy: { formula: '∂(dy·[x>0])/∂dy = [x>0]', partial: ({ x }) => step(x), vjp: ({ grad, x }) => reluBackward(grad, x) },
    x: { formula: '∂(dy·[x>0])/∂x = 0 (for x ≠ 0)', partial: ({ x }) => zeros(x.shape) },
  },
});

export function relu(x: TensorLike): Tensor {
  return reluOp.apply([toTensor(x)], undefined);
}

/** dy·relu′(x): dy·[x>0]. */
export function reluBackward(dy: TensorLike, x: TensorLike): Tensor {
  return reluBackwardOp.apply([toTensor(dy), toTensor(x)], undefined);
}
