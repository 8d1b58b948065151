// The memory model: every tensor a user can reach owns its buffer (no other tensor's values
// share it), and the walk reuses only its own dead gradients. Each case failed before: small
// buffers were carved out of shared 64 KiB blocks, and a walk reused every tensor it made.
import { describe, expect, it } from 'vitest';
import { defineOp, enableGrad, grad, map, matmul, mul, relu, sigmoid, sum, tensor, detectAnomaly, type Tensor } from '../src/index.ts';

const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + i * 1.7));
const owns = (t: Tensor) => t.data.byteOffset === 0 && t.data.buffer.byteLength === t.data.byteLength;

describe('tensors own their storage', () => {
  it('op results and gradients of every size own their buffer', () => {
    for (const n of [1, 8, 9, 64, 512, 513, 5000]) {
      const x = tensor(values(n, n), { requiresGrad: true });
      const y = sigmoid(mul(x, 2));
      const [g] = grad(sum(y), [x]);
      expect(owns(y), `result of ${n}`).toBe(true);
      expect(owns(g), `gradient of ${n}`).toBe(true);
    }
  });

  it('transferring one tensor’s buffer to a worker leaves every other tensor intact', () => {
    const w = tensor([values(16, 1), values(16, 2)], { requiresGrad: true }); // [2,16]
    const bias = mul(tensor(values(16, 3)), 1); // an op result of 16 values, as a Dense bias is
    const h = matmul(tensor([values(2, 4)]), w); // [1,16]
    const before = Array.from(bias.data);
    const moved = structuredClone(h.data.buffer, { transfer: [h.data.buffer] });
    expect(moved.byteLength).toBe(16 * 8);
    expect(h.data.length).toBe(0); // detached, as transferring does
    expect(Array.from(bias.data)).toEqual(before);
    expect(w.data.length).toBe(32);
  });

  it('keeping many small results keeps only their own values alive', () => {
    const x = tensor(values(15, 5));
    const kept: Tensor[] = [];
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 20_000; i++) kept.push(mul(x, i)); // 20,000 × 15 values = 2.4 MB
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(kept.every(owns)).toBe(true);
    // before: each result pinned a 64 KiB block (about 300 MB); now its own 120 bytes (and V8's bookkeeping)
    expect(grown).toBeLessThan(20 * 1024 * 1024);
  });

  it('a tensor made inside a user rule is not overwritten by the next backward', () => {
    const kept: Tensor[] = [];
    const double = defineOp({
      name: 'double',
      inputs: ['x'],
      forward: ([x]) => map(x, (v) => 2 * v),
      derivatives: {
        x: {
          formula: '∂(2x)/∂x = 2',
          vjp: ({ grad }) => {
            const inner = mul(grad, 2); // made inside the rule, kept by it
            kept.push(inner);
            return mul(inner, 1);
          },
        },
      },
    });
    const x = tensor(values(12, 6), { requiresGrad: true });
    const loss = () => sum(mul(double.call(x), tensor(values(12, 7))));
    loss().backward();
    const first = Array.from(kept[0].data);
    for (let i = 0; i < 5; i++) loss().backward();
    expect(Array.from(kept[0].data)).toEqual(first);
    expect(first.every((v, i) => v === 2 * values(12, 7)[i])).toBe(true);
  });

  it('gradients handed out are never the caller’s seed, nor each other', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const seed = tensor([1, 1, 1]);
    const [g] = grad(x, [x], { seeds: [seed], createGraph: true });
    expect(g).not.toBe(seed);
    seed.data[0] = 100;
    expect(g.data[0]).toBe(1);
    // y = a + b hands the same gradient to a and b: each gets a tensor of its own
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    sum(a.add(b)).backward();
    expect(a.grad).not.toBe(b.grad);
    a.grad!.data[0] = 7;
    expect(b.grad!.data[0]).toBe(1);
  });

  it('a walk’s reused buffers never show through: 200 walks give the first walk’s gradients', () => {
    const w = tensor([values(6, 8), values(6, 9), values(6, 10)], { requiresGrad: true }); // [3,6]
    const x = tensor([values(3, 11), values(3, 12)]); // [2,3]
    const step = () => grad(sum(sigmoid(matmul(x, w)).mul(relu(matmul(x, w)))), [w])[0];
    const first = step();
    const copy = Array.from(first.data);
    const later: Tensor[] = [];
    for (let i = 0; i < 200; i++) later.push(step());
    expect(Array.from(first.data)).toEqual(copy);
    for (const g of later) expect(Array.from(g.data)).toEqual(copy);
    expect(new Set(later.map((g) => g.data.buffer)).size).toBe(200);
  });
});

