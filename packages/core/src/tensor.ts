// The Tensor: an N-D float64 array in row-major order, and a node of the computational graph.
import { allocate, copyOf } from './buffers.ts';
import { formatShape, sizeOf, type Shape } from './shape.ts';
import { setTensorFactory, type Op } from './op.ts';
import * as ops from './ops/index.ts';
import { backward, type BackwardOptions } from './backward.ts';
import type { RandomSource } from './random.ts';

export type { RandomSource };

export interface TensorOptions {
  requiresGrad?: boolean;
  name?: string;
}

/** Anything an op accepts as an operand: a tensor or a plain number (a scalar constant). */
export type TensorLike = Tensor | number;

export type NestedArray = number | NestedArray[];

let nextId = 0;
/** The shape of every number operand (shared: shapes are never changed in place). */
const SCALAR: Shape = [];
const NO_INPUTS: readonly Tensor[] = Object.freeze([]);

export class Tensor {
  /** A unique, increasing id: creation order, used to name nodes in pictures. */
  readonly id: number = nextId++;
  readonly shape: Shape;
  readonly size: number;
  data: Float64Array;
  requiresGrad: boolean;
  /** ∂(root)/∂(this), filled by `backward()` for leaves (and for intermediates that retain it). */
  grad: Tensor | null = null;
  /** An optional human name (`W1`, `0.weight`), shown by the inspector. */
  name: string | undefined;
  /** The op that produced this tensor, or null for a leaf. */
  op: Op | null = null;
  /** The op's inputs, in the op's input order. */
  inputs: readonly Tensor[] = NO_INPUTS;
  /** The op's non-tensor arguments (an axis, an exponent, ...). */
  attrs: unknown = undefined;
  /** Keep `.grad` on this intermediate after backward (PyTorch's retain_grad). */
  retainsGrad = false;
  /** Internal bookkeeping of graph walks (backward.ts): the last walk that visited this node, and where. */
  walkMark = 0;
  walkIndex = 0;

  constructor(data: Float64Array, shape: Shape, options?: TensorOptions) {
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new Error(`tensor: ${data.length} values cannot have shape ${formatShape(shape)} (needs ${size})`);
    }
    this.data = data;
    this.shape = shape;
    this.size = size;
    this.requiresGrad = options?.requiresGrad ?? false;
    this.name = options?.name;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** True for a tensor no op produced (an input or a parameter). */
  get isLeaf(): boolean {
    return this.op === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    return this.data[0];
  }

  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset];
      const n = this.shape[axis];
      const step = sizeOf(this.shape.slice(axis + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(axis + 1, offset + i * step));
      return out;
    };
    return build(0, 0);
  }

  /** Reverse-mode autodiff from this tensor: fills `.grad` of every leaf that requires it. */
  backward(seed?: TensorLike, options?: BackwardOptions): void {
    backward(this, seed, options);
  }

  /** Keep this intermediate's gradient after backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** A new leaf with the same values (shared storage) and no history. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A deep copy of the values, as a new leaf. */
  clone(options?: TensorOptions): Tensor {
    return new Tensor(copyOf(this.data), this.shape, options);
  }

  zeroGrad(): void {
    this.grad = null;
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}${this.name ? ` ${this.name}` : ''}${this.op ? ` ${this.op.name}` : ''})`;
  }

  // ops as methods; each one is the function of the same name in ./ops
  add(other: TensorLike): Tensor { return ops.add(this, other); }
  sub(other: TensorLike): Tensor { return ops.sub(this, other); }
  mul(other: TensorLike): Tensor { return ops.mul(this, other); }
  div(other: TensorLike): Tensor { return ops.div(this, other); }
  neg(): Tensor { return ops.neg(this); }
  pow(exponent: number): Tensor { return ops.pow(this, exponent); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  relu(): Tensor { return ops.relu(this); }
  leakyRelu(slope?: number): Tensor { return ops.leakyRelu(this, slope); }
  clamp(min: number, max: number): Tensor { return ops.clamp(this, min, max); }
  matmul(other: TensorLike): Tensor { return ops.matmul(this, other); }
  transpose(): Tensor { return ops.transpose(this); }
  reshape(shape: Shape): Tensor { return ops.reshape(this, shape); }
  sum(axis?: number | readonly number[], options?: { keepDims?: boolean }): Tensor { return ops.sum(this, axis, options); }
  mean(axis?: number | readonly number[], options?: { keepDims?: boolean }): Tensor { return ops.mean(this, axis, options); }
}

setTensorFactory((data, shape) => new Tensor(data, shape));

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** A scalar constant for a number operand; tensors pass through. */
export function toTensor(x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new Error(`expected a Tensor or a number, got ${typeof x}`);
  const data = new Float64Array(1);
  data[0] = x;
  return new Tensor(data, SCALAR);
}

/** A tensor from a number or nested arrays of numbers (rectangular), e.g. `tensor([[1, 2]])`. */
export function tensor(value: NestedArray | Float64Array, options?: TensorOptions & { shape?: Shape }): Tensor {
  if (value instanceof Float64Array) {
    return new Tensor(value, options?.shape ?? [value.length], options);
  }
  const shape: number[] = [];
  let probe: NestedArray = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0]!;
  }
  const data = new Float64Array(sizeOf(shape));
  let k = 0;
  const fill = (v: NestedArray, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number') throw new Error(`tensor: ragged nested array at ${path || 'top'}: expected a number`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new Error(
        `tensor: ragged nested array at ${path || 'top'}: expected ${shape[axis]} elements, got ${Array.isArray(v) ? v.length : typeof v}`,
      );
    }
    for (let i = 0; i < v.length; i++) fill(v[i], axis + 1, `${path}[${i}]`);
  };
  fill(value, 0, '');
  const t = new Tensor(data, options?.shape ?? shape, options);
  return t;
}

/** A tensor of the given shape filled with `value`. */
export function full(shape: Shape, value: number, options?: TensorOptions): Tensor {
  checkShape('full', shape);
  return new Tensor(allocate(sizeOf(shape)).fill(value), [...shape], options);
}

export function zeros(shape: Shape, options?: TensorOptions): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: Shape, options?: TensorOptions): Tensor {
  return full(shape, 1, options);
}

/** Uniform samples in [low, high) drawn from `rng`, in row-major order. */
export function rand(shape: Shape, rng: RandomSource, options?: TensorOptions & { low?: number; high?: number }): Tensor {
  checkShape('rand', shape);
  const low = options?.low ?? 0;
  const high = options?.high ?? 1;
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.next();
  return new Tensor(data, [...shape], options);
}

/**
 * Standard normal samples (Box–Muller: z = √(−2 ln u₁)·cos(2πu₂), one sample per pair of
 * uniforms, so the stream is simple to reproduce elsewhere), scaled by `std` and shifted by `mean`.
 */
export function randn(shape: Shape, rng: RandomSource, options?: TensorOptions & { mean?: number; std?: number }): Tensor {
  checkShape('randn', shape);
  const mean = options?.mean ?? 0;
  const std = options?.std ?? 1;
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    const u1 = 1 - rng.next(); // in (0, 1]: log is finite
    const u2 = rng.next();
    data[i] = mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return new Tensor(data, [...shape], options);
}

function checkShape(opName: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${opName}: invalid shape ${formatShape(shape)}`);
  }
}
