// Inspection on the lab's network: [2,3,3,1], sigmoid on every layer, no bias, MSE loss.
// explainGradient's sum over paths must equal the backward walk's gradient for every weight.
import { describe, expect, it } from 'vitest';
import {
  add, broadcastTo, edgeJacobian, explainGradient, grad, gradcheck, localDerivatives, matmul, mean, mul, pow, reshape,
  sigmoid, sub, sum, tanh, tensor, toDot, trace, transpose, type NestedArray,
} from '../src/index.ts';
import { expectValues } from './helpers.ts';

const W1 = [[0.5, -0.3, 0.8], [0.2, 0.7, -0.6]];
const W2 = [[0.1, -0.4, 0.6], [0.9, 0.3, -0.2], [-0.5, 0.8, 0.4]];
const W3 = [[0.7], [-1.1], [0.6]];
const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];

/** y_pred = σ(σ(σ(x W1) W2) W3), loss = mean((y_pred − y)²), built from core ops. */
function network(xValues: NestedArray, yValues: NestedArray) {
  const weights = [W1, W2, W3].map((w, i) => tensor(w, { requiresGrad: true, name: `W${i + 1}` }));
  const x = tensor(xValues, { name: 'x' });
  const y = tensor(yValues, { name: 'y' });
  let z = x;
  for (const w of weights) z = sigmoid(matmul(z, w));
  const loss = mean(pow(sub(z, y), 2));
  return { x, y, weights, yPred: z, loss };
}

// ---- an independent reference: the lab's hand-written numpy backprop, with plain arrays ----
type M = number[][];
const mm = (a: M, b: M): M => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const T = (a: M): M => a[0].map((_, j) => a.map((row) => row[j]));
const ew = (a: M, b: M, f: (u: number, v: number) => number): M => a.map((row, i) => row.map((v, j) => f(v, b[i][j])));
const sig = (m: M): M => m.map((row) => row.map((v) => 1 / (1 + Math.exp(-v))));

function handBackprop(x: M, y: M): M[] {
  const a1 = sig(mm(x, W1));
  const a2 = sig(mm(a1, W2));
  const yp = sig(mm(a2, W3));
  const n = y.length;
  const d3 = ew(ew(yp, y, (p, t) => (2 * (p - t)) / n), yp, (g, p) => g * p * (1 - p)); // ∂L/∂z3
  const d2 = ew(mm(d3, T(W3)), a2, (g, a) => g * a * (1 - a)); // ∂L/∂z2
  const d1 = ew(mm(d2, T(W2)), a1, (g, a) => g * a * (1 - a)); // ∂L/∂z1
  return [mm(T(x), d1), mm(T(a1), d2), mm(T(a2), d3)];
}

/** Checks every element of every weight: path sum = Σ path products = backward's .grad. */
function expectPathSumsEqualGrads(net: ReturnType<typeof network>, pathCounts: number[]) {
  net.weights.forEach((w, layer) => {
    for (let k = 0; k < w.size; k++) {
      const e = explainGradient(net.loss, w, k);
      expect(e.pathCount).toBe(pathCounts[layer]);
      expect(e.paths).toHaveLength(pathCounts[layer]);
      expect(e.truncated).toBe(false);
      const productSum = e.paths.reduce((s, p) => s + p.product, 0);
      expect(Math.abs(productSum - e.sum)).toBeLessThan(1e-12);
      expect(Math.abs(e.sum - w.grad!.data[k])).toBeLessThan(1e-12);
      expect(Math.abs(e.gradient - w.grad!.data[k])).toBeLessThan(1e-12);
      for (const p of e.paths) {
        const product = p.steps.reduce((s, step) => s * step.local, 1);
        expect(p.product).toBe(product);
        expect(p.steps.at(-1)!.node).toBe(w);
      }
    }
  });
}

