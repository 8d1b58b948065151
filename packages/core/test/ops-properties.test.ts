// Properties of the shape, indexing and matmul ops over random shapes, axes and values
// (fast-check, fixed seeds, a modest number of runs each): algebraic identities that must hold
// bit for bit, batched matmul against an explicit loop over the batches, and a fuzz of every op:
// random arguments give a result or a GradlabError, never a TypeError, a RangeError or a crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as gl from '../src/index.ts';
import { concat, gather, GradlabError, grad, index, matmul, permute, slice, split, sum, tensor, transpose, Tensor } from '../src/index.ts';

const SEED = 20240917;
const runs = (numRuns: number) => ({ seed: SEED, numRuns });

/** A tensor of the shape whose values are distinct (their flat positions, shifted), so a moved value is seen. */
function distinct(shape: number[]): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  return tensor(Float64Array.from({ length: size }, (_, i) => i + 0.25), { shape });
}

const sameBits = (a: Tensor, b: Tensor) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]) && a.data.every((v, i) => Object.is(v, b.data[i]));

const shapeArb = (minRank: number, maxRank: number, maxDim = 4) => fc.array(fc.integer({ min: 0, max: maxDim }), { minLength: minRank, maxLength: maxRank });

describe('shape algebra (fast-check)', () => {
  it('concat ∘ split = id, for a list of sizes and for one piece size', () => {
    fc.assert(
      fc.property(shapeArb(1, 4), fc.nat(), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (dims, axisSeed, pieces, size) => {
        const shape = [...dims]; // (a generated value is not changed: fast-check shrinks from it)
        const axis = (axisSeed % shape.length) - (axisSeed % 2 ? shape.length : 0); // negative half the time
        const a = axis < 0 ? axis + shape.length : axis;
        shape[a] = pieces.reduce((s, k) => s + k, 0);
        const x = distinct(shape);
        const parts = split(x, pieces, axis);
        expect(parts.map((p) => p.shape[a])).toEqual(pieces);
        expect(sameBits(concat(parts, axis), x)).toBe(true);
        expect(sameBits(concat(split(x, size, axis), axis), x)).toBe(true);
      }),
      runs(150),
    );
  });

  it('gather with every index in order = id; index with every index = id; a permutation gathered back by its inverse = id', () => {
    fc.assert(
      fc.property(shapeArb(1, 4), fc.nat(), fc.nat(), (shape, axisSeed, permSeed) => {
        const axis = axisSeed % shape.length;
        const x = distinct(shape);
        const n = shape[axis];
        const stride = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
        // the index of x's own position along the axis, at every element
        const at = (f: (c: number) => number) => tensor(Float64Array.from({ length: x.size }, (_, o) => f(Math.floor(o / stride) % n)), { shape });
        expect(sameBits(gather(x, axis, at((c) => c)), x)).toBe(true);
        expect(sameBits(index(x, Array.from({ length: n }, (_, c) => c), axis), x)).toBe(true);
        // a rotation by r along the axis, then back
        const r = n === 0 ? 0 : permSeed % n;
        const there = gather(x, axis, at((c) => (c + r) % n));
        expect(sameBits(gather(there, axis, at((c) => (c - r + n) % n)), x)).toBe(true);
        expect(sameBits(index(index(x, Array.from({ length: n }, (_, c) => (c + r) % n), axis), Array.from({ length: n }, (_, c) => (c - r + n) % n), axis), x)).toBe(true);
      }),
      runs(150),
    );
  });

  it('permute ∘ inverse = id; transpose twice = id', () => {
    const arb = shapeArb(0, 5).chain((shape) =>
      fc.tuple(fc.constant(shape), fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }), fc.nat(), fc.nat()),
    );
    fc.assert(
      fc.property(arb, ([shape, axes, i, j]) => {
        const x = distinct(shape);
        const inverse = axes.map((_, k) => axes.indexOf(k));
        const y = permute(x, axes);
        expect(y.shape).toEqual(axes.map((a) => shape[a]));
        expect(sameBits(permute(y, inverse), x)).toBe(true);
        if (shape.length > 0) {
          const a = i % shape.length;
          const b = -1 - (j % shape.length);
          expect(sameBits(transpose(transpose(x, a, b), a, b), x)).toBe(true);
        }
      }),
      runs(150),
    );
  });

  it('a slice of a slice is the composition of the two ranges, axis by axis', () => {
    const bound = fc.integer({ min: -8, max: 8 });
    const range = fc.tuple(bound, bound, fc.integer({ min: 1, max: 3 }));
    const arb = shapeArb(1, 3, 6).chain((shape) =>
      fc.tuple(fc.constant(shape), fc.array(range, { minLength: shape.length, maxLength: shape.length }), fc.array(range, { minLength: shape.length, maxLength: shape.length })),
    );
    fc.assert(
      fc.property(arb, ([shape, first, second]) => {
        const x = distinct(shape);
        const y = slice(slice(x, first.map((r) => r[0]), first.map((r) => r[1]), first.map((r) => r[2])), second.map((r) => r[0]), second.map((r) => r[1]), second.map((r) => r[2]));
        // per axis, the positions of x that survive both slices
        const kept = shape.map((n, a) => pySlice(pySlice([...Array(n).keys()], ...first[a]), ...second[a]));
        expect(y.shape).toEqual(kept.map((k) => k.length));
        const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));
        let o = 0;
        const visit = (a: number, offset: number): void => {
          if (a === shape.length) {
            expect(Object.is(y.data[o++], x.data[offset])).toBe(true);
            return;
          }
          for (const p of kept[a]) visit(a + 1, offset + p * strides[a]);
        };
        visit(0, 0);
      }),
      runs(200),
    );
  });
});

