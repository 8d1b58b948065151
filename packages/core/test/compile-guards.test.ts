// compile's per-replay guards (issue 13): a parameter replaced, reshaped, swapped, frozen or
// unfrozen after the step was recorded must not be replayed silently with the old buffer.
// Each case here gave a wrong answer without an error before the guards.
import { describe, expect, it } from 'vitest';
import { compile, GradlabError, mul, sigmoid, tensor, type Tensor } from '../src/index.ts';
import { PlainSGD } from './helpers.ts';

/** A tiny model with named parameters, as nn's Module lists them. */
class TinyModel {
  weight: Tensor = tensor([[0.5, -0.25], [0.125, 0.75]], { requiresGrad: true, name: 'weight' });
  bias: Tensor = tensor([0.1, -0.2], { requiresGrad: true, name: 'bias' });
  forward(x: Tensor): Tensor {
    return sigmoid(x.matmul(this.weight).add(this.bias));
  }
  namedParameters(): [string, Tensor][] {
    return [['layer.weight', this.weight], ['layer.bias', this.bias]];
  }
}

const x = tensor([[1, 2], [3, -1]]);
const lossOf = (y: Tensor) => mul(y, y).sum();

/** Runs a compiled step three times (record, verify, first plain replay). */
function warm(run: () => unknown): void {
  for (let i = 0; i < 3; i++) run();
}

describe('compile guards its parameters on every replay', () => {
  it('a parameter of the declared source replaced by another tensor: an error naming it (was: the old one kept training)', () => {
    const model = new TinyModel();
    const step = compile((xb: Tensor) => lossOf(model.forward(xb)), { parameters: model });
    warm(() => step.run(x));
    model.weight = tensor([[1, 1], [1, 1]], { requiresGrad: true });
    expect(() => step.run(x)).toThrow(GradlabError);
    expect(() => step.run(x)).toThrow(/compile: parameter 'layer\.weight' \[2,2\] was replaced by another tensor \[2,2\]/);
    // putting the recorded tensor back makes the program valid again
  });

  it('a closure that now reads another tensor, declared as a function: an error naming it', () => {
    let w = tensor([[0.5], [-1]], { requiresGrad: true, name: 'w' });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w)), { parameters: () => [w] });
    warm(() => step.run(x));
    w = tensor([[2, 3], [4, 5]], { requiresGrad: true });
    expect(() => step.run(x)).toThrow(/compile: parameter 0 'w' \[2,1\] was replaced by another tensor \[2,2\]/);
  });

  it('without options.parameters, a tensor replaced before the second run is caught by its check (the documented limit: not later)', () => {
    let w = tensor([[0.5], [-1]], { requiresGrad: true, name: 'w' });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w)));
    step.run(x);
    w = tensor([[0.5], [-1]], { requiresGrad: true, name: 'w' }); // the same values, another tensor
    expect(() => step.run(x)).toThrow(/compile: the replayed step differs from the eager step/);
  });

  it('a parameter added to or removed from the source', () => {
    const params: Tensor[] = [tensor([[0.5], [-1]], { requiresGrad: true })];
    const step = compile((xb: Tensor) => lossOf(xb.matmul(params[0])), { parameters: () => params });
    warm(() => step.run(x));
    params.push(tensor([1], { requiresGrad: true }));
    expect(() => step.run(x)).toThrow(/compile: the parameters now number 2, but the step was recorded with 1/);
  });

  it('with an optimizer, the updates keep going to the tensors the model holds (same tensors: no error)', () => {
    const model = new TinyModel();
    const opt = new PlainSGD([model.weight, model.bias], 0.1);
    const step = compile((xb: Tensor) => lossOf(model.forward(xb)), { parameters: model, optimizer: opt });
    const before = Array.from(model.weight.data);
    for (let i = 0; i < 5; i++) step.run(x);
    expect(Array.from(model.weight.data)).not.toEqual(before);
  });

  it("a parameter's shape changed behind the API: an error (was: replayed with the recorded shape)", () => {
    const w = tensor([[0.5, -1]], { requiresGrad: true, name: 'w' });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w.reshape([2, 1]))));
    warm(() => step.run(x));
    (w as unknown as { shape: number[] }).shape = [2, 1];
    expect(() => step.run(x)).toThrow(/compile: parameter 'w' was recorded with shape \[1,2\], now has \[2,1\]/);
  });

  it("a parameter whose .data was swapped for another buffer: an error (was: read one buffer, updated the other)", () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true, name: 'w' });
    const opt = new PlainSGD([w], 0.1);
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w)), { optimizer: opt });
    warm(() => step.run(x));
    Object.defineProperty(w, 'data', { value: new Float64Array([3, 4]), configurable: true });
    expect(() => step.run(x)).toThrow(/compile: parameter 'w' \[2,1\]: its values buffer \(\.data\) was replaced/);
  });

  it('a parameter frozen (requiresGrad = false) after recording: an error (was: still given a gradient and updated)', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true, name: 'w' });
    const opt = new PlainSGD([w], 0.1);
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w)), { optimizer: opt });
    warm(() => step.run(x));
    w.requiresGrad = false;
    const before = Array.from(w.data);
    expect(() => step.run(x)).toThrow(/compile: parameter 'w' \[2,1\] no longer requires grad/);
    expect(Array.from(w.data)).toEqual(before);
  });

  it('a tensor from outside the step that starts to require grad: an error (was: never given a gradient)', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true, name: 'w' });
    const scale = tensor([2], { name: 'scale' });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w).mul(scale)));
    warm(() => step.run(x));
    scale.requiresGrad = true;
    expect(() => step.run(x)).toThrow(/compile: 'scale' \[1\] now requires grad/);
  });

  it('an input that requires grad is refused at every run, not only the first (was: replayed, and given no gradient)', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w)));
    warm(() => step.run(x));
    const xg = tensor([[1, 2], [3, -1]], { requiresGrad: true });
    expect(() => step.run(xg)).toThrow('compile: input 0 requires grad; a compiled step gives gradients for parameters (tensors from outside the step)');
  });

  it('values changed in place (set, an optimizer) are what the replays read: no error', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true, name: 'w' });
    const step = compile((xb: Tensor) => lossOf(xb.matmul(w)));
    warm(() => step.run(x));
    w.set([1, 2]);
    const loss = step.run(x).item();
    // eager: x·[1, 2] = [5, 1], loss 26
    expect(loss).toBe(26);
  });
});