describe('the lab network, one sample', () => {
  const sample = () => {
    const net = network([[0.1, 0.9]], [[1]]);
    net.loss.backward();
    return net;
  };

  it('backward matches the hand-written backprop and gradcheck', () => {
    const net = sample();
    handBackprop([[0.1, 0.9]], [[1]]).forEach((dW, i) => expectValues(net.weights[i].grad!, dW));
    const result = gradcheck((w1, w2, w3) => {
      let z = tensor([[0.1, 0.9]]);
      for (const w of [w1, w2, w3]) z = sigmoid(matmul(z, w));
      return mean(pow(sub(z, 1), 2));
    }, net.weights.map((w) => w.clone({ requiresGrad: true })));
    expect(result.passed).toBe(true);
  });

  // Paths from the loss to one weight element, counted through the graph:
  //  - W1[i][j] feeds only hidden unit j of layer 1 (z1 = x W1); that unit feeds all 3 units of
  //    layer 2 (through W2[j][·]), and each of those feeds the single output (W3 has one column).
  //    After the output, sub, pow, sum and mean are one element to one element: 1 · 3 · 1 = 3.
  //  - W2[j][k] feeds only unit k of layer 2, which feeds the single output: 1 path.
  //  - W3[k][0] feeds the single output directly: 1 path.
  it('path sum equals .grad for every element of W1, W2, W3 (3, 1, 1 paths)', () => {
    expectPathSumsEqualGrads(sample(), [3, 1, 1]);
  });

  it('explains with [i,j] indices the same as flat ones', () => {
    const net = sample();
    const byIndex = explainGradient(net.loss, net.weights[0], [1, 2]);
    expect(byIndex.index).toBe(5);
    expect(byIndex.indexText).toBe('[1,2]');
    expect(byIndex.sum).toBe(explainGradient(net.loss, net.weights[0], 5).sum);
  });

  it('toString() shows the paths, their products and the sum', () => {
    const net = sample();
    const e = explainGradient(net.loss, net.weights[0], [0, 1]);
    const text = e.toString();
    expect(text).toContain('∂mul/∂W1[0,1] by the chain rule: the sum over 3 paths');
    expect(text).toMatch(/^path 1: mul ← sum ← pow\(2\)\[0,0\] ← sub\[0,0\] ← sigmoid\[0,0\] ← matmul\[0,0\] ← .* ← W1\[0,1\]$/m);
    expect(text).toMatch(/^path 3: /m);
    expect(text).not.toMatch(/^path 4: /m);
    expect(text).toContain('(∂y/∂x = y·(1−y))');
    expect(text).toContain('(∂Cᵢⱼ/∂Bₖⱼ = Aᵢₖ, so ∂L/∂B = Aᵀ·∂L/∂C)');
    expect(text.match(/^ {2}product = .* = .*$/gm)).toHaveLength(3);
    expect(text).toContain(`sum of path products = ${e.sum}`);
    expect(text).toContain(`gradient from backward = ${e.gradient}`);
    // the last factor of every path is ∂(x W1)[0,1]/∂W1[0,1] = x[0,0] = 0.1
    for (const p of e.paths) expect(p.steps.at(-1)!.local).toBe(0.1);
  });

  it('at the XOR point x = (0,0) the W1 paths exist with local derivative 0 and sum to 0', () => {
    const net = network([[0, 0]], [[0]]);
    net.loss.backward();
    expectValues(net.weights[0].grad!, [[0, 0, 0], [0, 0, 0]]);
    for (let k = 0; k < 6; k++) {
      const e = explainGradient(net.loss, net.weights[0], k);
      expect(e.pathCount).toBe(3);
      for (const p of e.paths) {
        expect(Math.abs(p.steps.at(-1)!.local)).toBe(0); // ∂(x W1)/∂W1 = x = 0
        expect(Math.abs(p.product)).toBe(0);
      }
      expect(Math.abs(e.sum)).toBe(0);
    }
    // the later layers still learn: σ(0) = 1/2 feeds them
    expect(net.weights[2].grad!.data.every((g) => g !== 0)).toBe(true);
  });
});

