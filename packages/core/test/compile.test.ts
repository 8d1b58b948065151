// compile(): a recorded training step replayed into fixed buffers must give, bit for bit, what
// the eager step gives, on the lab's network and on others; and misuse must fail clearly.
import { describe, expect, it } from 'vitest';
import { fastRulesAttached, matmulNT, matmulTN } from '../src/fast/index.ts';
import {
  compile, defineOp, map, mul, noGrad, randn, sigmoid, tensor, zeros, type CompileOptions, type FusableOptimizer,
  type ParameterUpdate, type Tensor,
} from '../src/index.ts';
import { PlainSGD, rng } from './helpers.ts';

type Activation = (x: Tensor) => Tensor;
interface Net {
  weights: Tensor[];
  biases: Tensor[];
  params: Tensor[];
}

/** Weights N(0,1)·scale per layer, biases small (or none); the same seed gives the same net. */
function makeNet(dims: number[], seed: number, bias: boolean, scale = 1): Net {
  const random = rng(seed);
  const weights = dims.slice(1).map((d, l) => randn([dims[l], d], random, { requiresGrad: true, std: scale }));
  const biases = bias ? dims.slice(1).map((d) => randn([d], random, { requiresGrad: true, std: 0.1 })) : [];
  return { weights, biases, params: [...weights, ...biases] };
}

function forward(net: Net, x: Tensor, hidden: Activation, output: Activation): Tensor {
  let z = x;
  net.weights.forEach((w, l) => {
    z = z.matmul(w);
    if (net.biases.length) z = z.add(net.biases[l]);
    z = l === net.weights.length - 1 ? output(z) : hidden(z);
  });
  return z;
}

const mse = (pred: Tensor, y: Tensor) => pred.sub(y).pow(2).mean();
/** BCE with the prediction clamped, as @gradlab/nn's bceLoss computes it. */
const bce = (pred: Tensor, y: Tensor) => {
  const p = pred.clamp(1e-12, 1 - 1e-12);
  return y.mul(p.log()).add(y.neg().add(1).mul(p.neg().add(1).log())).mean().neg();
};

/** Batches of `size` rows from n random points labelled by x0 > x1 (as the lab's linear set). */
function batches(n: number, size: number, seed: number): { x: Tensor; y: Tensor }[] {
  const random = rng(seed);
  const out: { x: Tensor; y: Tensor }[] = [];
  for (let start = 0; start < n; start += size) {
    const rows = Math.min(size, n - start);
    const x = new Float64Array(rows * 2);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      x[2 * r] = random.next();
      x[2 * r + 1] = random.next();
      y[r] = x[2 * r] > x[2 * r + 1] ? 0 : 1;
    }
    out.push({ x: tensor(x, { shape: [rows, 2] }), y: tensor(y, { shape: [rows, 1] }) });
  }
  return out;
}

const sgd = (params: readonly Tensor[], lr: number) => {
  for (const p of params) {
    const g = p.grad!.data;
    for (let k = 0; k < p.size; k++) p.data[k] -= lr * g[k];
  }
};

/**
 * Heavy-ball momentum with a state buffer, its velocity rule a function with a body (called from
 * the generated code, not pasted): v ← μ·v + g, p ← p − lr·v. `momentum` is its eager twin.
 */
const MU = 0.9;
function heavyBall(params: readonly Tensor[], lr: number): FusableOptimizer & { velocity: Float64Array[] } {
  const velocity = params.map((p) => new Float64Array(p.size));
  return {
    velocity,
    parameterUpdate: () => ({
      name: 'HeavyBall',
      params,
      state: ['v'],
      scalars: ['lr', 'mu'],
      rules: [
        {
          target: 'v',
          args: ['v', 'grad', 'mu'],
          f: (v: number, g: number, mu: number) => {
            return mu * v + g;
          },
        },
        { target: 'value', args: ['value', 'v', 'lr'], f: (p: number, v: number, rate: number) => p - rate * v },
      ],
      stateOf: (i: number) => [velocity[i]],
      prepare: (_i: number, out: Float64Array) => {
        out[0] = lr;
        out[1] = MU;
      },
    }),
  };
}

