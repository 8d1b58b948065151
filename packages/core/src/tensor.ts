// The Tensor: an N-D float64 (or float32) array in row-major order, and a node of the computational graph.
// This module knows no ops: the fluent methods (`x.matmul(w).sigmoid()`) are attached to the
// class in methods.ts, so the imports run one way (tensor → op → ops → autograd).
import { describeValue, GradlabError } from './errors.ts';
import { checkShape, formatShape, MAX_ELEMENTS, sizeOf, type Shape } from './shape.ts';
import type { RandomSource } from './random.ts';

export type { RandomSource } from './random.ts';

/** The element type of a tensor's values: float64 (the default) or float32. */
export type DType = 'float32' | 'float64';

/** A tensor's values: a Float64Array, or a Float32Array for a float32 tensor. */
export type FloatArray = Float64Array | Float32Array;

export interface TensorOptions {
  requiresGrad?: boolean;
  name?: string;
  /** The element type of a tensor made from numbers (default float64). */
  dtype?: DType;
}

/** Checks a dtype given by a user (`where` names the function and argument). */
export function checkDType(where: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') throw new GradlabError(`${where}: dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  return dtype;
}

/** An array of `size` zeros of that dtype. */
export function allocate(size: number, dtype: DType): FloatArray {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

/** The dtype a creation function asked for (float64 unless options.dtype says otherwise). */
function dtypeOption(where: string, options: TensorOptions | undefined): DType {
  return options?.dtype === undefined ? 'float64' : checkDType(`${where}: options.dtype`, options.dtype);
}

/** Anything an op accepts as an operand: a tensor or a plain number (a scalar constant). */
export type TensorLike = Tensor | number;

export type NestedArray = number | NestedArray[];

/**
 * Where the backward walk (autograd.ts) marks the nodes it visits: two numbers kept on every
 * tensor under keys only that module uses, so that ordering a graph needs no map. They are
 * not part of Tensor's type.
 */
export const walkMark: unique symbol = Symbol('gradlab.walkMark');
export const walkNext: unique symbol = Symbol('gradlab.walkNext');

/**
 * The op that produced a tensor. op.ts defines `Op` and merges it into this interface, so the
 * tensor can name its op without importing the module above it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by op.ts
export interface TensorOp {}

/** Decides whether a tensor's values may be read now (compile's recording traces them). */
export interface ReadGuard {
  reading(t: Tensor): void;
}

/** Internal (compile/record.ts): puts a tensor's reads under `guard`, or frees them (null). */
export function guardReads(t: Tensor, guard: ReadGuard | null): void {
  (t as unknown as { readGuard: ReadGuard | null }).readGuard = guard;
}

let nextId = 0;

/** The id of the last tensor made so far (tensors made later have larger ids). */
export function lastTensorId(): number {
  return nextId - 1;
}
/** The shape of every number operand (shared: shapes are never changed in place). */
const SCALAR: Shape = [];
const NO_INPUTS: readonly Tensor[] = Object.freeze([]);
const NO_VERSIONS: readonly number[] = Object.freeze([]);

export class Tensor {
  /** A unique, increasing id: creation order, used to name nodes in pictures. */
  readonly id: number = nextId++;
  readonly shape: Shape;
  readonly size: number;
  readonly #data: FloatArray;
  /** While compile records a step: who decides whether reading the values is allowed (compile/record.ts). */
  private readGuard: ReadGuard | null = null;
  requiresGrad: boolean;
  /** ∂(root)/∂(this), filled by `backward()` for leaves (and for intermediates that retain it). */
  grad: Tensor | null = null;
  /** An optional human name (`W1`, `0.weight`), shown by the inspector. */
  name: string | undefined;
  /** The op that produced this tensor, or null for a leaf. */
  op: TensorOp | null = null;
  /** The op's inputs, in the op's input order. */
  inputs: readonly Tensor[] = NO_INPUTS;
  /** The op's non-tensor arguments (an axis, an exponent, ...). */
  attrs: unknown = undefined;
  /**
   * The versions of the inputs when the op read them. The backward walk compares them with the
   * inputs' versions then: an input changed in place since would give a wrong gradient, so that
   * is an error instead (as PyTorch's "modified by an inplace operation").
   */
  inputVersions: readonly number[] = NO_VERSIONS;
  /** Keep `.grad` on this intermediate after backward (PyTorch's retain_grad). */
  retainsGrad = false;
  /** How many times the values were changed in place (shared with `detach()`ed tensors of the same buffer). */
  private writes: { count: number } | null = null;

  constructor(data: FloatArray, shape: Shape, options?: TensorOptions) {
    const size = sizeOf(shape);
    if (data.length !== size) {
      if (!(data instanceof Float64Array || data instanceof Float32Array)) {
        throw new GradlabError(`Tensor: the values must be a Float64Array or a Float32Array, got ${describeValue(data)}`);
      }
      throw new GradlabError(`tensor: ${data.length} values cannot have shape ${formatShape(shape)} (needs ${size})`);
    }
    this.#data = data;
    this.shape = shape;
    this.size = size;
    this.requiresGrad = options?.requiresGrad ?? false;
    this.name = options?.name;
    (this as unknown as Record<symbol, number>)[walkMark] = 0;
    (this as unknown as Record<symbol, number>)[walkNext] = 0;
  }

  /**
   * The values, row-major. The tensor owns this buffer: no other tensor shares it (except those
   * made by `detach()`), so it may be kept or transferred to a worker without affecting anything
   * else. Writing into it directly is the unchecked escape hatch: use `set()`, or call
   * `markChanged()` after writing, so that a graph which used the old values refuses to
   * backpropagate instead of giving a wrong gradient.
   */
  get data(): FloatArray {
    if (this.readGuard !== null) this.readGuard.reading(this);
    return this.#data;
  }

  /** The element type: 'float32' for values in a Float32Array, else 'float64'. */
  get dtype(): DType {
    return this.#data.BYTES_PER_ELEMENT === 4 ? 'float32' : 'float64';
  }

  /** Counts the in-place changes (`set`, `markChanged`): 0 for a tensor never changed. */
  get version(): number {
    return this.writes === null ? 0 : this.writes.count;
  }

  /**
   * Overwrites the values in place, and counts it as a change: a tensor or nested arrays of this
   * shape, or the values flat (row-major, as many as this tensor holds). Another shape is an error.
   */
  set(values: ArrayLike<number> | NestedArray | Tensor): this {
    let source: ArrayLike<number>;
    if (values instanceof Tensor || typeof values === 'number' || (Array.isArray(values) && values.some(Array.isArray))) {
      let t: Tensor;
      try {
        t = values instanceof Tensor ? values : tensor(values);
      } catch (e) {
        throw e instanceof GradlabError ? new GradlabError(e.message.replace(/^tensor: /, 'set: ')) : e;
      }
      if (t.shape.length !== this.shape.length || t.shape.some((n, i) => n !== this.shape[i])) {
        throw new GradlabError(`set: values of shape ${formatShape(t.shape)} for a tensor of shape ${formatShape(this.shape)}`);
      }
      source = t.data;
    } else {
      source = values as ArrayLike<number>;
      if (typeof source !== 'object' || source === null || typeof source.length !== 'number') {
        throw new GradlabError(`set: expected a Tensor, nested arrays or an array of numbers, got ${describeValue(source)}`);
      }
      if (source.length !== this.size) {
        throw new GradlabError(`set: ${source.length} values for a tensor of shape ${formatShape(this.shape)} (${this.size} values)`);
      }
      if (!ArrayBuffer.isView(source)) {
        for (let i = 0; i < source.length; i++) {
          if (typeof source[i] !== 'number') throw new GradlabError(`set: expected numbers, got ${describeValue(source[i])} at index ${i}`);
        }
      }
    }
    this.data.set(source);
    return this.markChanged();
  }

  /** Says that the values were changed in place through `.data` (as optimizers do). */
  markChanged(): this {
    (this.writes ??= { count: 0 }).count++;
    return this;
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
    if (this.size !== 1) throw new GradlabError(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
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

  /** Keep this intermediate's gradient after backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** A new leaf with the same values (shared storage, and so a shared version) and no history. */
  detach(): Tensor {
    const view = new Tensor(this.data, this.shape);
    view.writes = this.writes ??= { count: 0 };
    return view;
  }

  /** A deep copy of the values, as a new leaf (converted if `options.dtype` differs; not an op, see `cast`). */
  clone(options?: TensorOptions): Tensor {
    const dtype = options?.dtype === undefined ? this.dtype : checkDType('clone: options.dtype', options.dtype);
    if (dtype === this.dtype) return new Tensor(this.data.slice(), this.shape, options);
    const data = allocate(this.size, dtype);
    data.set(this.data);
    return new Tensor(data, this.shape, options);
  }

  zeroGrad(): void {
    this.grad = null;
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}${this.name ? ` ${this.name}` : ''}${this.op ? ` ${this.op.name}` : ''})`;
  }
}

/**
 * Internal (autograd.ts's scratch pool): makes a dead tensor of the backward walk new again, as
 * `new Tensor(t.data, shape)` would (same buffer, a fresh id, no history, never changed), without
 * allocating. Only for a tensor no one can reach any more: a walk's gradient it never handed out.
 */
export function renewTensor(t: Tensor, shape: Shape): Tensor {
  const fields = t as unknown as {
    id: number; shape: Shape; readGuard: ReadGuard | null; requiresGrad: boolean; grad: Tensor | null; name: string | undefined;
    op: TensorOp | null; inputs: readonly Tensor[]; attrs: unknown; inputVersions: readonly number[]; retainsGrad: boolean;
    writes: { count: number } | null;
  } & Record<symbol, number>;
  fields.id = nextId++;
  fields.shape = shape;
  fields.readGuard = null;
  fields.requiresGrad = false;
  fields.grad = null;
  fields.name = undefined;
  fields.op = null;
  fields.inputs = NO_INPUTS;
  fields.attrs = undefined;
  fields.inputVersions = NO_VERSIONS;
  fields.retainsGrad = false;
  fields.writes = null;
  fields[walkMark] = 0;
  fields[walkNext] = 0;
  return t;
}

/** Whether `t` is the scalar constant `toTensor` made for a number operand (it takes no part in dtype promotion). */
export function isNumberOperand(t: Tensor): boolean {
  return t.shape === SCALAR;
}

/** A scalar constant for a number operand; tensors pass through. */
export function toTensor(x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new GradlabError(`expected a Tensor or a number, got ${describeValue(x)}`);
  const data = new Float64Array(1);
  data[0] = x;
  return new Tensor(data, SCALAR);
}

/** Any typed array of numbers (Float32Array, Int32Array, Uint8Array, …; not BigInt64Array). */
export type NumericArray = Exclude<ArrayBufferView, DataView | BigInt64Array | BigUint64Array> & ArrayLike<number>;

/**
 * A tensor from a number, nested arrays of numbers (rectangular), or a typed array (copied
 * into float64; `shape` defaults to its length), e.g. `tensor([[1, 2]])`. The nested arrays are
 * read without recursion, so any depth up to the element limit fits.
 */
export function tensor(value: NestedArray | NumericArray, options?: TensorOptions & { shape?: Shape }): Tensor {
  const shape = options?.shape === undefined ? undefined : checkShape('tensor: options.shape', options.shape);
  const dtype = dtypeOption('tensor', options);
  if (value instanceof (dtype === 'float32' ? Float32Array : Float64Array)) return new Tensor(value, shape ?? [value.length], options);
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView || value instanceof BigInt64Array || value instanceof BigUint64Array) {
      throw new GradlabError(`tensor: expected numbers, got ${describeValue(value)}`);
    }
    const values = value as ArrayLike<number>;
    return new Tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape ?? [values.length], options);
  }
  const { data, shape: nested } = parseNested(value);
  return new Tensor(dtype === 'float32' ? Float32Array.from(data) : data, shape ?? nested, options);
}

/** Nested arrays of numbers as values and shape (iterative: the shape from the first elements, then every element checked). */
function parseNested(value: unknown): { data: Float64Array; shape: number[] } {
  if (typeof value === 'number') return { data: Float64Array.of(value), shape: [] };
  if (!Array.isArray(value)) throw new GradlabError(`tensor: expected a number, nested arrays of numbers or a typed array, got ${describeValue(value)}`);
  const shape: number[] = [];
  let probe: unknown = value;
  let size = 1;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    size *= probe.length;
    if (size > MAX_ELEMENTS) throw new GradlabError(`tensor: more than ${MAX_ELEMENTS} (2^27) values`);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const data = new Float64Array(size);
  let k = 0;
  // depth-first over the nested arrays: (array, next index) per level
  const arrays: unknown[][] = [value];
  const next: number[] = [0];
  while (arrays.length > 0) {
    const level = arrays.length - 1;
    const array = arrays[level];
    if (next[level] === 0 && array.length !== shape[level]) {
      throw new GradlabError(`tensor: ragged nested array at ${positionIn(next, level)}: expected ${shape[level]} elements, got ${array.length}`);
    }
    if (next[level] === array.length) {
      arrays.pop();
      next.pop();
      continue;
    }
    const item: unknown = array[next[level]++];
    if (level === shape.length - 1) {
      if (typeof item !== 'number') {
        throw new GradlabError(`tensor: ragged nested array at ${positionIn(next, level + 1)}: expected a number, got ${describeValue(item)}`);
      }
      data[k++] = item;
    } else if (Array.isArray(item)) {
      arrays.push(item);
      next.push(0);
    } else {
      throw new GradlabError(`tensor: ragged nested array at ${positionIn(next, level + 1)}: expected ${shape[level + 1]} elements, got ${describeValue(item)}`);
    }
  }
  return { data, shape };
}

/** The position of the nested array at `depth` (or, past it, of the element just read): `[1][0]`, or `top`. */
function positionIn(next: readonly number[], depth: number): string {
  return depth === 0 ? 'top' : next.slice(0, depth).map((i) => `[${i - 1}]`).join('');
}

/** A tensor of the given shape filled with `value`. */
export function full(shape: Shape, value: number, options?: TensorOptions): Tensor {
  return filled('full', shape, value, options);
}

export function zeros(shape: Shape, options?: TensorOptions): Tensor {
  return filled('zeros', shape, 0, options);
}

export function ones(shape: Shape, options?: TensorOptions): Tensor {
  return filled('ones', shape, 1, options);
}

function filled(where: string, shape: Shape, value: number, options?: TensorOptions): Tensor {
  const dims = checkShape(`${where}: shape`, shape);
  if (typeof value !== 'number') throw new GradlabError(`${where}: the fill value must be a number, got ${describeValue(value)}`);
  return new Tensor(allocate(sizeOf(dims), dtypeOption(where, options)).fill(value), dims, options);
}

function checkRng(where: string, rng: unknown): RandomSource {
  if (typeof rng !== 'object' || rng === null || typeof (rng as RandomSource).next !== 'function') {
    throw new GradlabError(`${where}: rng must have a next() method giving numbers in [0, 1) (e.g. createRng(seed)), got ${describeValue(rng)}`);
  }
  return rng as RandomSource;
}

/** Uniform samples in [low, high) drawn from `rng`, in row-major order. */
export function rand(shape: Shape, rng: RandomSource, options?: TensorOptions & { low?: number; high?: number }): Tensor {
  shape = checkShape('rand: shape', shape);
  checkRng('rand', rng);
  const low = options?.low ?? 0;
  const high = options?.high ?? 1;
  const data = allocate(sizeOf(shape), dtypeOption('rand', options));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.next();
  return new Tensor(data, [...shape], options);
}

/**
 * Standard normal samples (Box–Muller: z = √(−2 ln u₁)·cos(2πu₂), one sample per pair of
 * uniforms, so the stream is simple to reproduce elsewhere), scaled by `std` and shifted by `mean`.
 */
export function randn(shape: Shape, rng: RandomSource, options?: TensorOptions & { mean?: number; std?: number }): Tensor {
  shape = checkShape('randn: shape', shape);
  checkRng('randn', rng);
  const mean = options?.mean ?? 0;
  const std = options?.std ?? 1;
  const data = allocate(sizeOf(shape), dtypeOption('randn', options));
  for (let i = 0; i < data.length; i++) {
    const u1 = 1 - rng.next(); // in (0, 1]: log is finite
    const u2 = rng.next();
    data[i] = mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return new Tensor(data, [...shape], options);
}