describe('the lab network, full batch', () => {
  it('path sum equals .grad for every element with x [4,2] (12, 4, 4 paths)', () => {
    const net = network(XOR_X, XOR_Y);
    net.loss.backward();
    handBackprop(XOR_X, XOR_Y).forEach((dW, i) => expectValues(net.weights[i].grad!, dW));
    // each path above now exists once per sample
    expectPathSumsEqualGrads(net, [12, 4, 4]);
  });
});

describe('trace and toDot', () => {
  const graph = () => {
    const net = network([[0.1, 0.9]], [[1]]);
    net.loss.backward();
    return net;
  };

  it('trace lists every node after all its inputs', () => {
    const { loss, weights, x, y } = graph();
    const nodes = trace(loss);
    // 10 ops (3 matmul, 3 sigmoid, sub, pow, sum, mul) and 6 leaves (x, y, W1–W3, the mean's 1/n)
    expect(nodes).toHaveLength(16);
    expect(nodes.filter((n) => n.isLeaf)).toHaveLength(6);
    const position = new Map(nodes.map((n, i) => [n.tensor, i]));
    nodes.forEach((n, i) => {
      for (const input of n.inputs) expect(position.get(input)!).toBeLessThan(i);
    });
    expect(nodes.at(-1)!.tensor).toBe(loss);
    for (const t of [...weights, x, y]) expect(position.has(t)).toBe(true);
    expect(nodes.map((n) => n.op).filter((op) => op !== null)).toEqual([
      'matmul', 'sigmoid', 'matmul', 'sigmoid', 'matmul', 'sigmoid', 'sub', 'pow', 'sum', 'mul',
    ]);
  });

  it('toDot names every op, has one edge per input, and labels edges with local derivatives', () => {
    const { loss, weights } = graph();
    const dot = toDot(loss);
    expect(dot.startsWith('digraph gradlab {\n  rankdir=LR;')).toBe(true);
    expect(dot.endsWith('\n}')).toBe(true);
    for (const label of ['matmul', 'sigmoid', 'sub', 'pow(2)', 'sum', 'mul']) {
      expect(dot).toMatch(new RegExp(`^ {2}n\\d+ \\[label="${label.replace(/[()]/g, '\\$&')}\\\\n`, 'm'));
    }
    const nodes = trace(loss);
    const edgeLines = dot.split('\n').filter((l) => / -> /.test(l));
    expect(edgeLines).toHaveLength(nodes.reduce((s, n) => s + n.inputs.length, 0));
    for (const n of nodes) {
      n.inputs.forEach((input, i) => {
        const name = n.tensor.op!.inputNames[i];
        expect(edgeLines.some((l) => l.startsWith(`  n${input.id} -> n${n.id} [label="${name}: `))).toBe(true);
      });
    }
    expect(dot).toContain('[label="x: ∂y/∂x = y·(1−y)\\n= [[');
    expect(dot).toContain('[label="a: ∂Cᵢⱼ/∂Aᵢₖ = Bₖⱼ, so ∂L/∂A = ∂L/∂C·Bᵀ\\n= [[');
    expect(dot).toContain('[label="x: ∂(xᵖ)/∂x = p·xᵖ⁻¹');
    expect(dot).toContain('[label="a: ∂(a−b)/∂a = 1');
    // values and grads on the nodes
    const w1 = weights[0];
    const w1Line = dot.split('\n').find((l) => l.startsWith(`  n${w1.id} [`))!;
    expect(w1Line).toContain('label="W1\\nshape [2,3]\\nvalue [[0.5, -0.3, 0.8], [0.2, 0.7, -0.6]]\\ngrad [[');
    expect(w1Line).toContain('fillcolor="#fde9d9"');
  });

  it('toDot shows intermediate grads when they were retained', () => {
    const net = network([[0.1, 0.9]], [[1]]);
    net.loss.backward(undefined, { retainGrads: true });
    const lossLine = toDot(net.loss).split('\n').find((l) => l.startsWith(`  n${net.loss.id} [`))!;
    expect(lossLine).toContain('\\ngrad 1"');
    const yPredLine = toDot(net.loss).split('\n').find((l) => l.startsWith(`  n${net.yPred.id} [`))!;
    expect(yPredLine).toMatch(/\\ngrad \[\[-?\d/);
  });

  it('localDerivatives and edgeJacobian give the numbers behind the edge labels', () => {
    const { yPred } = graph();
    const [d] = localDerivatives(yPred);
    const y = yPred.data[0];
    expect(d).toMatchObject({ input: 'x', formula: '∂y/∂x = y·(1−y)', kind: 'elementwise' });
    expect(d.value!.data[0]).toBe(y * (1 - y));
    const z3 = yPred.inputs[0]; // a2 @ W3: [1,3] @ [3,1]
    const [, dW3] = localDerivatives(z3);
    expect(dW3.kind).toBe('operand');
    expect(dW3.value).toBe(z3.inputs[0]); // ∂C/∂B is A
    const entries = edgeJacobian(z3, 1);
    expect(entries.map(([o, j, v]) => [o, j, v])).toEqual([0, 1, 2].map((k) => [0, k, z3.inputs[0].data[k]]));
  });
});

describe('explainGradient through broadcasting and shape ops', () => {
  it('path sum equals the gradient for every element of every leaf', () => {
    const x = tensor([[1, -2, 0.5], [0.3, 2, -1]], { requiresGrad: true, name: 'x' }); // [2,3]
    const w = tensor([[0.2, -0.1], [0.4, 0.3], [-0.5, 0.6]], { requiresGrad: true, name: 'w' }); // [3,2]
    const b = tensor([0.1, -0.2], { requiresGrad: true, name: 'b' }); // [2], broadcast over rows
    const s = tensor(1.5, { requiresGrad: true, name: 's' }); // [], broadcast everywhere
    const h = tanh(add(matmul(x, w), b)); // [2,2]
    const r = reshape(transpose(mul(h, s)), [-1]); // [4]
    const loss = add(mean(pow(r, 2)), sum(mul(broadcastTo(b, [3, 2]), x.sum(0).reshape([3, 1]))));
    for (const leaf of [x, w, b, s]) {
      const [g] = grad(loss, leaf);
      for (let k = 0; k < leaf.size; k++) {
        const e = explainGradient(loss, leaf, k);
        expect(e.pathCount).toBeGreaterThan(0);
        expect(Math.abs(e.sum - g.data[k])).toBeLessThan(1e-12);
        expect(Math.abs(e.paths.reduce((t, p) => t + p.product, 0) - e.sum)).toBeLessThan(1e-12);
      }
    }
    // s scales all 4 elements of h, each reaching the loss once through mean: 4 paths
    expect(explainGradient(loss, s).pathCount).toBe(4);
  });
});

describe('explainGradient on a scalar expression with fan-out', () => {
  it('x·x + x has three paths summing to 2x + 1', () => {
    const x = tensor(3, { requiresGrad: true, name: 'x' });
    const y = add(mul(x, x), x);
    const e = explainGradient(y, x);
    expect(e.pathCount).toBe(3);
    expect(e.paths.map((p) => p.product).sort()).toEqual([1, 3, 3]);
    expect(e.sum).toBe(7);
    expect(e.gradient).toBe(7);
  });

  it('rejects a non-scalar root, an index outside the leaf, and an unrelated leaf', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const other = tensor(1, { requiresGrad: true });
    const y = mul(x, 2);
    expect(() => explainGradient(y, x)).toThrow('explainGradient: the root must hold one value (a loss), got [2]');
    const s = mean(y);
    expect(() => explainGradient(s, x, 2)).toThrow('explainGradient: index 2 is outside the leaf of shape [2]');
    expect(() => explainGradient(s, other)).toThrow('explainGradient: the root does not depend on that tensor');
  });
});
