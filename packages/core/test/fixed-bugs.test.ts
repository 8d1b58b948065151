// Bugs found in core by the test suite, each kept as a test of its fix.
import { describe, expect, it } from 'vitest';
import { broadcastTo, concat, defineOp, detectAnomaly, grad, map, pow, split, sum, tensor, zeros, GradlabError } from '../src/index.ts';

describe('fixed core bugs (found by the test suite)', () => {
  // Op.apply (op.ts) + inputGradient (autograd.ts): the rule's own ops are checked as
  // "forward" ops, so a backward anomaly is reported as the forward of an internal op the user
  // never wrote (pow(-0.5)), and inputGradient's "backward produced" message is never reached.
  it('detectAnomaly reports an Infinity in backward as the backward of the op the user wrote', () => {
    const x = tensor([4, 0], { requiresGrad: true });
    const y = sum(pow(x, 0.5));
    // got: "detectAnomaly: pow(-0.5) forward produced Infinity at element 1 of its result [2] (inputs x: [2])"
    expect(() => detectAnomaly(() => y.backward())).toThrow(
      "detectAnomaly: pow(0.5) backward produced Infinity in the gradient for input 'x' [2] (inputs x: [2])",
    );
  });

  // inputGradient (autograd.ts): sumTo() runs before the shape check, so a rule that returns
  // a gradient of an incompatible shape fails inside reshape, naming neither the op nor the input.
  it('a rule giving a gradient of the wrong shape is an error naming the op and the input', () => {
    const badShape = defineOp({
      name: 'badShape',
      inputs: ['x'],
      forward: ([x]) => map(x, (v) => v),
      derivatives: { x: { formula: 'wrong', vjp: () => zeros([5]) } },
    });
    const x = tensor([1, 2, 3], { requiresGrad: true });
    // got: "reshape: cannot reshape [5] (5 elements) to [3]"
    expect(() => sum(badShape.apply([x], undefined)).backward()).toThrow(
      "badShape: the rule for input 'x' gave a gradient of shape [5], but the input has shape [3]",
    );
  });

  // src/ops/sum.ts describe() printed 'all' for an empty axis list (the identity) and
  // sum(axis=0,1) for a full sum; now a full sum is labelled 'sum'.
  it('sum labels: a full sum is `sum`, an empty axis list is `sum(no axes)`', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const s = sum(x, []);
    expect(Array.from(s.data)).toEqual([1, 2, 3]);
    expect(s.op!.label(s.attrs)).toBe('sum(no axes)');
    const full = sum(tensor([[1, 2]], { requiresGrad: true }));
    expect(full.op!.label(full.attrs)).toBe('sum');
  });

  // src/ops/slice.ts sliceAxis: a slice with as many elements as x was taken to be all of x,
  // so every piece of an empty x (split, and concat's gradient) was x itself. Found by the
  // concat∘split property (ops-properties.test.ts).
  it('split of an empty tensor gives pieces of the sizes asked for', () => {
    const x = zeros([3, 0, 5]);
    // got: [3,0,5] three times
    expect(split(x, [2, 0, 3], 2).map((p) => p.shape)).toEqual([[3, 0, 2], [3, 0, 0], [3, 0, 3]]);
    const a = tensor(new Float64Array(0), { shape: [0, 2], requiresGrad: true });
    const b = tensor(new Float64Array(0), { shape: [0, 3], requiresGrad: true });
    expect(grad(sum(concat([a, b], 1)), [a, b]).map((g) => g.shape)).toEqual([[0, 2], [0, 3]]);
  });

  // src/ops/broadcastTo.ts: the target shape was not checked, so a negative dimension reached
  // the allocation as a RangeError. Found by the fuzz of every op (ops-properties.test.ts).
  it('broadcastTo a shape with a negative dimension is a GradlabError', () => {
    // got: RangeError: Invalid typed array length: -1
    expect(() => broadcastTo(tensor(1), [-1])).toThrow(GradlabError);
    expect(() => broadcastTo(tensor(1), [-1])).toThrow('broadcastTo: shape: dimension 0 of shape [-1] must be an integer ≥ 0, got -1');
  });
});
