import { describeValue, GradlabError } from '../errors.ts';
import { defineOp, type KernelBase } from '../op.ts';
import { formatShape, sameShape } from '../shape.ts';
import { Tensor, toTensor, type TensorLike } from '../tensor.ts';

export interface AssignAttrs {
  /** The buffer written in place. */
  readonly target: Tensor;
}

/** y = x, and target ← x in place (counted as a change of target). */
const assignKernel: KernelBase<AssignAttrs> & { readonly kind: 'effect' } = {
  kind: 'effect',
  shape: ([x]) => x.shape,
  run: (out, [x], { target }) => {
    const values = x.data;
    out.set(values);
    target.data.set(values);
    target.markChanged();
  },
};

// target ← x (an effect: a compiled program keeps and replays it, in order), y = x's values
export const assignOp = defineOp({
  name: 'assign',
  inputs: ['x'],
  kernel: assignKernel,
  derivatives: { x: { notDifferentiable: 'a write into a buffer (running statistics): state, not part of the function being differentiated' } },
  describe: ({ target }) => `assign(→${target.name ?? formatShape(target.shape)})`,
});

/**
 * `assign(target, value)`: writes value's values into target in place (counted as a change,
 * `markChanged`) and returns target: a buffer's update, such as BatchNorm's running statistics
 * `assign(runningMean, runningMean.mul(1 − m).add(mean.mul(m)))`. It is an op, so a `compile`d
 * step records it and every replay repeats it, in order, reading the buffer's current values.
 * No gradient flows through it. target must be a leaf that does not require grad (a
 * parameter's values are an optimizer's to change) and value must have its shape.
 */
export function assign(target: Tensor, value: TensorLike): Tensor {
  if (!(target instanceof Tensor)) throw new GradlabError(`assign: target must be a Tensor, got ${describeValue(target)}`);
  if (target.requiresGrad || !target.isLeaf) {
    throw new GradlabError(
      `assign: target ${formatShape(target.shape)} ${target.requiresGrad ? 'requires grad' : 'is the result of an op'}: ` +
        'assign writes buffers (leaves without gradients); a parameter is changed by an optimizer, or by set() outside a step',
    );
  }
  const x = toTensor(value);
  if (!sameShape(x.shape, target.shape)) {
    throw new GradlabError(`assign: value ${formatShape(x.shape)} must have the target's shape ${formatShape(target.shape)}`);
  }
  assignOp.apply([x], { target });
  return target;
}