/** Python's list[start:end:step] for step ≥ 1. */
function pySlice<T>(list: T[], start: number, end: number, step: number): T[] {
  const n = list.length;
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const out: T[] = [];
  for (let i = clamp(start); i < clamp(end); i += step) out.push(list[i]);
  return out;
}

describe('batched matmul against an explicit loop over the batches (fast-check)', () => {
  it('every result matrix is the textbook loop on the matrices broadcasting pairs, bit for bit; vectors as PyTorch', () => {
    // a full batch shape; each operand keeps its trailing batch axes, some of them as 1s
    const operand = fc.record({ drop: fc.nat({ max: 3 }), ones: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), vector: fc.boolean() });
    const dim = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 5, max: 11 }));
    const arb = fc.record({ batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), m: dim, k: dim, n: dim, a: operand, b: operand, seed: fc.nat() });
    fc.assert(
      fc.property(arb, ({ batch, m, k, n, a: ao, b: bo, seed }) => {
        const batchOf = (o: typeof ao) => (o.vector ? [] : batch.slice(Math.min(o.drop, batch.length)).map((d, i, kept) => (o.ones[i + batch.length - kept.length] ? 1 : d)));
        const aBatch = batchOf(ao);
        const bBatch = batchOf(bo);
        const aShape = ao.vector ? [k] : [...aBatch, m, k];
        const bShape = bo.vector ? [k] : [...bBatch, k, n];
        const A = values(aShape, seed);
        const B = values(bShape, seed + 1);
        const C = matmul(A, B);
        // the expected shape: broadcast batch axes, then m and n unless that operand was a vector
        const full = broadcast(aBatch, bBatch);
        const shape = [...full, ...(ao.vector ? [] : [m]), ...(bo.vector ? [] : [n])];
        expect(C.shape).toEqual(shape);
        const rows = ao.vector ? 1 : m;
        const cols = bo.vector ? 1 : n;
        let o = 0;
        for (const t of multiIndices(full)) {
          const aBase = offsetOf(aBatch, t) * rows * k;
          const bBase = offsetOf(bBatch, t) * k * cols;
          for (let i = 0; i < rows; i++) {
            for (let j = 0; j < cols; j++) {
              let c = 0;
              for (let p = 0; p < k; p++) c += A.data[aBase + i * k + p] * B.data[bBase + p * cols + j];
              if (!Object.is(C.data[o], c)) throw new Error(`element ${o} of ${JSON.stringify(shape)}: ${C.data[o]}, the loop gives ${c}`);
              o++;
            }
          }
        }
        expect(o).toBe(C.size);
      }),
      runs(200),
    );
  });
});

function values(shape: number[], seed: number): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  let s = seed % 2147483647 || 1;
  return tensor(
    Float64Array.from({ length: size }, () => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647 - 0.5;
    }),
    { shape },
  );
}

