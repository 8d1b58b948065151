// Every error says what went wrong in the problem's words: the op, the shapes, the input.
// Anomaly mode names the op that first produced NaN or ±Infinity.
import { afterEach, describe, expect, it } from 'vitest';
import {
  add, broadcastTo, clamp, defineOp, detectAnomaly, div, grad, gradcheck, isAnomalyDetectionEnabled, leakyRelu,
  localDerivatives, log, map, matmul, mean, mul, pow, reshape, setAnomalyDetection, sum, tensor, toDot, transpose,
  zeros, zip,
} from '../src/index.ts';

const A23 = () => tensor([[1, 2, 3], [4, 5, 6]]);

describe('error messages', () => {
  it.each([
    ['matmul inner dimensions', () => matmul(tensor([[1, 2]]), zeros([3, 3])), 'matmul: [1,2] @ [3,3]: inner dimensions differ (2 vs 3)'],
    ['matmul of a vector, inner dimensions', () => matmul(tensor([1, 2]), zeros([3, 2])), 'matmul: [2] @ [3,2]: inner dimensions differ (2 vs 3)'],
    ['matmul of a scalar', () => matmul(tensor(2), zeros([2, 2])), 'matmul: [] @ [2,2]: both operands need at least one axis (use mul for a scalar)'],
    ['matmul batch dimensions', () => matmul(zeros([2, 3, 4]), zeros([3, 4, 5])), 'matmul: [2,3,4] @ [3,4,5]: batch dimensions [2] and [3] do not broadcast'],
    ['add broadcasting', () => add(A23(), zeros([4])), 'add: cannot broadcast [2,3] with [4] (dimension 1: 3 vs 4)'],
    ['mul broadcasting', () => mul(zeros([2, 1]), zeros([3, 2])), 'mul: cannot broadcast [2,1] with [3,2] (dimension 0: 2 vs 3)'],
    ['broadcastTo a smaller shape', () => broadcastTo(A23(), [3]), 'broadcastTo: cannot broadcast [2,3] to [3]'],
    ['broadcastTo an incompatible shape', () => broadcastTo(zeros([3]), [2, 4]), 'broadcastTo: cannot broadcast [3] with [2,4] (dimension 1: 3 vs 4)'],
    ['reshape to a different size', () => reshape(A23(), [4]), 'reshape: cannot reshape [2,3] (6 elements) to [4]'],
    ['reshape with an impossible -1', () => reshape(A23(), [-1, 4]), 'reshape: cannot reshape [2,3] to [-1,4]'],
    ['reshape with two -1', () => reshape(A23(), [-1, -1]), 'reshape: cannot reshape [2,3] (6 elements) to [-1,-1]'],
    ['transpose of a vector', () => transpose(zeros([3])), 'transpose: expected a 2-D tensor, got [3]'],
    ['ragged: short row', () => tensor([[1, 2], [3]]), 'tensor: ragged nested array at [1]: expected 2 elements, got 1'],
    ['ragged: number for a row', () => tensor([[1, 2], 3]), 'tensor: ragged nested array at [1]: expected 2 elements, got 3'],
    ['ragged: row for a number', () => tensor([1, [2]]), 'tensor: ragged nested array at [1]: expected a number, got an array of 1'],
    ['values that do not fill the shape', () => tensor(new Float64Array(5), { shape: [2, 3] }), 'tensor: 5 values cannot have shape [2,3] (needs 6)'],
    ['negative dimension', () => zeros([-1]), 'zeros: shape: dimension 0 of shape [-1] must be an integer ≥ 0, got -1'],
    ['item() on a non-scalar', () => tensor([1, 2]).item(), 'item: tensor of shape [2] has 2 elements, not 1'],
    ['sum axis out of range', () => sum(A23(), 2), 'sum: axis 2 is out of range for a tensor of rank 2'],
    ['sum negative axis out of range', () => sum(A23(), -3), 'sum: axis -3 is out of range for a tensor of rank 2'],
    ['sum repeated axis', () => sum(A23(), [1, -1]), 'sum: repeated axis in [1,-1]'],
    ['mean axis out of range', () => mean(A23(), 2), 'mean: axis 2 is out of range for a tensor of rank 2'],
    ['mean of nothing', () => mean(zeros([0])), 'mean: no elements to average in [0]'],
    ['pow exponent NaN', () => pow(A23(), NaN), 'pow: the exponent must be a number, got NaN'],
    ['clamp range', () => clamp(A23(), 2, 1), 'clamp: invalid range [2, 1] (min > max)'],
    ['division by the number 0', () => div(A23(), 0), 'div: division by the number 0'],
    ['leakyRelu slope', () => leakyRelu(A23(), Infinity), 'leakyRelu: the slope must be a finite number, got Infinity'],
    ['a string operand', () => add(A23(), 'a' as unknown as number), "expected a Tensor or a number, got string 'a'"],
  ])('%s', (_, fn, message) => {
    expect(fn).toThrow(message);
    expect(fn).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('gradcheck with no input requiring grad', () => {
    expect(() => gradcheck((x) => mul(x, 2), [tensor([1])])).toThrow('gradcheck: no input has requiresGrad: true');
  });

  it('backward and grad on tensors that do not require grad', () => {
    expect(() => sum(A23()).backward()).toThrow(
      'backward: this tensor does not require grad (no tensor in its graph has requiresGrad: true)',
    );
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => grad(sum(x), tensor([1]))).toThrow('grad: input 0 ([1]) does not require grad');
    expect(() => grad(tensor([1]), x)).toThrow('grad: output 0 does not require grad');
  });
});

describe('defineOp rules', () => {
  const identity = ([x]: readonly ReturnType<typeof tensor>[]) => map(x, (v) => v);

  it('a missing derivative rule is an error naming the op and the input, not a silent zero', () => {
    const noRule = defineOp({ name: 'noRule', inputs: ['x'], forward: identity, derivatives: {} });
    const x = tensor([1, 2], { requiresGrad: true });
    const y = sum(noRule.apply([x], undefined));
    expect(() => y.backward()).toThrow("noRule: no derivative rule for input 'x'; cannot backpropagate through it");
    expect(x.grad).toBeNull();
    expect(localDerivatives(y.inputs[0])).toEqual([{ input: 'x', formula: '(no rule)', kind: 'none', value: null }]);
  });

  it('a notDifferentiable input is skipped by the walk and shown with its reason', () => {
    // y = x · mask, where the mask is data, not a parameter
    const masked = defineOp({
      name: 'masked',
      inputs: ['x', 'mask'],
      forward: ([x, mask]) => zip('masked', x, mask, (u, m) => u * m),
      derivatives: {
        x: { formula: '∂y/∂x = mask', partial: ({ mask }) => mask },
        mask: { notDifferentiable: 'a 0/1 mask' },
      },
    });
    const x = tensor([3, 4], { requiresGrad: true });
    const mask = tensor([1, 0], { requiresGrad: true });
    const y = masked.apply([x, mask], undefined);
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 0]);
    expect(mask.grad).toBeNull();
    expect(localDerivatives(y)[1]).toEqual({ input: 'mask', formula: 'a 0/1 mask', kind: 'not differentiable', value: null });
    expect(toDot(y)).toContain(`n${mask.id} -> n${y.id} [label="mask: a 0/1 mask"];`);
  });

  it('rejects malformed specs', () => {
    expect(() => defineOp({ name: 'q', inputs: [], forward: identity, derivatives: {} })).toThrow(
      'defineOp: q: an op needs at least one input',
    );
    expect(() => defineOp({ name: 'q', inputs: ['x'], forward: identity, derivatives: { x: { formula: 'f' } } })).toThrow(
      "defineOp: q: the rule for 'x' needs a partial or a vjp",
    );
    const unknownInput = { y: { formula: 'f', partial: () => tensor(1) } } as unknown as Record<'x', never>;
    expect(() => defineOp({ name: 'q', inputs: ['x'], forward: identity, derivatives: unknownInput })).toThrow(
      "defineOp: q: derivative for unknown input 'y'",
    );
    const one = defineOp({ name: 'one', inputs: ['x'], forward: identity, derivatives: {} });
    expect(() => one.apply([tensor(1), tensor(2)], undefined)).toThrow('one: expected 1 inputs, got 2');
  });
});