describe('what a training step allocates', () => {
  it('after the first step the walk makes its own dead gradients new again: only the handed-out ones are new objects', () => {
    // an identity op whose rule notes the gradient object it receives (a walk value from the second step on)
    const seen: Tensor[] = [];
    const tap = defineOp({
      name: 'tap',
      inputs: ['x'],
      forward: ([x]) => x.clone(),
      derivatives: { x: { formula: '∂x/∂x = 1', vjp: ({ grad }) => (seen.push(grad), mul(grad, 1)) } },
    });
    const w = tensor([values(9, 13)], { requiresGrad: true }); // [1,9]: 9 values, past V8's on-heap limit
    const x = tensor([[0.5]]);
    const handed: Tensor[] = [];
    const ids: number[] = [];
    for (let step = 0; step < 6; step++) {
      w.grad = null;
      sum(tap.call(sigmoid(matmul(x, w)))).backward();
      handed.push(w.grad!);
      ids.push(seen[step].id);
    }
    // the gradient the rule receives is one object from step 3 on (made new each time: a fresh id, no history) ...
    expect(new Set(seen.slice(2)).size).toBe(1);
    for (let k = 1; k < ids.length; k++) expect(ids[k]).toBeGreaterThan(ids[k - 1]);
    expect(seen[5].isLeaf).toBe(true);
    expect(seen[5].shape).toEqual([1, 9]);
    // ... while every handed-out gradient is a tensor of its own, with its own buffer, keeping its values
    expect(new Set(handed).size).toBe(6);
    expect(new Set(handed.map((g) => g.data.buffer)).size).toBe(6);
    const s = 1 / (1 + Math.exp(-0.5 * values(9, 13)[0]));
    for (const g of handed) expect(g.data[0]).toBeCloseTo(0.5 * s * (1 - s), 15);
    expect(handed.every(owns)).toBe(true);
  });
});

describe('a walk inside a rule', () => {
  it('shares the pool with the outer walk without either seeing the other’s values change', () => {
    const inner: Tensor[] = [];
    const viaGrad = defineOp({
      name: 'viaGrad',
      inputs: ['x'],
      forward: ([x]) => map(x, (v) => v * v * v),
      derivatives: {
        x: {
          formula: '∂(x³)/∂x = 3x², found by a walk of its own',
          vjp: ({ grad: g, x }) => {
            const t = tensor(Array.from(x.data), { requiresGrad: true });
            // 3x², by a nested (pooled) walk; rules run without recording, so the graph is asked for
            const [d] = grad(enableGrad(() => sum(mul(mul(t, t), t))), [t]);
            inner.push(d);
            return mul(g, d);
          },
        },
      },
    });
    const x = tensor([1, 2, 3], { requiresGrad: true });
    for (let i = 0; i < 3; i++) {
      x.grad = null;
      sum(mul(viaGrad.call(sigmoid(x)), 2)).backward();
      const s = [1, 2, 3].map((v) => 1 / (1 + Math.exp(-v)));
      s.forEach((v, k) => expect(x.grad!.data[k]).toBeCloseTo(2 * 3 * v * v * v * (1 - v), 12));
    }
    for (const d of inner) expect(Array.from(d.data)).toEqual(Array.from(inner[0].data));
  });
});

describe('NaN is never hidden', () => {
  it('relu(NaN) is NaN (as PyTorch), and detectAnomaly sees it', () => {
    expect(Number.isNaN(relu(tensor([NaN])).data[0])).toBe(true);
    expect(() => detectAnomaly(() => relu(tensor([1, NaN])))).toThrow('detectAnomaly: relu forward produced NaN at element 1');
  });
});

describe('values changed in place after the graph used them', () => {
  it('are an error naming the op and the input, not a wrong gradient', () => {
    const a = tensor([2], { requiresGrad: true, name: 'a' });
    const b = tensor([3], { name: 'b' });
    const y = sum(mul(a, b)); // ∂y/∂a = b = 3 as the graph saw it
    b.set([100]);
    expect(() => y.backward()).toThrow(
      "backward: input 'b' of mul [1] 'b' was changed in place (version 1, the graph saw version 0) after the op used it",
    );
    expect(a.grad).toBe(null);
  });

  it('through .data, after markChanged() (what the optimizers call), and through a detached view', () => {
    const w = tensor([[1, 2]], { requiresGrad: true, name: 'w' });
    const x = tensor([[3], [4]]);
    const loss = sum(sigmoid(matmul(w, x)));
    w.data[0] -= 0.1;
    w.markChanged();
    expect(() => loss.backward()).toThrow("input 'a' of matmul [1,2] 'w' was changed in place");
    const loss2 = sum(sigmoid(matmul(w, x)));
    x.detach().set([0, 0]);
    expect(() => loss2.backward()).toThrow("input 'b' of matmul [2,1] was changed in place");
  });

  it('a result changed in place (sigmoid saves its output) is caught too; a new graph is fine', () => {
    const x = tensor([0.5], { requiresGrad: true });
    const s = sigmoid(x);
    const loss = mul(s, 2).sum();
    s.set([0.9]);
    expect(() => loss.backward()).toThrow("backward: input 'a' of mul [1] was changed in place");
    // and an op whose result alone was changed (nothing downstream read it): its own rule would be wrong
    const t = sigmoid(x);
    t.set([0.9]);
    expect(() => t.backward()).toThrow('backward: the result of sigmoid [1] was changed in place');
    sum(sigmoid(x)).backward();
    expect(x.grad!.data[0]).toBeCloseTo(0.2350037122015945, 15);
  });
});
