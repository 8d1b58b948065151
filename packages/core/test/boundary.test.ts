// Bad input at the API boundary gets gradlab's own error, naming the function, the argument and
// the value, before anything is allocated: each case here used to end in a raw TypeError, a
// misleading message, a stack overflow or minutes of allocation.
import { describe, expect, it } from 'vitest';
import { add, clamp, div, full, grad, GradlabError, MAX_ELEMENTS, ones, rand, sum, tensor, zeros } from '../src/index.ts';

const raises = (fn: () => unknown, message: string) => {
  expect(fn).toThrow(GradlabError);
  expect(fn).toThrow(message);
};

describe('tensor() and the factories', () => {
  it('refuse what is not numbers, saying what they got', () => {
    raises(() => tensor('abc' as never), "tensor: expected a number, nested arrays of numbers or a typed array, got string 'abc'");
    raises(() => tensor([[1, 'x']] as never), "tensor: ragged nested array at [0][1]: expected a number, got string 'x'");
    raises(() => tensor([[1], [null]] as never), 'tensor: ragged nested array at [1][0]: expected a number, got null');
    raises(() => zeros(null as never), 'zeros: shape: a shape must be an array of dimensions, got null');
    raises(() => full([2], 'x' as never), "full: the fill value must be a number, got string 'x'");
    raises(() => rand([2], undefined as never), 'rand: rng must have a next() method');
  });

  it('accept every typed array of numbers, as float64 copies', () => {
    const f32 = new Float32Array([0.5, 1.5, -2]);
    const t = tensor(f32);
    expect(t.shape).toEqual([3]);
    expect(Array.from(t.data)).toEqual([0.5, 1.5, -2]);
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(Array.from(tensor(new Int32Array([1, -2, 3, 4]), { shape: [2, 2] }).data)).toEqual([1, -2, 3, 4]);
    expect(Array.from(tensor(new Uint8Array([255, 0])).data)).toEqual([255, 0]);
  });

  it('refuse negative, fractional or non-numeric dimensions', () => {
    raises(() => zeros([2, -1]), 'zeros: shape: dimension 1 of shape [2,-1] must be an integer ≥ 0, got -1');
    raises(() => ones([1.5]), 'ones: shape: dimension 0 of shape [1.5] must be an integer ≥ 0, got 1.5');
    raises(() => full(['2'] as never, 1), "full: shape: dimension 0 of shape [2] must be an integer ≥ 0, got string '2'");
    raises(() => tensor([1, 2, 3, 4], { shape: [2, -2] }), 'tensor: options.shape: dimension 1 of shape [2,-2] must be an integer ≥ 0, got -2');
  });

  it('refuse a size over the limit at once, before allocating', () => {
    const started = performance.now();
    raises(() => zeros([2 ** 31]), `zeros: shape [2147483648] has 2147483648 elements, more than the limit of ${MAX_ELEMENTS} (2^27)`);
    raises(() => zeros([2 ** 20, 2 ** 20]), 'more than the limit');
    // a broadcast that would be too large is refused by the op, before its result is allocated
    raises(() => add(zeros([100_000, 1]), zeros([1, 100_000])), 'add: the result [100000,100000] would have 10000000000 elements');
    expect(performance.now() - started).toBeLessThan(5000); // generous: it used to take 80 s
  });

  it('read a 10,000-deep nested array without overflowing the stack', () => {
    let deep: unknown = 7;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const t = tensor(deep as never);
    expect(t.rank).toBe(10_000);
    expect(t.item()).toBe(7);
  });
});

describe('ops and gradients', () => {
  it('a division that cannot broadcast blames div, not the mul it is made of', () => {
    raises(() => div(tensor([1, 2]), tensor([1, 2, 3])), 'div: cannot broadcast [2] with [3]');
  });

  it('clamp with one bound left out clamps on one side only (as PyTorch); a non-number bound is refused', () => {
    expect(Array.from(clamp(tensor([-5, 0.5, 5]), undefined, 1).data)).toEqual([-5, 0.5, 1]);
    expect(Array.from(clamp(tensor([-5, 0.5, 5]), 0).data)).toEqual([0, 0.5, 5]);
    expect(Number.isNaN(clamp(tensor([NaN]), 0, 1).data[0])).toBe(true);
    raises(() => clamp(tensor([1]), 'a' as never, 1), "clamp: min must be a number or undefined, got string 'a'");
  });

  it('grad() with something other than tensors names the argument', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    raises(() => grad(sum(x), [5 as never]), 'grad: input 0 is not a Tensor (got number)');
    raises(() => grad(5 as never, [x]), 'grad: output 0 is not a Tensor (got number)');
  });
});