describe('anomaly mode', () => {
  afterEach(() => setAnomalyDetection(false));

  it('catches a NaN in forward, naming the op and the input shapes', () => {
    expect(() => detectAnomaly(() => log(tensor([-1, 2])))).toThrow(
      'detectAnomaly: log forward produced NaN at element 0 of its result [2] (inputs x: [2])',
    );
    expect(() => detectAnomaly(() => add(tensor([Infinity]), tensor([[-Infinity], [1]])))).toThrow(
      'detectAnomaly: add forward produced NaN at element 0 of its result [2,1] (inputs a: [1], b: [2,1])',
    );
  });

  it('catches an Infinity in backward: √x at 0 has an infinite derivative', () => {
    const x = tensor([4, 0], { requiresGrad: true });
    const y = sum(pow(x, 0.5)); // forward is fine: [2, 0]
    expect(() => detectAnomaly(() => y.backward())).toThrow(/^detectAnomaly: pow\(.*Infinity/);
    expect(x.grad).toBeNull();
  });

  it('catches log at 0 (−Infinity) in forward', () => {
    const x = tensor([1, 0], { requiresGrad: true });
    expect(() => detectAnomaly(() => log(x))).toThrow(
      'detectAnomaly: log forward produced -Infinity at element 1 of its result [2] (inputs x: [2])',
    );
  });

  it('detectAnomaly turns itself off afterwards, even after an error', () => {
    expect(isAnomalyDetectionEnabled()).toBe(false);
    expect(() => detectAnomaly(() => log(tensor(-1)))).toThrow();
    expect(isAnomalyDetectionEnabled()).toBe(false);
    expect(detectAnomaly(() => log(tensor(1))).item()).toBe(0);
  });

  it('setAnomalyDetection switches it on and off globally', () => {
    setAnomalyDetection(true);
    expect(isAnomalyDetectionEnabled()).toBe(true);
    expect(() => log(tensor(-1))).toThrow('detectAnomaly: log forward produced NaN');
    setAnomalyDetection(false);
    expect(isAnomalyDetectionEnabled()).toBe(false);
    expect(Number.isNaN(log(tensor(-1)).item())).toBe(true);
  });

  it('without anomaly mode nothing is thrown: NaN and Infinity flow through', () => {
    expect(Number.isNaN(log(tensor(-1)).item())).toBe(true);
    const x = tensor([4, 0], { requiresGrad: true });
    sum(pow(x, 0.5)).backward();
    expect(x.grad!.data[0]).toBe(0.25);
    expect(x.grad!.data[1]).toBe(Infinity);
  });
});