function broadcast(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => Math.max(a[a.length - n + i] ?? 1, b[b.length - n + i] ?? 1));
}

function* multiIndices(shape: number[]): Generator<number[]> {
  const size = shape.reduce((p, d) => p * d, 1);
  for (let o = 0; o < size; o++) {
    const c: number[] = [];
    let rest = o;
    for (let a = shape.length - 1; a >= 0; a--) {
      c.unshift(rest % shape[a]);
      rest = Math.floor(rest / shape[a]);
    }
    yield c;
  }
}

/** The flat matrix number, in an operand with batch axes `shape`, that batch index t (of the broadcast shape) reads. */
function offsetOf(shape: number[], t: number[]): number {
  let offset = 0;
  const lead = t.length - shape.length;
  for (let a = 0; a < shape.length; a++) offset = offset * shape[a] + (shape[a] === 1 ? 0 : t[lead + a]);
  return offset;
}

// ---- the fuzz -----------------------------------------------------------------------------------

const SPECIAL = [0, -0, 1, -1, 0.5, 2.5, -3, NaN, Infinity, -Infinity, 1e300];
const valueArb = fc.oneof(fc.constantFrom(...SPECIAL), fc.double({ min: -10, max: 10, noNaN: true }));
const tensorArb = shapeArb(0, 4, 3).chain((shape) => {
  const size = shape.reduce((p, d) => p * d, 1);
  return fc.array(valueArb, { minLength: size, maxLength: size }).map((v) => tensor(Float64Array.from(v), { shape }));
});
/** A number argument: small integers mostly, sometimes one that is not an integer, not finite, or huge. */
const numArb = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -5, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(0.5, -1.5, NaN, Infinity, -Infinity, 1e9) });
const listArb = fc.array(numArb, { maxLength: 5 });
const indexArb = shapeArb(0, 3, 3).chain((shape) => {
  const size = shape.reduce((p, d) => p * d, 1);
  return fc.array(numArb, { minLength: size, maxLength: size }).map((v) => tensor(Float64Array.from(v), { shape }));
});

interface Args {
  x: Tensor;
  y: Tensor;
  z: Tensor;
  i: Tensor;
  a: number;
  b: number;
  c: number;
  list: number[];
  list2: number[];
  pairs: [number, number][];
  flag: boolean;
}

const argsArb: fc.Arbitrary<Args> = fc.record({
  x: tensorArb,
  y: tensorArb,
  z: tensorArb,
  i: indexArb,
  a: numArb,
  b: numArb,
  c: numArb,
  list: listArb,
  list2: listArb,
  pairs: fc.array(fc.tuple(numArb, numArb), { maxLength: 5 }),
  flag: fc.boolean(),
});

const maybe = (v: number, flag: boolean) => (flag ? v : undefined);

