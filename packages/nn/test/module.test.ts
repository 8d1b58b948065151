// Module: typed multi-input forward, registration, deduplicated parameters (weight sharing),
// the module tree (children, modules, apply), train/eval, buffers in the state dict.
import { describe, expect, it } from 'vitest';
import { GradlabError, tensor, zeros, type Tensor } from '@gradlab/core';
import { BatchNorm1d, Linear, Module, ReLU, Sequential, SGD, StateDictError, Tanh, type AnyModule } from '../src/index.ts';

/** h' = tanh(x·Wx + h·Wh): forward takes two tensors, checked by the type system. */
class TwoInputs extends Module<[Tensor, Tensor], Tensor> {
  readonly wx = this.registerParameter('wx', tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true }));
  readonly wh = this.registerParameter('wh', tensor([[1, 0], [0, -1]], { requiresGrad: true }));
  forward(x: Tensor, h: Tensor): Tensor {
    return x.matmul(this.wx).add(h.matmul(this.wh)).tanh();
  }
}

/** Uses one Linear twice (y = f(f(x))) and also registers its weight under a second name. */
class Shared extends Module {
  readonly layer = this.addModule('layer', new Linear(2, 2, { seed: 3 }));
  readonly again = this.addModule('again', this.layer);
  constructor() {
    super();
    this.registerParameter('tied', this.layer.weight);
  }
  forward(x: Tensor): Tensor {
    return this.again.forward(this.layer.forward(x));
  }
}

