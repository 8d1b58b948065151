// Bugs found in core by the test suite, each kept as a test of its fix.
import { describe, expect, it } from 'vitest';
import { defineOp, detectAnomaly, map, pow, sum, tensor, zeros } from '../src/index.ts';

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
});