/** Every op and tensor function of core, called with random arguments of the right kinds. */
const OPS: Record<string, (g: Args) => unknown> = {
  add: ({ x, y }) => gl.add(x, y),
  sub: ({ x, y }) => gl.sub(x, y),
  mul: ({ x, y }) => gl.mul(x, y),
  div: ({ x, y, a, flag }) => gl.div(x, flag ? y : a),
  neg: ({ x }) => gl.neg(x),
  pow: ({ x, a }) => gl.pow(x, a),
  exp: ({ x }) => gl.exp(x),
  log: ({ x }) => gl.log(x),
  sigmoid: ({ x }) => gl.sigmoid(x),
  tanh: ({ x }) => gl.tanh(x),
  relu: ({ x }) => gl.relu(x),
  leakyRelu: ({ x, a }) => gl.leakyRelu(x, a),
  step: ({ x }) => gl.step(x),
  clamp: ({ x, a, b, flag }) => gl.clamp(x, a, maybe(b, flag)),
  abs: ({ x }) => gl.abs(x),
  sqrt: ({ x }) => gl.sqrt(x),
  square: ({ x }) => gl.square(x),
  reciprocal: ({ x }) => gl.reciprocal(x),
  sin: ({ x }) => gl.sin(x),
  cos: ({ x }) => gl.cos(x),
  softplus: ({ x }) => gl.softplus(x),
  erf: ({ x }) => gl.erf(x),
  gelu: ({ x, flag }) => gl.gelu(x, { approximate: flag ? 'tanh' : 'none' }),
  elu: ({ x, a }) => gl.elu(x, a),
  maximum: ({ x, y }) => gl.maximum(x, y),
  minimum: ({ x, y }) => gl.minimum(x, y),
  where: ({ x, y, z }) => gl.where(z, x, y),
  gt: ({ x, y }) => gl.gt(x, y),
  eq: ({ x, y }) => gl.eq(x, y),
  sum: ({ x, list, a, flag }) => gl.sum(x, flag ? list : a, { keepDims: flag }),
  mean: ({ x, list, a, flag }) => gl.mean(x, flag ? list : a),
  max: ({ x, list, flag }) => gl.max(x, flag ? list : undefined, { keepDims: flag }),
  min: ({ x, a }) => gl.min(x, a),
  argmax: ({ x, a, flag }) => gl.argmax(x, maybe(a, flag)),
  argmin: ({ x, a }) => gl.argmin(x, a, { keepDims: true }),
  logSumExp: ({ x, list }) => gl.logSumExp(x, list),
  variance: ({ x, a, flag }) => gl.variance(x, a, { unbiased: flag }),
  std: ({ x, list, flag }) => gl.std(x, list, { unbiased: flag }),
  prod: ({ x, list }) => gl.prod(x, list),
  norm: ({ x, a, b, flag }) => gl.norm(x, flag ? a : Infinity, maybe(b, flag)),
  softmax: ({ x, a }) => gl.softmax(x, a),
  logSoftmax: ({ x, a }) => gl.logSoftmax(x, a),
  matmul: ({ x, y }) => gl.matmul(x, y),
  transpose: ({ x, a, b, flag }) => (flag ? gl.transpose(x, a, b) : gl.transpose(x)),
  reshape: ({ x, list }) => gl.reshape(x, list),
  broadcastTo: ({ x, list }) => gl.broadcastTo(x, list),
  slice: ({ x, list, list2, flag }) => gl.slice(x, list, list2, flag ? list2.map(Math.abs) : undefined),
  permute: ({ x, list }) => gl.permute(x, list),
  concat: ({ x, y, a }) => gl.concat([x, y], a),
  stack: ({ x, y, a }) => gl.stack([x, y], a),
  split: ({ x, a, b, list, flag }) => gl.split(x, flag ? list : a, b),
  squeeze: ({ x, list, flag }) => gl.squeeze(x, flag ? list : undefined),
  unsqueeze: ({ x, a }) => gl.unsqueeze(x, a),
  flatten: ({ x, a, b }) => gl.flatten(x, a, b),
  gather: ({ x, a, i }) => gl.gather(x, a, i),
  gatherArray: ({ x, a, list }) => gl.gather(x, a, [list]),
  index: ({ x, a, i, list, flag }) => gl.index(x, flag ? i : list, a),
  pad: ({ x, pairs, a }) => gl.pad(x, pairs, a),
  arange: ({ a, b, c, flag }) => (flag ? gl.arange(a, b, c) : gl.arange(a)),
  linspace: ({ a, b, c }) => gl.linspace(a, b, c),
  eye: ({ a, b, flag }) => gl.eye(a, maybe(b, flag)),
  zerosLike: ({ x }) => gl.zerosLike(x),
  fullLike: ({ x, a }) => gl.fullLike(x, a),
  oneHot: ({ i, a, flag }) => gl.oneHot(i, maybe(a, flag)),
  conv2d: ({ x, y, z, a, flag }) => gl.conv2d(x, y, flag ? z : undefined, { padding: flag ? 'same' : a }),
  conv1d: ({ x, y, a, b, flag }) => gl.conv1d(x, y, undefined, { padding: flag ? 'valid' : a, dilation: b }),
  maxPool2d: ({ x, a, b, flag }) => gl.maxPool2d(x, a, { stride: maybe(b, flag), ceilMode: flag }),
  avgPool2d: ({ x, a, c, list, flag }) => gl.avgPool2d(x, flag ? a : list, { padding: c, ceilMode: !flag, countIncludePad: flag }),
  upsample: ({ x, a, list, flag }) => gl.upsample(x, flag ? { scaleFactor: a, mode: 'bilinear', alignCorners: a > 2 } : { size: list, mode: 'nearest' }),
};