describe('Module', () => {
  it('forward takes several typed inputs', () => {
    const m = new TwoInputs();
    const y = m.forward(tensor([[1, 2]]), tensor([[3, 4]]));
    // x·Wx = [1·0.5 + 2·2, 1·(−1) + 2·0.25] = [4.5, −0.5]; h·Wh = [3, −4]; tanh([7.5, −4.5])
    expect(Array.from(y.data)).toEqual([Math.tanh(7.5), Math.tanh(-4.5)]);
    // @ts-expect-error: a second tensor is required
    expect(() => m.forward(tensor([[1, 2]]))).toThrow();
  });

  it('lists a shared module and a shared weight once, under the first name', () => {
    const m = new Shared();
    // own parameters come before the children's (pre-order, as PyTorch): 'tied' is the weight's first name
    expect(m.namedParameters().map(([n]) => n)).toEqual(['tied', 'layer.bias']);
    expect(m.namedParameters()[0][1]).toBe(m.layer.weight);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'layer']);
    expect(m.children().map(([n]) => n)).toEqual(['layer', 'again']);
    expect(Object.keys(m.stateDict())).toEqual(['tied', 'layer.bias']);
    // an optimizer takes them (no "appears twice") and the weight gets the sum of both uses' gradients
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const x = tensor([[1, -1]]);
    m.forward(x).sum().backward();
    const W = m.layer.weight.data;
    const b = m.layer.bias!.data;
    // y = W·(W·x + b) + b (Linear: x·Wᵀ); ∂sum(y)/∂W = 1·zᵀ + (Wᵀ·1)·xᵀ with z = W·x + b
    const z = [W[0] * 1 + W[1] * -1 + b[0], W[2] * 1 + W[3] * -1 + b[1]];
    const u = [W[0] + W[2], W[1] + W[3]];
    const expected = [z[0] + u[0] * 1, z[1] + u[0] * -1, z[0] + u[1] * 1, z[1] + u[1] * -1];
    Array.from(m.layer.weight.grad!.data).forEach((g, i) => expect(g).toBeCloseTo(expected[i], 14));
    const before = Array.from(W);
    opt.step();
    expect(Array.from(W)).toEqual(before.map((w, i) => w - 0.1 * m.layer.weight.grad!.data[i]));
  });

  it('walks the tree: children, modules (pre-order), apply (children first), train/eval', () => {
    const inner = new Sequential(new Linear(2, 3), new BatchNorm1d(3));
    const model = new Sequential(inner, new ReLU(), new Linear(3, 1));
    expect(model.namedModules().map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual([
      ':Sequential', '0:Sequential', '0.0:Linear', '0.1:BatchNorm1d', '1:ReLU', '2:Linear',
    ]);
    const order: string[] = [];
    model.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Linear', 'BatchNorm1d', 'Sequential', 'ReLU', 'Linear', 'Sequential']);
    expect(model.modules().every((m) => m.training)).toBe(true);
    expect(model.eval()).toBe(model);
    expect(model.modules().some((m) => m.training)).toBe(false);
    model.train();
    expect(model.modules().every((m) => m.training)).toBe(true);
  });

  it('keeps buffers out of parameters() but in the state dict, after the parameters of their module', () => {
    const model = new Sequential(new Linear(2, 3), new BatchNorm1d(3));
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(model.namedBuffers().map(([n]) => n)).toEqual(['1.runningMean', '1.runningVar', '1.numBatchesTracked']);
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.runningMean', '1.runningVar', '1.numBatchesTracked']);
    const copy = new Sequential(new Linear(2, 3, { seed: 9 }), new BatchNorm1d(3));
    model.forward(tensor([[1, 2], [3, -4], [0, 1]])); // moves the running statistics
    const version = (copy.at(1) as BatchNorm1d).runningMean!.version;
    copy.loadStateDict(model.stateDict());
    expect(copy.stateDict()).toEqual(model.stateDict());
    expect((copy.at(1) as BatchNorm1d).runningMean!.version).toBe(version + 1); // counted as changed in place
  });

  it('walks a tree 20,000 deep without recursion', () => {
    class Wrap extends Module {
      constructor(readonly child: AnyModule | null) {
        super();
        if (child) this.addModule('c', child);
        else this.registerParameter('w', zeros([1], { requiresGrad: true }));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    let m: AnyModule = new Wrap(null);
    for (let i = 0; i < 20_000; i++) m = new Wrap(m);
    expect(m.namedParameters()).toHaveLength(1);
    expect(m.namedParameters()[0][0]).toBe(`${'c.'.repeat(20_000)}w`);
    expect(m.modules()).toHaveLength(20_001);
    expect(() => m.eval().apply(() => {}).zeroGrad()).not.toThrow();
  }, 60_000);

  it('refuses bad registrations and bad state dicts with GradlabErrors naming them', () => {
    class Bad extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
      add(kind: 'p' | 'b' | 'm', name: string, value: unknown): void {
        if (kind === 'p') this.registerParameter(name, value as Tensor);
        else if (kind === 'b') this.registerBuffer(name, value as Tensor);
        else this.addModule(name, value as AnyModule);
      }
    }
    const m = new Bad();
    expect(() => m.add('p', 'a.b', zeros([1], { requiresGrad: true }))).toThrow("Bad.registerParameter: the name must be a non-empty string without '.', got \"a.b\"");
    expect(() => m.add('p', 'w', zeros([1]))).toThrow("Bad.registerParameter: 'w' must be a leaf tensor with requiresGrad");
    m.add('b', 'w', zeros([1]));
    expect(() => m.add('m', 'w', new Tanh())).toThrow("Bad.addModule: the name 'w' is already used");
    expect(() => m.add('m', 'x', {})).toThrow("Bad.addModule: 'x' is not a Module");
    expect(() => m.loadStateDict(null as never)).toThrow(StateDictError);
    expect(() => m.loadStateDict({ w: [1] } as never)).toThrow('w: expected { shape, data }, got an array');
    expect(new StateDictError('x', [])).toBeInstanceOf(GradlabError);
  });

  it('has no config() until a custom module defines one', () => {
    expect(() => new TwoInputs().config()).toThrow(
      "TwoInputs.config(): this module cannot be saved yet: override config() to return { kind: 'TwoInputs', ...its arguments } and register the kind",
    );
    expect(new TwoInputs().describe()).toBe('TwoInputs');
    expect(new Shared().describe()).toBe('Shared(Linear(2→2), Linear(2→2))');
  });
});