const momentum = (params: readonly Tensor[], velocity: Float64Array[], lr: number) => {
  params.forEach((p, i) => {
    const g = p.grad!.data;
    for (let k = 0; k < p.size; k++) {
      velocity[i][k] = MU * velocity[i][k] + g[k];
      p.data[k] -= lr * velocity[i][k];
    }
  });
};

/** Trains the same net twice from the same weights, eagerly and compiled; returns both nets' values. */
function trainBoth(
  build: () => Net,
  loss: (net: Net, x: Tensor, y: Tensor) => Tensor,
  data: { x: Tensor; y: Tensor }[],
  steps: number,
  lr: number,
  options: CompileOptions & { heavyBall?: boolean } = {},
) {
  const eagerNet = build();
  const compiledNet = build();
  const velocity = eagerNet.params.map((p) => new Float64Array(p.size));
  const losses = { eager: [] as number[], compiled: [] as number[] };
  for (let s = 0; s < steps; s++) {
    const { x, y } = data[s % data.length];
    for (const p of eagerNet.params) p.grad = null;
    const l = loss(eagerNet, x, y);
    l.backward();
    if (options.heavyBall) momentum(eagerNet.params, velocity, lr);
    else sgd(eagerNet.params, lr);
    losses.eager.push(l.item());
  }
  const optimizer = options.heavyBall ? heavyBall(compiledNet.params, lr) : new PlainSGD(compiledNet.params, lr);
  const step = compile((x: Tensor, y: Tensor) => loss(compiledNet, x, y), { mode: options.mode, optimizer });
  for (let s = 0; s < steps; s++) {
    const { x, y } = data[s % data.length];
    losses.compiled.push(step.run(x, y).item());
  }
  return { eager: eagerNet.params.map((p) => Array.from(p.data)), compiled: compiledNet.params.map((p) => Array.from(p.data)), losses, step };
}

/** Bit-for-bit equality (Object.is on every value), with a readable failure. */
function expectIdentical(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, i) =>
    values.forEach((v, k) => {
      if (!Object.is(v, expected[i][k])) throw new Error(`parameter ${i}, value ${k}: ${v} compiled, ${expected[i][k]} eager`);
    }),
  );
}

const lab = () => makeNet([2, 3, 3, 1], 11, false);
const labLoss = (net: Net, x: Tensor, y: Tensor) => mse(forward(net, x, sigmoid, sigmoid), y);
// XOR-easy as the lab builds it: (0.1i, 0.1i) → 0 and (0.1i, 1 − 0.1i) → 1
const xorEasy = (() => {
  const out: { x: Tensor; y: Tensor }[] = [];
  for (let i = 0; i < 11; i++) {
    out.push({ x: tensor([[0.1 * i, 0.1 * i]]), y: tensor([[0]]) });
    if (0.1 * i !== 0.5) out.push({ x: tensor([[0.1 * i, 1 - 0.1 * i]]), y: tensor([[1]]) });
  }
  return out;
})();