describe('random shapes, axes and values into every op: a result or a GradlabError (fast-check)', () => {
  it.each(Object.keys(OPS))('%s', (name) => {
    fc.assert(
      fc.property(argsArb, (args) => {
        args.x.requiresGrad = true;
        args.y.requiresGrad = true;
        let result: unknown;
        try {
          result = OPS[name](args);
        } catch (e) {
          if (!(e instanceof GradlabError)) throw e;
          return;
        }
        const outs = (Array.isArray(result) ? result : [result]) as unknown[];
        for (const out of outs) {
          expect(out).toBeInstanceOf(Tensor);
          // and so does its gradient
          if (!(out as Tensor).requiresGrad) continue;
          try {
            grad(sum(out as Tensor), [args.x], { allowUnused: true });
          } catch (e) {
            if (!(e instanceof GradlabError)) throw e;
          }
        }
      }),
      runs(60),
    );
  });
});

describe('windows and resizing over valid NCHW shapes (fast-check)', () => {
  const dim = fc.integer({ min: 1, max: 7 });
  it("conv2d with padding 'same' keeps the spatial size for any kernel and dilation; conv1d too", () => {
    fc.assert(
      fc.property(dim, dim, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (h, w, kh, kw, d) => {
        const y = gl.conv2d(values([1, 2, h, w], h * 7 + w), values([3, 2, kh, kw], kh * 5 + kw), undefined, { padding: 'same', dilation: [d, 1] });
        expect(y.shape).toEqual([1, 3, h, w]);
        expect(gl.conv1d(values([2, 1, w], w), values([1, 1, kw], kw), undefined, { padding: 'same', dilation: d }).shape).toEqual([2, 1, w]);
      }),
      runs(150),
    );
  });
  it('ceilMode: at least the floor size, at most one more per axis, every window starting inside the input or the left padding', () => {
    fc.assert(
      fc.property(dim, dim, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), (h, w, k, s, p) => {
        const x = values([1, 1, h, w], h * 11 + w);
        let floor: Tensor;
        try {
          floor = gl.maxPool2d(x, k, { stride: s, padding: p });
        } catch (e) {
          if (!(e instanceof GradlabError)) throw e;
          return;
        }
        const ceil = gl.maxPool2d(x, k, { stride: s, padding: p, ceilMode: true });
        const avg = gl.avgPool2d(x, k, { stride: s, padding: p, ceilMode: true });
        expect(avg.shape).toEqual(ceil.shape);
        for (const axis of [2, 3]) {
          const n = axis === 2 ? h : w;
          expect(ceil.shape[axis] - floor.shape[axis]).toBeGreaterThanOrEqual(0);
          expect(ceil.shape[axis] - floor.shape[axis]).toBeLessThanOrEqual(1);
          expect((ceil.shape[axis] - 1) * s - p).toBeLessThan(n);
        }
        // no window is empty: every value is finite (the inputs are)
        expect(ceil.data.every(Number.isFinite) && avg.data.every(Number.isFinite)).toBe(true);
      }),
      runs(300),
    );
  });
  it('upsample: ⌊n·s⌋ values per axis; nearest only copies values of x; bilinear stays within the range of x', () => {
    fc.assert(
      fc.property(dim, dim, fc.double({ min: 0.3, max: 3.5, noNaN: true }), fc.boolean(), (h, w, s, align) => {
        const x = values([1, 2, h, w], h * 13 + w);
        const oh = Math.floor(h * s);
        const ow = Math.floor(w * s);
        if (oh < 1 || ow < 1) {
          expect(() => gl.upsample(x, { scaleFactor: s })).toThrow(GradlabError);
          return;
        }
        const near = gl.upsample(x, { scaleFactor: s });
        expect(near.shape).toEqual([1, 2, oh, ow]);
        const present = new Set(x.data);
        expect(near.data.every((v) => present.has(v))).toBe(true);
        const lin = gl.upsample(x, { scaleFactor: s, mode: 'bilinear', alignCorners: align });
        const lo = Math.min(...x.data);
        const hi = Math.max(...x.data);
        expect(lin.data.every((v) => v >= lo - 1e-15 && v <= hi + 1e-15)).toBe(true);
      }),
      runs(300),
    );
  });
});