describe('set() refuses values of another shape (issue 13)', () => {
  it('a tensor of another shape with the same count, and nested arrays of another shape', () => {
    const p = tensor([1, 2, 3, 4], { requiresGrad: true });
    expect(() => p.set(tensor([[5, 6], [7, 8]]))).toThrow(/set: values of shape \[2,2\] for a tensor of shape \[4\]/);
    const q = tensor([1, 2], { requiresGrad: true });
    // was: two NaNs written silently (each inner array became NaN)
    expect(() => q.set([[5, 6], [7, 8]])).toThrow(/set: values of shape \[2,2\] for a tensor of shape \[2\]/);
    expect(Array.from(q.data)).toEqual([1, 2]);
    expect(() => q.set(['a', 2] as unknown as number[])).toThrow(/set: expected numbers/);
  });

  it('accepts flat values, typed arrays, nested arrays and tensors of the same shape', () => {
    const p = tensor([[1, 2], [3, 4]]);
    p.set([5, 6, 7, 8]);
    expect(Array.from(p.data)).toEqual([5, 6, 7, 8]);
    p.set([[1, 1], [2, 2]]);
    expect(Array.from(p.data)).toEqual([1, 1, 2, 2]);
    p.set(new Float32Array([0, 1, 2, 3]));
    expect(Array.from(p.data)).toEqual([0, 1, 2, 3]);
    p.set(tensor([[9, 8], [7, 6]]));
    expect(Array.from(p.data)).toEqual([9, 8, 7, 6]);
    expect(p.version).toBe(4);
  });
});

describe('options.parameters itself is checked', () => {
  it('not a module or a function; a function giving no list; an item that is not a tensor', () => {
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const f = (xb: Tensor) => lossOf(xb.matmul(w));
    expect(() => compile(f, { parameters: 3 as unknown as () => Tensor[] })).toThrow(
      'compile: options.parameters must be a module (with namedParameters()) or a function returning the parameter tensors',
    );
    expect(() => compile(f, { parameters: () => 5 as unknown as Tensor[] }).run(x)).toThrow(
      'compile: options.parameters must give a list of tensors (or of [name, tensor]), got 5',
    );
    expect(() => compile(f, { parameters: () => [w, 'b' as unknown as Tensor] }).run(x)).toThrow(
      "compile: options.parameters gave item 1, which is not a Tensor",
    );
    const list: unknown[] = [w];
    const step = compile(f, { parameters: () => list as Tensor[] });
    warm(() => step.run(x));
    list[0] = null;
    expect(() => step.run(x)).toThrow("compile: parameter 0 [2,1] was replaced by null since the step was recorded");
  });
});