describe('compile: replays equal the eager step bit for bit', () => {
  for (const mode of ['generated', 'kernels'] as const) {
    it(`the lab's network [2,3,3,1], sigmoid, no bias, one sample per step (${mode})`, () => {
      const { eager, compiled, losses, step } = trainBoth(lab, labLoss, xorEasy, 21 * 30, 0.8, { mode });
      expectIdentical(compiled, eager);
      expectIdentical([losses.compiled], [losses.eager]);
      expect(step.generated).toBe(mode === 'generated');
    });
  }

  for (const mode of ['generated', 'kernels'] as const) {
    it(`[2,8,8,1], tanh with bias, sigmoid output, batches of 4 (${mode})`, () => {
      const build = () => makeNet([2, 8, 8, 1], 5, true, 0.5);
      const loss = (net: Net, x: Tensor, y: Tensor) => mse(forward(net, x, (z) => z.tanh(), sigmoid), y);
      const { eager, compiled, losses } = trainBoth(build, loss, batches(40, 4, 1), 200, 0.3, { mode });
      expectIdentical(compiled, eager);
      expectIdentical([losses.compiled], [losses.eager]);
    });
  }

  it('[2,32,32,1] in batches of 30: the code stays short enough for V8 to optimise it, unrolling less', () => {
    // unrolled as a small step would be, this program is 77 K characters of code: past V8's
    // bytecode limit for optimisation, it ran in the interpreter, 10× slower than written with
    // loops and kernels (codegen.ts, MAX_SOURCE)
    const build = () => makeNet([2, 32, 32, 1], 7, true, 0.5);
    const loss = (net: Net, x: Tensor, y: Tensor) => mse(forward(net, x, (z) => z.tanh(), sigmoid), y);
    const { eager, compiled, losses, step } = trainBoth(build, loss, batches(90, 30, 4), 12, 0.3);
    expectIdentical(compiled, eager);
    expectIdentical([losses.compiled], [losses.eager]);
    expect(step.source()!.length).toBeLessThanOrEqual(40_000);
  });

  it('[2,16,16,1] in batches of 32: large ops run their kernels inside the generated code', () => {
    const build = () => makeNet([2, 16, 16, 1], 6, true, 0.5);
    const loss = (net: Net, x: Tensor, y: Tensor) => mse(forward(net, x, sigmoid, sigmoid), y);
    const { eager, compiled, step } = trainBoth(build, loss, batches(96, 32, 3), 30, 0.5);
    expectIdentical(compiled, eager);
    const source = step.source()!;
    expect(source).toMatch(/\$\d+\(\$\d+, \$\d+, \$\d+\);/); // a kernel call
    expect(source).toMatch(/const v\d+_0 = /); // unrolled values
    // ∂L/∂W = hᵀ·g and ∂L/∂h = g·Wᵀ: with the fast rules they read the transposed operand in
    // place (no transpose is made); the teaching rules make the transposes
    const listing = step.describe();
    if (fastRulesAttached()) {
      expect(listing).toMatch(/= matmulTN\(t\d+, t\d+\) {2}\[16,16\]/);
      expect(listing).toMatch(/= matmulNT\(t\d+, in\d+\) {2}\[32,16\]/);
      expect(listing).not.toMatch(/transpose/);
    } else {
      expect(listing).toMatch(/= transpose\(t\d+\) {2}\[16,32\]/);
      expect(listing).not.toMatch(/matmulTN|matmulNT/);
    }
  });

  it('[2,16,16,1] with tanh(z/2) in batches of 32: a chain of large elementwise ops runs as one loop', () => {
    const build = () => makeNet([2, 16, 16, 1], 6, true, 0.5);
    const loss = (net: Net, x: Tensor, y: Tensor) => mse(forward(net, x, (z) => z.mul(0.5).tanh(), sigmoid), y);
    const { eager, compiled, step } = trainBoth(build, loss, batches(96, 32, 3), 30, 0.5);
    expectIdentical(compiled, eager);
    // forward mul then tanh, backward tanhBackward then mul: each pair one loop
    const fused = /for \(let i = 0; i < 512; i\+\+\) \{\nconst e\d+ = .*\nconst e\d+ = /g;
    expect(step.source()!.match(fused)).toHaveLength(4);
  });

  it('relu and leaky relu with MSE, and a BCE loss (clamp, log), batches of 8 with a smaller last batch', () => {
    const relu = (net: Net, x: Tensor, y: Tensor) => mse(forward(net, x, (z) => z.relu(), (z) => z.leakyRelu(0.1)), y);
    const leaky = (net: Net, x: Tensor, y: Tensor) => bce(forward(net, x, (z) => z.leakyRelu(0.2), sigmoid), y);
    for (const loss of [relu, leaky]) {
      const build = () => makeNet([2, 6, 5, 1], 7, true, 0.7);
      const data = batches(32, 8, 2);
      const a = trainBoth(build, loss, data, 120, 0.1);
      expectIdentical(a.compiled, a.eager);
    }
  });

  it('broadcasting, sums and means over axes, reshape, transpose, exp, log and division', () => {
    const build = (): Net => {
      const random = rng(3);
      const w = randn([3, 4], random, { requiresGrad: true });
      const b = randn([4], random, { requiresGrad: true });
      const s = randn([1, 4], random, { requiresGrad: true });
      return { weights: [w, s], biases: [b], params: [w, b, s] };
    };
    const loss = (net: Net, x: Tensor, y: Tensor) => {
      const [w, s] = net.weights;
      const h = x.matmul(w).add(net.biases[0]).mul(s).tanh(); // [5,4]: [5,4] + [4], · [1,4]
      const rows = h.exp().sum(1, { keepDims: true }).log(); // [5,1]
      const cols = h.mean(0); // [4]
      const t = h.transpose().reshape([2, 10]).sum(0).div(2); // [10]
      return rows.sub(y).pow(2).mean().add(cols.pow(2).sum()).add(t.mul(t).mean().div(10));
    };
    const random = rng(9);
    const data = Array.from({ length: 4 }, () => ({
      x: randn([5, 3], random),
      y: randn([5, 1], random),
    }));
    const { eager, compiled, losses } = trainBoth(build, loss, data, 60, 0.05);
    expectIdentical(compiled, eager);
    expectIdentical([losses.compiled], [losses.eager]);
  });

  it('matmulNT and matmulTN in the step itself, small (unrolled) and large (kernels), with their own gradients', () => {
    const build = (): Net => {
      const random = rng(4);
      const w = randn([6, 2], random, { requiresGrad: true }); // read transposed: x·Wᵀ
      const v = randn([6, 3], random, { requiresGrad: true });
      return { weights: [w, v], biases: [], params: [w, v] };
    };
    const loss = (net: Net, x: Tensor, y: Tensor) => {
      const [w, v] = net.weights;
      const h = matmulNT(x, w).tanh(); // [b,6]
      const g = matmulTN(h, h).matmul(v); // [6,6]·[6,3]: hᵀ·h read in place
      return h.matmul(v).sub(y).pow(2).mean().add(g.pow(2).mean().mul(0.01));
    };
    for (const size of [2, 32]) {
      const random = rng(size);
      const data = Array.from({ length: 3 }, () => ({ x: randn([size, 2], random), y: randn([size, 3], random) }));
      const { eager, compiled, losses, step } = trainBoth(build, loss, data, 40, 0.05);
      expectIdentical(compiled, eager);
      expectIdentical([losses.compiled], [losses.eager]);
      expect(step.describe()).toMatch(/= matmulTN\(/);
    }
  });

  for (const mode of ['generated', 'kernels'] as const) {
    it(`an update with a state buffer and a called rule, parameters unrolled (≤ 64 values) and in loops (${mode})`, () => {
      const build = () => makeNet([2, 16, 16, 1], 8, true, 0.5);
      const loss = (net: Net, x: Tensor, y: Tensor) => mse(forward(net, x, (z) => z.tanh(), sigmoid), y);
      const { eager, compiled, losses, step } = trainBoth(build, loss, batches(48, 8, 5), 60, 0.05, { mode, heavyBall: true });
      expectIdentical(compiled, eager);
      expectIdentical([losses.compiled], [losses.eager]);
      if (mode === 'generated') {
        const source = step.source()!;
        expect(source).toMatch(/for \(let i = 0; i < 256; i\+\+\) \{\nconst u\d+_0 = \$\d+\(/); // W2 [16,16]: a loop, v by a call
        expect(source).toMatch(/const u\d+_0_1 = \(\(l\d+_0\) ?- ?\(k\d+_0\) ?\* ?\(u\d+_0_0\)\);/); // a bias: unrolled, p − lr·v pasted
      }
    });
  }

  it('gives the gradients to an optimizer when there is no built-in update (.grad replaced, not accumulated)', () => {
    const net = lab();
    const reference = lab();
    const step = compile((x: Tensor, y: Tensor) => labLoss(net, x, y));
    for (let s = 0; s < 5; s++) {
      const { x, y } = xorEasy[s];
      step.run(x, y);
      for (const p of reference.params) p.grad = null;
      labLoss(reference, x, y).backward();
      net.params.forEach((p, i) => expect(Array.from(p.grad!.data)).toEqual(Array.from(reference.params[i].grad!.data)));
    }
    expect(step.parameters).toEqual(net.params);
  });

  it('returns other outputs beside the loss, read from the program after every run', () => {
    const net = lab();
    const reference = lab();
    const step = compile((x: Tensor, y: Tensor) => {
      const pred = forward(net, x, sigmoid, sigmoid);
      return { loss: mse(pred, y), pred };
    });
    for (let s = 0; s < 6; s++) {
      const { x, y } = xorEasy[s];
      const out = step.run(x, y);
      const pred = forward(reference, x, sigmoid, sigmoid);
      expect(out.pred.data[0]).toBe(pred.data[0]);
      expect(out.loss.item()).toBe(mse(pred, y).item());
      for (const p of reference.params) p.grad = null;
      mse(pred, y).backward();
      sgd(reference.params, 0.5);
      sgd(net.params, 0.5);
    }
  });

  it('follows a change of the learning rate between runs', () => {
    const eagerNet = lab();
    const net = lab();
    const optimizer = new PlainSGD(net.params, 0.8);
    const step = compile((x: Tensor, y: Tensor) => labLoss(net, x, y), { optimizer });
    for (let s = 0; s < 40; s++) {
      const lr = s < 20 ? 0.8 : 0.1;
      optimizer.lr = lr;
      const { x, y } = xorEasy[s % 21];
      step.run(x, y);
      for (const p of eagerNet.params) p.grad = null;
      labLoss(eagerNet, x, y).backward();
      sgd(eagerNet.params, lr);
    }
    expectIdentical(net.params.map((p) => Array.from(p.data)), eagerNet.params.map((p) => Array.from(p.data)));
  });

  it('replays a user op that has a forward but no kernel', () => {
    const softplus = defineOp({
      name: 'softplus',
      inputs: ['x'],
      forward: ([x]) => map(x, (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))),
      derivatives: { x: { formula: '∂y/∂x = σ(x)', partial: ({ x }) => sigmoid(x) } },
    });
    const loss = (net: Net, x: Tensor, y: Tensor) => mse(softplus.apply([x.matmul(net.weights[0])], undefined).matmul(net.weights[1]), y);
    const { eager, compiled } = trainBoth(() => makeNet([2, 4, 1], 4, false, 0.5), loss, batches(12, 3, 4), 30, 0.05);
    expectIdentical(compiled, eager);
  });
});

describe('compile: fixed buffers', () => {
  it('writes every run into the same tensors and buffers', () => {
    const net = lab();
    const step = compile((x: Tensor, y: Tensor) => labLoss(net, x, y), { optimizer: new PlainSGD(net.params, 0.8) });
    const first = step.run(xorEasy[0].x, xorEasy[0].y);
    const grads = net.params.map((p) => p.grad);
    const buffers = [first.data, ...grads.map((g) => g!.data), ...net.params.map((p) => p.data)];
    for (let s = 1; s < 30; s++) {
      const loss = step.run(xorEasy[s % 21].x, xorEasy[s % 21].y);
      expect(loss).toBe(first);
      expect(net.params.map((p) => p.grad)).toEqual(grads);
      net.params.forEach((p, i) => expect(p.grad).toBe(grads[i]));
      expect([loss.data, ...net.params.map((p) => p.grad!.data), ...net.params.map((p) => p.data)]).toEqual(buffers);
    }
    expect(first.isLeaf).toBe(true); // the returned loss carries no graph
  });

  it('lists its ops, forward then backward', () => {
    const net = lab();
    const step = compile((x: Tensor, y: Tensor) => labLoss(net, x, y));
    expect(step.describe()).toMatch(/not recorded/);
    step.run(xorEasy[0].x, xorEasy[0].y);
    const lines = step.describe().split('\n');
    expect(lines[0]).toMatch(/^t0 = matmul\(/);
    expect(lines.filter((l) => l.includes('= sigmoid('))).toHaveLength(3);
    // σ's rule y·(1−y) as one sigmoidBackward op with the fast rules, as sub and mul without
    expect(lines.filter((l) => l.includes('= sigmoidBackward('))).toHaveLength(fastRulesAttached() ? 3 : 0);
    expect(lines.at(-1)).toMatch(/^∂loss\/∂/);
    expect(step.source()).toContain('return function step()');
  });
});

describe('compile: misuse fails with a clear message', () => {
  const net = () => lab();
  const x = tensor([[0.1, 0.2]]);
  const y = tensor([[1]]);

  it('an input of another shape, another count, or not a tensor', () => {
    const n = net();
    const step = compile((a: Tensor, b: Tensor) => labLoss(n, a, b));
    step.run(x, y);
    expect(() => step.run(tensor([[0.1, 0.2], [0.3, 0.4]]), y)).toThrow(
      'compile: input 0 has shape [2,2], but the step was recorded with [1,2]; shapes are fixed (compile another step for other shapes)',
    );
    const runAny: (...xs: Tensor[]) => Tensor = (...xs) => step.run(...(xs as [Tensor, Tensor]));
    expect(() => runAny(x)).toThrow('compile: the step was recorded with 2 inputs, got 1');
    expect(() => step.run(x, [1] as unknown as Tensor)).toThrow('compile: input 1 is not a Tensor');
  });

  it('an input that requires grad', () => {
    const n = net();
    const step = compile((a: Tensor, b: Tensor) => labLoss(n, a, b));
    expect(() => step.run(tensor([[0.1, 0.2]], { requiresGrad: true }), y)).toThrow(/compile: input 0 requires grad/);
  });

  it('a loss that is not one value, or that depends on no parameter', () => {
    const n = net();
    expect(() => compile((a: Tensor) => a.matmul(n.weights[0])).run(x)).toThrow('compile: the loss must be a single value, got shape [1,3]');
    expect(() => compile((a: Tensor) => a.sum()).run(x)).toThrow('compile: the loss does not depend on any tensor that requires grad');
    expect(() => compile(() => ({ pred: x }) as unknown as Tensor).run()).toThrow(
      'compile: the step function must return the loss tensor, or an object { loss, ...tensors }',
    );
  });

  it('calling backward() inside the step', () => {
    const n = net();
    const step = compile((a: Tensor, b: Tensor) => {
      const loss = labLoss(n, a, b);
      loss.backward();
      return loss;
    });
    expect(() => step.run(x, y)).toThrow("backward: called inside compile()'s step function; return the loss instead");
  });

  it('values computed outside ops are caught when the step is recorded', () => {
    const n = net();
    // the label is rebuilt from the input's numbers: the recording would freeze it
    const step = compile((a: Tensor) => labLoss(n, a, tensor([[a.data[0] > a.data[1] ? 0 : 1]])));
    expect(() => step.run(tensor([[0.9, 0.1]]))).toThrow(
      'compile: data-dependent step cannot be compiled: it read the values of input 0 [1,2] while it was recorded (.data, .item() or .toArray())',
    );
  });

  it('a choice of ops by value is caught when the step is recorded (before: only on the second run, if ever)', () => {
    const w = tensor([0.5], { requiresGrad: true });
    const step = compile((a: Tensor) => (a.data[0] > 0 ? a.mul(w).sum() : a.mul(w).mul(2).sum()));
    expect(() => step.run(tensor([1]))).toThrow('compile: data-dependent step cannot be compiled: it read the values of input 0 [1]');
    // a value computed inside the step, read with item(): the same
    const loss = compile((a: Tensor) => {
      const h = a.mul(w).sum();
      return h.item() > 0 ? h : h.mul(-1);
    });
    expect(() => loss.run(tensor([1]))).toThrow('it read the values of the result of sum [] while it was recorded');
    // and a step that feeds on its previous output replays correctly (the input's values are copied in)
    const chain = compile((a: Tensor) => ({ loss: a.mul(w).sum(), next: a.mul(w).add(1) }));
    let input = tensor([1, 2]);
    const eagerW = 0.5;
    let eagerInput = [1, 2];
    for (let s = 0; s < 4; s++) {
      const out = chain.run(input);
      eagerInput = eagerInput.map((v) => v * eagerW + 1);
      expect(Array.from(out.next.data)).toEqual(eagerInput);
      input = out.next;
    }
  });

  it('a rule that computes outside ops (a user op) is caught too', () => {
    const square = defineOp({
      name: 'square',
      inputs: ['x'],
      forward: ([v]) => map(v, (t) => t * t),
      // the derivative built with map (not an op): fine eagerly, frozen in a recording
      derivatives: { x: { formula: '∂y/∂x = 2x', partial: ({ x: v }) => map(v, (t) => 2 * t) } },
    });
    const w = tensor([[0.5], [-0.25]], { requiresGrad: true });
    const step = compile((a: Tensor) => square.apply([a.matmul(w)], undefined).sum());
    expect(() => step.run(tensor([[1, 2]]))).toThrow('it read the values of the result of matmul [1,1] while it was recorded');
  });

  it('the options', () => {
    expect(() => compile(() => zeros([1]), { optimizer: {} as FusableOptimizer })).toThrow(
      'compile: options.optimizer must describe its update (parameterUpdate(), as SGD and Adam of @gradlab/nn do); step other optimizers after each run instead',
    );
    expect(() => compile(null as unknown as () => Tensor)).toThrow('compile: expected a step function (...inputs) => loss');
  });

  it('an update whose rules or state do not fit, when the step is recorded', () => {
    const n = net();
    const withUpdate = (change: (u: ParameterUpdate) => ParameterUpdate) => {
      const optimizer = new PlainSGD(n.params, 0.1);
      const update = optimizer.parameterUpdate();
      return compile((a: Tensor, b: Tensor) => labLoss(n, a, b), { optimizer: { parameterUpdate: () => change(update) } });
    };
    const rule = { target: 'value', args: ['value', 'grad', 'lr'], f: (p: number, g: number, lr: number) => p - lr * g };
    expect(() => withUpdate((u) => ({ ...u, rules: [{ ...rule, args: ['value', 'grad', 'rate'] }] })).run(x, y)).toThrow(
      "compile: PlainSGD's parameterUpdate(): rule 0 reads 'rate', which is not 'value', 'grad', a state buffer [] or a scalar [lr]",
    );
    expect(() => withUpdate((u) => ({ ...u, rules: [{ ...rule, target: 'v' }] })).run(x, y)).toThrow(
      "compile: PlainSGD's parameterUpdate(): rule 0 writes 'v', which is neither 'value' nor a state buffer []",
    );
    expect(() => withUpdate((u) => ({ ...u, rules: [{ ...rule, f: (p: number) => p }] })).run(x, y)).toThrow(
      "compile: PlainSGD's parameterUpdate(): rule 0 must have a function f of 3 operands",
    );
    expect(() => withUpdate((u) => ({ ...u, state: ['v'], stateOf: () => [new Float64Array(2)] })).run(x, y)).toThrow(
      "compile: PlainSGD's parameterUpdate(): stateOf(0) must give 1 Float64Arrays of 6 values (parameter [2,3])",
    );
    expect(() => withUpdate((u) => ({ ...u, params: [n.params[0], n.params[1], n.params[0]] })).run(x, y)).toThrow(
      "compile: PlainSGD's parameterUpdate(): parameter 2 [2,3] appears twice",
    );
  });

  for (const mode of ['generated', 'kernels'] as const) {
    it(`a gradient that is NaN or ±Infinity: the run throws as the optimizer would and updates nothing (${mode})`, () => {
      const w = tensor([[0.5], [2]], { requiresGrad: true, name: 'w' });
      const step = compile((a: Tensor) => a.matmul(w).log().sum(), { mode, optimizer: new PlainSGD([w], 0.1) });
      step.run(tensor([[1, 1]]));
      step.run(tensor([[2, 1]]));
      const before = Array.from(w.data);
      expect(() => step.run(tensor([[0, 0]]))).toThrow("PlainSGD: the gradient of parameter 0 'w' [2,1] has NaN at element 0; no parameter was updated");
      expect(Array.from(w.data)).toEqual(before);
      expect(Array.from(w.grad!.data)).toEqual([NaN, NaN]); // the gradient is there to look at
      step.run(tensor([[1, 2]])); // and the step still works
      expect(w.data[0]).not.toBe(before[0]);
    });
  }
});

describe('compile: the eager engine is unchanged by a recording', () => {
  it('mul by a number inside and outside a compiled step gives the same values', () => {
    const w = tensor([1.5, -2], { requiresGrad: true });
    const step = compile((a: Tensor) => mul(a, w).mul(3).sum());
    const loss = step.run(tensor([2, 0.5]));
    expect(loss.item()).toBe(mul(tensor([2, 0.5]), w).mul(3).sum().item());
    expect(Array.from(w.grad!.data)).toEqual([6, 1.5]);
  });
});

describe('compile: grad mode', () => {
  it('records the graph even when run inside noGrad (the step is a training step)', () => {
    const w = tensor([1.5, -2], { requiresGrad: true });
    const step = compile((a: Tensor) => mul(a, w).sum());
    const loss = noGrad(() => step.run(tensor([2, 0.5])));
    expect(loss.item()).toBe(2);
    expect(Array.from(w.grad!.data)).toEqual([2, 0.5]);
    noGrad(() => step.run(tensor([1, 1])));
    expect(Array.from(w.grad!.data)).toEqual([1, 1]);
  });
});
