// ONNX export: run the model once on an example input, listen to every op it applies (core's
// recordOps: also the ops that take no gradient, such as comparisons) and write that graph as an
// ONNX ModelProto: the input becomes the graph's input, each parameter and constant an
// initializer holding its values, each op one or a few ONNX nodes. The file runs in onnxruntime,
// PyTorch's ONNX tools and anything else that reads ONNX (opset 17, IR version 8). Where
// onnxruntime has no float64 kernel for an op (Conv, ConvTranspose, AveragePool, Erf, Softplus),
// a float64 export spells the op out with ops it has, so the same file runs everywhere.
import { enableGrad, erfScalar, geluTanhOp, GradlabError, recordOps, zeros, type DType, type Op, type Tensor } from '@gradlab/core';
import protobuf from 'protobufjs/light.js';
import { Module } from '../module.ts';
import { ONNX_ATTRIBUTE, ONNX_DTYPE, ONNX_SCHEMA } from './onnx-schema.ts';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface ExportOnnxOptions {
  /** The input's shape, e.g. `[1, 2]` for one sample of 2 features. */
  inputShape: readonly number[];
  /**
   * Element type of the whole graph: 'float64' or 'float32' (what most runtimes and accelerators
   * expect; float64 weights are rounded, float32 ones written exactly). Default: each value keeps
   * its gradlab dtype, the input that of the model (float32 if every parameter of the Module is
   * float32, else float64), so a float32 model gives a float32 file and is never widened.
   */
  dtype?: 'float64' | 'float32';
  /**
   * Whether the first dimension of the input (and of the output, where it is the same) is a
   * symbolic `batch`, so the model takes any number of rows (default true for inputs of rank ≥ 2).
   */
  dynamicBatch?: boolean;
  /** Names of the graph's input and output (default 'input', 'output'). */
  inputName?: string;
  outputName?: string;
}

interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
}

interface NodeSpec {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: Attribute[];
}

interface TensorSpec {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

/** What an op's exporter can do: name its inputs, add constants and nodes. */
interface Emitter {
  /** The ONNX name of the op's i-th input. */
  input(i: number): string;
  /** The ONNX names of all its inputs. */
  inputs(): string[];
  /** Its i-th input's shape. */
  inputShape(i: number): readonly number[];
  /** The recorded attributes of the op (its own object: read with `attr`). */
  attrs: unknown;
  /** The shape of the op's result. */
  shape: readonly number[];
  /** Adds a constant of the op's float type (or the one given); returns its name. */
  float(values: readonly number[], dims?: readonly number[], dtype?: DType): string;
  /** Adds an int64 constant (shapes, axes); returns its name. */
  int64(values: readonly number[]): string;
  /** Adds a node; `output` defaults to the op's own result. Returns the output's name. */
  node(opType: string, inputs: string[], attributes?: Attribute[], output?: string): string;
  /** A fresh name for a value between the nodes of one op. */
  temp(): string;
  /** Whether the op's first input has the (symbolic) batch as its first dimension. */
  batched: boolean;
  /** Whether the op computes in float64 (ONNX's float attributes are float32: such ops are spelled out). */
  double: boolean;
  /** The op's definition (two ops may share a name: gelu and its tanh form). */
  definition: Op;
}

const int = (name: string, i: number): Attribute => ({ name, type: ONNX_ATTRIBUTE.INT, i });
const ints = (name: string, values: readonly number[]): Attribute => ({ name, type: ONNX_ATTRIBUTE.INTS, ints: [...values] });
const float = (name: string, f: number): Attribute => ({ name, type: ONNX_ATTRIBUTE.FLOAT, f });
const str = (name: string, value: string): Attribute => ({ name, type: ONNX_ATTRIBUTE.STRING, s: new TextEncoder().encode(value) });
/** Cast to the model's float type (comparisons give booleans, ArgMax int64). */
const toFloat = (e: Emitter): Attribute => int('to', e.double ? ONNX_DTYPE.DOUBLE : ONNX_DTYPE.FLOAT);
const TO_INT64 = int('to', ONNX_DTYPE.INT64);

/** A recorded attribute, checked: ops keep them in plain objects. */
function attr<T>(op: string, attrs: unknown, key: string, check: (v: unknown) => v is T): T {
  const value = typeof attrs === 'object' && attrs !== null ? (attrs as Record<string, unknown>)[key] : undefined;
  if (!check(value)) throw new GradlabError(`exportOnnx: op '${op}' has no usable attribute '${key}' (got ${JSON.stringify(value)})`);
  return value;
}
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isNumbers = (v: unknown): v is readonly number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

const unary = (opType: string) => (e: Emitter): string => e.node(opType, [e.input(0)]);
const binary = (opType: string) => (e: Emitter): string => e.node(opType, [e.input(0), e.input(1)]);

/**
 * The target shape of a reshape or expand of a batched value: dimension 0 is `copy` (Reshape's 0
 * and Expand's 1 both mean "the input's own size"), so the node works for any batch size. A
 * target that changes dimension 0 would fix the batch size: an error that says so.
 */
function batchAware(e: Emitter, op: string, copy: number): number[] {
  const target = [...e.shape];
  if (!e.batched) return target;
  if (target[0] !== e.inputShape(0)[0]) {
    throw new GradlabError(
      `exportOnnx: ${op} [${e.inputShape(0).join(',')}] → [${target.join(',')}] changes the batch dimension; export with dynamicBatch: false`,
    );
  }
  target[0] = copy;
  return target;
}

// gradlab op → ONNX, one entry per op: the math is the same, so only names and attributes move
const EXPORTERS: Record<string, (e: Emitter) => string> = {
  abs: unary('Abs'),
  cos: unary('Cos'),
  erf: (e) => (e.double ? erfSpelledOut(e, e.input(0)) : e.node('Erf', [e.input(0)])),
  exp: unary('Exp'),
  log: unary('Log'),
  neg: unary('Neg'),
  reciprocal: unary('Reciprocal'),
  relu: unary('Relu'),
  sigmoid: unary('Sigmoid'),
  sin: unary('Sin'),
  softplus: (e) => {
    if (!e.double) return e.node('Softplus', [e.input(0)]);
    // onnxruntime has no float64 Softplus: max(x, 0) + ln(1 + e^−|x|), which never overflows
    const positive = e.node('Max', [e.input(0), e.float([0], [])], [], e.temp());
    const decay = e.node('Exp', [e.node('Neg', [e.node('Abs', [e.input(0)], [], e.temp())], [], e.temp())], [], e.temp());
    return e.node('Add', [positive, e.node('Log', [e.node('Add', [decay, e.float([1], [])], [], e.temp())], [], e.temp())]);
  },
  sqrt: unary('Sqrt'),
  tanh: unary('Tanh'),
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  matmul: binary('MatMul'),
  maximum: binary('Max'),
  minimum: binary('Min'),
  // x² = x·x
  square: (e) => e.node('Mul', [e.input(0), e.input(0)]),
  pow: (e) => e.node('Pow', [e.input(0), e.float([attr('pow', e.attrs, 'exponent', isNumber)], [])]),
  leakyRelu: (e) => {
    const slope = attr('leakyRelu', e.attrs, 'slope', isNumber);
    if (!e.double) return e.node('LeakyRelu', [e.input(0)], [float('alpha', slope)]);
    // max(x, 0) + slope·min(x, 0): the same numbers, with slope kept in float64
    const [positive, negative] = maxMin(e);
    return e.node('Add', [positive, e.node('Mul', [negative, e.float([slope], [])], [], e.temp())]);
  },
  elu: (e) => {
    const alpha = attr('elu', e.attrs, 'alpha', isNumber);
    if (!e.double) return e.node('Elu', [e.input(0)], [float('alpha', alpha)]);
    // max(x, 0) + α·(exp(min(x, 0)) − 1)
    const [positive, negative] = maxMin(e);
    const expm1 = e.node('Sub', [e.node('Exp', [negative], [], e.temp()), e.float([1], [])], [], e.temp());
    return e.node('Add', [positive, e.node('Mul', [expm1, e.float([alpha], [])], [], e.temp())]);
  },
  clamp: (e) => e.node('Clip', [e.input(0), e.float([attr('clamp', e.attrs, 'min', isNumber)], []), e.float([attr('clamp', e.attrs, 'max', isNumber)], [])]),
  softmax: (e) => e.node('Softmax', [e.input(0)], [int('axis', attr('softmax', e.attrs, 'axis', isNumber))]),
  logSoftmax: (e) => e.node('LogSoftmax', [e.input(0)], [int('axis', attr('logSoftmax', e.attrs, 'axis', isNumber))]),
  reshape: (e) => e.node('Reshape', [e.input(0), e.int64(batchAware(e, 'reshape', 0))]),
  // Expand broadcasts both ways: a 1 in the target keeps the input's own size
  broadcastTo: (e) => e.node('Expand', [e.input(0), e.int64(batchAware(e, 'broadcastTo', 1))]),
  transpose: (e) => e.node('Transpose', [e.input(0)], [ints('perm', [1, 0])]),
  permute: (e) => e.node('Transpose', [e.input(0)], [ints('perm', attr('permute', e.attrs, 'axes', isNumbers))]),
  concat: (e) => e.node('Concat', e.inputs(), [int('axis', attr('concat', e.attrs, 'axis', isNumber))]),
  sum: (e) => {
    const axes = attr('sum', e.attrs, 'axes', isNumbers);
    const keepDims = attr('sum', e.attrs, 'keepDims', (v): v is boolean => typeof v === 'boolean');
    return e.node('ReduceSum', [e.input(0), e.int64(axes)], [int('keepdims', keepDims ? 1 : 0)]);
  },
  max: (e) => reduceWithAttribute(e, 'max', 'ReduceMax'),
  min: (e) => reduceWithAttribute(e, 'min', 'ReduceMin'),
  norm: (e) => reduceWithAttribute(e, 'norm', 'ReduceL2'),
  prod: (e) => reduceWithAttribute(e, 'prod', 'ReduceProd'),
  logSumExp: (e) => reduceWithAttribute(e, 'logSumExp', 'ReduceLogSumExp'),
  // Σ(xᵢ − x̄)²/(n − c), as gradlab computes it (the mean first); std is its square root
  variance: (e) => variance(e, 'variance'),
  std: (e) => e.node('Sqrt', [variance(e, 'std', e.temp())]),
  argmax: (e) => argIndex(e, 'argmax', 'ArgMax'),
  argmin: (e) => argIndex(e, 'argmin', 'ArgMin'),
  // comparisons give booleans in ONNX, 0/1 in gradlab
  gt: (e) => e.node('Cast', [e.node('Greater', [e.input(0), e.input(1)], [], e.temp())], [toFloat(e)]),
  ge: (e) => e.node('Cast', [e.node('GreaterOrEqual', [e.input(0), e.input(1)], [], e.temp())], [toFloat(e)]),
  lt: (e) => e.node('Cast', [e.node('Less', [e.input(0), e.input(1)], [], e.temp())], [toFloat(e)]),
  le: (e) => e.node('Cast', [e.node('LessOrEqual', [e.input(0), e.input(1)], [], e.temp())], [toFloat(e)]),
  eq: (e) => e.node('Cast', [e.node('Equal', [e.input(0), e.input(1)], [], e.temp())], [toFloat(e)]),
  // [x > 0]
  step: (e) => e.node('Cast', [e.node('Greater', [e.input(0), e.float([0], [])], [], e.temp())], [toFloat(e)]),
  // a where cond ≠ 0 (NaN counts as true: NaN = 0 is false), else b
  where: (e) => {
    const nonzero = e.node('Not', [e.node('Equal', [e.input(0), e.float([0], [])], [], e.temp())], [], e.temp());
    return e.node('Where', [nonzero, e.input(1), e.input(2)]);
  },
  // y[…, c] = [indices[…] = c]
  oneHot: (e) => {
    const classes = attr('oneHot', e.attrs, 'classes', isNumber);
    const column = e.node('Unsqueeze', [e.input(0), e.int64([-1])], [], e.temp());
    const equal = e.node('Equal', [column, e.float(Array.from({ length: classes }, (_, c) => c))], [], e.temp());
    return e.node('Cast', [equal], [toFloat(e)]);
  },
  // indices are gradlab numbers: ONNX wants int64
  gather: (e) => {
    const index = e.node('Cast', [e.input(1)], [TO_INT64], e.temp());
    return e.node('GatherElements', [e.input(0), index], [int('axis', attr('gather', e.attrs, 'axis', isNumber))]);
  },
  index: (e) => {
    const indices = e.node('Cast', [e.input(1)], [TO_INT64], e.temp());
    return e.node('Gather', [e.input(0), indices], [int('axis', attr('index', e.attrs, 'axis', isNumber))]);
  },
  pad: (e) => {
    const inner = attr('pad', e.attrs, 'inner', isSliceAttrs);
    const after = inner.full.map((d, a) => d - inner.sliced[a] - inner.starts[a]);
    const value = attr('pad', e.attrs, 'value', isNumber);
    return e.node('Pad', [e.input(0), e.int64([...inner.starts, ...after]), e.float([value], [])]);
  },
  gelu: (e) => (e.definition === (geluTanhOp as unknown as Op) ? geluTanh(e) : geluErf(e)),
  conv1d: (e) => conv(e, 'conv1d'),
  conv2d: (e) => conv(e, 'conv2d'),
  convTranspose1d: (e) => convTranspose(e, 'convTranspose1d'),
  convTranspose2d: (e) => convTranspose(e, 'convTranspose2d'),
  maxPool2d: (e) => {
    const axes = spatialAxes(2, poolWindow(e, 'maxPool2d'));
    return e.node('MaxPool', [e.input(0)], windowAttributes(axes));
  },
  avgPool2d: (e) => avgPool(e),
  // y = x in the other float type (Cast rounds to nearest, as gradlab). In a graph exported all
  // float64 a cast to float32 still rounds (Cast there and back), though the float32 ops after it
  // then compute in float64; all float32, a cast to float64 is x
  cast: (e) => {
    const rounds = e.double && attr('cast', e.attrs, 'dtype', (v): v is DType => v === 'float32' || v === 'float64') === 'float32';
    const x = rounds ? e.node('Cast', [e.input(0)], [int('to', ONNX_DTYPE.FLOAT)], e.temp()) : e.input(0);
    return e.node('Cast', [x], [toFloat(e)]);
  },
  upsample: (e) => upsample(e),
  slice: (e) => {
    const starts = attr('slice', e.attrs, 'starts', isNumbers);
    const steps = attr('slice', e.attrs, 'steps', isNumbers);
    if (steps.some((s) => s <= 0)) throw new GradlabError(`exportOnnx: slice with steps [${steps.join(', ')}]: only positive steps are exported`);
    const ends = starts.map((s, a) => s + (e.shape[a] - 1) * steps[a] + 1);
    const axes = starts.map((_, a) => a);
    return e.node('Slice', [e.input(0), e.int64(starts), e.int64(ends), e.int64(axes), e.int64(steps)]);
  },
};

/** The ops exportOnnx knows, by gradlab op name. */
export const ONNX_EXPORTABLE_OPS: readonly string[] = Object.freeze(Object.keys(EXPORTERS).sort());

/** max(x, 0) and min(x, 0), for activations spelled out in float64. */
function maxMin(e: Emitter): [string, string] {
  const zero = e.float([0], []);
  return [e.node('Max', [e.input(0), zero], [], e.temp()), e.node('Min', [e.input(0), zero], [], e.temp())];
}

function reduceWithAttribute(e: Emitter, op: string, opType: string): string {
  const axes = attr(op, e.attrs, 'axes', isNumbers);
  const keepDims = attr(op, e.attrs, 'keepDims', (v): v is boolean => typeof v === 'boolean');
  return e.node(opType, [e.input(0)], [ints('axes', axes), int('keepdims', keepDims ? 1 : 0)]);
}

/** Σ(xᵢ − x̄)²/(n − c) over the op's axes: the mean first, as gradlab's kernel. */
function variance(e: Emitter, op: string, output?: string): string {
  const axes = attr(op, e.attrs, 'axes', isNumbers);
  const keepDims = attr(op, e.attrs, 'keepDims', isBoolean);
  const correction = attr(op, e.attrs, 'correction', isNumber);
  const n = axes.reduce((size, a) => size * e.inputShape(0)[a], 1);
  const mean = e.node('ReduceMean', [e.input(0)], [ints('axes', axes), int('keepdims', 1)], e.temp());
  const d = e.node('Sub', [e.input(0), mean], [], e.temp());
  const squares = e.node('ReduceSum', [e.node('Mul', [d, d], [], e.temp()), e.int64(axes)], [int('keepdims', keepDims ? 1 : 0)], e.temp());
  return e.node('Div', [squares, e.float([n - correction], [])], [], output);
}

/**
 * argmax/argmin along one axis, or over all elements as the flat index; the first on ties (as
 * gradlab) and a float result (ONNX gives int64).
 */
function argIndex(e: Emitter, op: string, opType: string): string {
  const axes = attr(op, e.attrs, 'axes', isNumbers);
  const keepDims = attr(op, e.attrs, 'keepDims', isBoolean);
  const rank = e.inputShape(0).length;
  const flat = axes.length > 1 || (axes.length === 1 && rank > 1 && attr(op, e.attrs, 'all', isBoolean));
  const first = [int('select_last_index', 0)];
  let index: string;
  if (flat) {
    const row = e.node('Reshape', [e.input(0), e.int64([-1])], [], e.temp());
    const at = e.node(opType, [row], [int('axis', 0), int('keepdims', 1), ...first], e.temp());
    index = e.node('Reshape', [at, e.int64(e.shape)], [], e.temp());
  } else {
    index = e.node(opType, [e.input(0)], [int('axis', axes[0]), int('keepdims', keepDims ? 1 : 0), ...first], e.temp());
  }
  return e.node('Cast', [index], [toFloat(e)]);
}

// ---- gelu and erf ----------------------------------------------------------------------------

const BETA = 0.7978845608028654; // √(2/π)
const KAPPA = 0.044715;

/** ½x(1 + tanh(√(2/π)(x + 0.044715x³))), in gradlab's order of operations. */
function geluTanh(e: Emitter): string {
  const x = e.input(0);
  const cube = e.node('Mul', [e.node('Mul', [x, x], [], e.temp()), x], [], e.temp());
  const u = e.node('Mul', [e.float([BETA], []), e.node('Add', [x, e.node('Mul', [e.float([KAPPA], []), cube], [], e.temp())], [], e.temp())], [], e.temp());
  const half = e.node('Mul', [e.float([0.5], []), x], [], e.temp());
  return e.node('Mul', [half, e.node('Add', [e.float([1], []), e.node('Tanh', [u], [], e.temp())], [], e.temp())]);
}

/** x·Φ(x) = x·½(1 + erf(x/√2)). */
function geluErf(e: Emitter): string {
  const x = e.input(0);
  const scaled = e.node('Mul', [x, e.float([Math.SQRT1_2], [])], [], e.temp());
  const erf = e.double ? erfSpelledOut(e, scaled, e.temp()) : e.node('Erf', [scaled], [], e.temp());
  const cdf = e.node('Mul', [e.float([0.5], []), e.node('Add', [e.float([1], []), erf], [], e.temp())], [], e.temp());
  return e.node('Mul', [x, cdf]);
}

/** erf's table: grid points per unit, the last point (erf 6 is 1 to double precision), the Taylor order. */
const ERF_STEP = 32;
const ERF_LIMIT = 6;
const ERF_ORDER = 10;
let erfColumns: number[][] | undefined;

/**
 * cₘ(a) = erf⁽ᵐ⁾(a)/m! at a = k/32, k = 0 … 192, as columns m = 0 … 10: c₀ is gradlab's own erf,
 * and with erf′ = (2/√π)e^(−x²) the rest come from e^(−(a+h)²) = e^(−a²)·q(h), q = e^(−2ah−h²),
 * whose Taylor coefficients follow (m+1)qₘ₊₁ = −2a·qₘ − 2qₘ₋₁ (from q′ = −(2a + 2h)q):
 * cₘ₊₁ = (2/√π)e^(−a²)·qₘ/(m+1).
 */
function erfTaylorColumns(): number[][] {
  if (erfColumns) return erfColumns;
  const columns = Array.from({ length: ERF_ORDER + 1 }, () => [] as number[]);
  for (let k = 0; k <= ERF_LIMIT * ERF_STEP; k++) {
    const a = k / ERF_STEP;
    const scale = (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a);
    columns[0].push(erfScalar(a));
    let previous = 0;
    let q = 1;
    for (let m = 0; m < ERF_ORDER; m++) {
      columns[m + 1].push((scale * q) / (m + 1));
      const next = (-2 * a * q - 2 * previous) / (m + 1);
      previous = q;
      q = next;
    }
  }
  erfColumns = columns;
  return columns;
}

/**
 * erf x in float64 without an Erf node (onnxruntime has none for float64): |x| (at most 6) is
 * split into the nearest grid point a = k/32 and h = |x| − a (|h| ≤ 1/64), erf|x| is the Taylor
 * polynomial Σ cₘ(a)hᵐ (Horner; the terms left out are below 10⁻²⁰), and the sign is x's.
 * Matches gradlab's erf to a few units in the last place.
 */
function erfSpelledOut(e: Emitter, x: string, output?: string): string {
  const columns = erfTaylorColumns();
  // NaN stays NaN: it is read as 0 (a table index must be one) and put back at the end
  const nan = e.node('IsNaN', [x], [], e.temp());
  const clipped = e.node('Min', [e.node('Abs', [x], [], e.temp()), e.float([ERF_LIMIT], [])], [], e.temp());
  const magnitude = e.node('Where', [nan, e.float([0], []), clipped], [], e.temp());
  const nearest = e.node('Floor', [e.node('Add', [e.node('Mul', [magnitude, e.float([ERF_STEP], [])], [], e.temp()), e.float([0.5], [])], [], e.temp())], [], e.temp());
  const k = e.node('Cast', [nearest], [TO_INT64], e.temp());
  const h = e.node('Sub', [magnitude, e.node('Mul', [nearest, e.float([1 / ERF_STEP], [])], [], e.temp())], [], e.temp());
  const coefficient = (m: number) => e.node('Gather', [e.float(columns[m]), k], [int('axis', 0)], e.temp());
  let sum = coefficient(ERF_ORDER);
  for (let m = ERF_ORDER - 1; m >= 0; m--) sum = e.node('Add', [e.node('Mul', [sum, h], [], e.temp()), coefficient(m)], [], e.temp());
  const signed = e.node('Mul', [e.node('Sign', [x], [], e.temp()), sum], [], e.temp());
  return e.node('Where', [nan, x, signed], [], output);
}

// ---- convolution and pooling -----------------------------------------------------------------

/** A window over the spatial axes, as core records it (1-D: height 1). */
interface WindowAttrs {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly dh: number;
  readonly dw: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
  readonly ceilMode?: boolean;
}
const WINDOW_KEYS = ['kh', 'kw', 'sh', 'sw', 'ph', 'pw', 'dh', 'dw', 'h', 'w', 'oh', 'ow'] as const;
const isWindow = (v: unknown): v is WindowAttrs =>
  typeof v === 'object' && v !== null && WINDOW_KEYS.every((k) => Number.isInteger((v as Record<string, unknown>)[k]));
const isSpatial = (v: unknown): v is 1 | 2 => v === 1 || v === 2;
const isSliceAttrs = (v: unknown): v is { starts: readonly number[]; sliced: readonly number[]; full: readonly number[] } =>
  typeof v === 'object' && v !== null && ['starts', 'sliced', 'full'].every((k) => isNumbers((v as Record<string, unknown>)[k]));

/**
 * A pool's window. With `ceilMode` the output may gain a last, partial window per axis; gradlab
 * counts those as PyTorch does (a window starting in the right padding is dropped), which ONNX's
 * `ceil_mode` does not state, so such a pool is refused rather than exported with other sizes.
 * A ceilMode that adds no window changes nothing and is exported as it is.
 */
function poolWindow(e: Emitter, op: 'maxPool2d' | 'avgPool2d'): WindowAttrs {
  const window = attr(op, e.attrs, 'window', isWindow);
  if (window.ceilMode !== true) return window;
  const floor = (n: number, k: number, s: number, p: number, d: number) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
  const oh = floor(window.h, window.kh, window.sh, window.ph, window.dh);
  const ow = floor(window.w, window.kw, window.sw, window.pw, window.dw);
  if (oh !== window.oh || ow !== window.ow) {
    throw new GradlabError(
      `exportOnnx: ${op} with ceilMode gives [${window.oh}, ${window.ow}] windows where floor mode gives [${oh}, ${ow}]; ` +
        `its last, partial windows are not exported (ONNX's ceil_mode does not promise PyTorch's count). ` +
        `Pad the input so the windows fit, or use ceilMode false`,
    );
  }
  return window;
}

/** One list per setting, one entry per spatial axis (1-D: the width's only). */
interface SpatialAxes {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  /** The sizes the window slides over, and the number of positions. */
  size: number[];
  positions: number[];
}

function spatialAxes(spatial: 1 | 2, w: WindowAttrs): SpatialAxes {
  const pick = (h: number, width: number): number[] => (spatial === 2 ? [h, width] : [width]);
  return {
    kernel: pick(w.kh, w.kw),
    stride: pick(w.sh, w.sw),
    padding: pick(w.ph, w.pw),
    dilation: pick(w.dh, w.dw),
    size: pick(w.h, w.w),
    positions: pick(w.oh, w.ow),
  };
}

/** kernel_shape, strides, pads (begins, then ends), dilations. */
function windowAttributes(a: SpatialAxes, dilations = true): Attribute[] {
  const list = [ints('kernel_shape', a.kernel), ints('strides', a.stride), ints('pads', [...a.padding, ...a.padding])];
  return dilations ? [...list, ints('dilations', a.dilation)] : list;
}

const product = (values: readonly number[]): number => values.reduce((p, v) => p * v, 1);

function convAttrs(e: Emitter, op: string): { spatial: 1 | 2; axes: SpatialAxes; groups: number } {
  const spatial = attr(op, e.attrs, 'spatial', isSpatial);
  const groups = attr(op, e.attrs, 'groups', isNumber);
  return { spatial, axes: spatialAxes(spatial, attr(op, e.attrs, 'window', isWindow)), groups };
}

/**
 * What each tap of the window reads: one [N, C, …positions] slice of x (zero-padded) per tap,
 * in row-major tap order. `flipped` reads tap t at the mirrored place k − 1 − t (the transposed
 * convolution's kernel, turned round).
 */
function windowTaps(e: Emitter, x: string, a: SpatialAxes, flipped = false): string[] {
  const padded = a.padding.some((p) => p > 0) ? e.node('Pad', [x, e.int64([0, 0, ...a.padding, 0, 0, ...a.padding])], [], e.temp()) : x;
  const axes = a.kernel.map((_, i) => 2 + i);
  const taps: string[] = [];
  for (let t = 0; t < product(a.kernel); t++) {
    // t's coordinates in the kernel, row-major
    let rest = t;
    const at = a.kernel.map((_, i) => {
      const inner = product(a.kernel.slice(i + 1));
      const c = Math.floor(rest / inner);
      rest -= c * inner;
      return c;
    });
    const starts = at.map((c, i) => (flipped ? a.kernel[i] - 1 - c : c) * a.dilation[i]);
    const ends = starts.map((s, i) => s + (a.positions[i] - 1) * a.stride[i] + 1);
    taps.push(e.node('Slice', [padded, e.int64(starts), e.int64(ends), e.int64(axes), e.int64(a.stride)], [], e.temp()));
  }
  return taps;
}

/**
 * A convolution as a matrix product (float64: onnxruntime has no float64 Conv): the taps stacked
 * to columns [N, G, (C/G)·K, P] (K taps, P positions), times the weight as [G, O/G, (C/G)·K].
 */
function convAsMatmul(e: Emitter, x: string, weight: string, a: SpatialAxes, groups: number, channels: number, outChannels: number, flipped: boolean): string {
  const taps = windowTaps(e, x, a, flipped).map((t) => e.node('Unsqueeze', [t, e.int64([2])], [], e.temp()));
  const stacked = taps.length === 1 ? taps[0] : e.node('Concat', taps, [int('axis', 2)], e.temp());
  const columns = e.node('Reshape', [stacked, e.int64([0, groups, (channels / groups) * product(a.kernel), product(a.positions)])], [], e.temp());
  const y = e.node('MatMul', [weight, columns], [], e.temp());
  return e.node('Reshape', [y, e.int64([0, outChannels, ...a.positions])]);
}

/** y = conv(x, w): Conv, or in float64 the same sums as a matrix product. */
function conv(e: Emitter, op: string): string {
  const { axes, groups } = convAttrs(e, op);
  if (!e.double) return e.node('Conv', [e.input(0), e.input(1)], [...windowAttributes(axes), int('group', groups)]);
  const channels = e.inputShape(0)[1];
  const outChannels = e.inputShape(1)[0];
  const weight = e.node('Reshape', [e.input(1), e.int64([groups, outChannels / groups, (channels / groups) * product(axes.kernel)])], [], e.temp());
  return convAsMatmul(e, e.input(0), weight, axes, groups, channels, outChannels, false);
}

/**
 * x′ = convTranspose(g, w) (size n per axis from m positions: n = (m−1)s − 2p + d(k−1) + extra + 1).
 * ConvTranspose, with output_padding the extra; in float64, as onnxruntime has no float64
 * ConvTranspose, a stride-1 convolution with the kernel turned round, over g with s − 1 zeros
 * between its values and d(k−1) − p zeros around them (plus the extra at the end).
 */
function convTranspose(e: Emitter, op: string): string {
  const { spatial, axes, groups } = convAttrs(e, op);
  const { kernel, stride, padding, dilation, size, positions } = axes;
  const extra = size.map((n, i) => n - ((positions[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + 1));
  if (!e.double) {
    return e.node('ConvTranspose', [e.input(0), e.input(1)], [...windowAttributes(axes), int('group', groups), ints('output_padding', extra)]);
  }
  const channels = e.inputShape(0)[1];
  const perGroup = e.inputShape(1)[1];
  const outChannels = perGroup * groups;
  let spread = e.input(0);
  const rank = 2 + spatial;
  if (stride.some((s) => s > 1)) {
    // [N, C, m₁, 1, m₂, 1] padded to [N, C, m₁, s₁, m₂, s₂]: s − 1 zeros after each value
    const inserted = stride.map((_, i) => 3 + 2 * i);
    const unsqueezed = e.node('Unsqueeze', [spread, e.int64(inserted)], [], e.temp());
    const ends = new Array<number>(rank + spatial).fill(0);
    inserted.forEach((at, i) => (ends[at] = stride[i] - 1));
    const padded = e.node('Pad', [unsqueezed, e.int64([...new Array<number>(rank + spatial).fill(0), ...ends])], [], e.temp());
    spread = e.node('Reshape', [padded, e.int64([0, channels, ...positions.map((m, i) => m * stride[i])])], [], e.temp());
  }
  // now m·s long; wanted: (m − 1)s + 1 values with d(k−1) − p zeros on each side, the extra at the end
  const before = kernel.map((k, i) => dilation[i] * (k - 1) - padding[i]);
  const after = before.map((b, i) => b + extra[i] - (stride[i] - 1));
  const wanted = positions.map((m, i) => (m - 1) * stride[i] + 1 + before[i] + after[i] + (stride[i] - 1));
  if ([...before, ...after].some((p) => p > 0)) {
    const pads = [0, 0, ...before.map((p) => Math.max(p, 0)), 0, 0, ...after.map((p) => Math.max(p, 0))];
    spread = e.node('Pad', [spread, e.int64(pads)], [], e.temp());
  }
  if ([...before, ...after].some((p) => p < 0)) {
    const starts = before.map((p) => Math.max(-p, 0));
    spread = e.node('Slice', [spread, e.int64(starts), e.int64(starts.map((s, i) => s + wanted[i])), e.int64(kernel.map((_, i) => 2 + i))], [], e.temp());
  }
  // w [C, O/G, …k] as [G, O/G, (C/G)·K]: each group's input and output channels trade places
  const k = product(kernel);
  const split = e.node('Reshape', [e.input(1), e.int64([groups, channels / groups, perGroup, k])], [], e.temp());
  const swapped = e.node('Transpose', [split], [ints('perm', [0, 2, 1, 3])], e.temp());
  const weight = e.node('Reshape', [swapped, e.int64([groups, perGroup, (channels / groups) * k])], [], e.temp());
  const unit = { kernel, stride: kernel.map(() => 1), padding: kernel.map(() => 0), dilation, size: wanted, positions: size };
  return convAsMatmul(e, spread, weight, unit, groups, channels, outChannels, true);
}

/**
 * The mean of each window: AveragePool; in float64 (no float64 AveragePool in onnxruntime) the
 * window's taps added in gradlab's order and divided by its divisor (kH·kW, or with
 * countIncludePad false the taps inside x).
 */
function avgPool(e: Emitter): string {
  const window = poolWindow(e, 'avgPool2d');
  const countIncludePad = attr('avgPool2d', e.attrs, 'countIncludePad', isBoolean);
  const axes = spatialAxes(2, window);
  if (!e.double) return e.node('AveragePool', [e.input(0)], [...windowAttributes(axes, false), int('count_include_pad', countIncludePad ? 1 : 0)]);
  const taps = windowTaps(e, e.input(0), axes);
  let sum = taps[0];
  for (let t = 1; t < taps.length; t++) sum = e.node('Add', [sum, taps[t]], [], e.temp());
  const { kh, kw, sh, sw, ph, pw, h, w, oh, ow } = window;
  if (countIncludePad) return e.node('Div', [sum, e.float([kh * kw], [])]);
  const divisors: number[] = [];
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const y0 = oy * sh - ph;
      const x0 = ox * sw - pw;
      divisors.push((Math.min(y0 + kh, h) - Math.max(y0, 0)) * (Math.min(x0 + kw, w) - Math.max(x0, 0)));
    }
  }
  return e.node('Div', [sum, e.float(divisors, [oh, ow])]);
}

// ---- upsample ------------------------------------------------------------------------------

/** One axis's taps as recorded by core: input indices i0, i1 and their weights l0, l1. */
interface Taps {
  i0: ArrayLike<number>;
  i1: ArrayLike<number>;
  l0: ArrayLike<number>;
  l1: ArrayLike<number>;
}
const isTaps = (v: unknown): v is Taps =>
  typeof v === 'object' && v !== null && ['i0', 'i1', 'l0', 'l1'].every((k) => ArrayBuffer.isView((v as Record<string, unknown>)[k]));

/**
 * PyTorch's interpolate. float32: ONNX Resize — nearest as PyTorch's legacy nearest
 * (coordinate_transformation_mode 'asymmetric', nearest_mode 'floor': src = ⌊dst/scale⌋),
 * bilinear as mode 'linear' with 'pytorch_half_pixel' (src = (dst + ½)/scale − ½, at least 0)
 * or 'align_corners' (src = dst·(n − 1)/(out − 1)); the output size is given as the input's
 * [N, C] and [oh, ow] (scales [1, 1, s, s] where a scale factor was given, as PyTorch's taps then
 * use 1/s). float64 (onnxruntime has no float64 Resize), bilinear to a length of 1 (ONNX's
 * pytorch_half_pixel then reads position 0, PyTorch the middle) and a scale factor whose float32
 * rounding would change the output's size: gradlab's own taps as Gather
 * indices and weights, y = (x₀₀b₀ + x₀₁b₁)a₀ + (x₁₀b₀ + x₁₁b₁)a₁ in the kernel's order.
 */
function upsample(e: Emitter): string {
  const mode = attr('upsample', e.attrs, 'mode', (v): v is 'nearest' | 'bilinear' => v === 'nearest' || v === 'bilinear');
  const alignCorners = attr('upsample', e.attrs, 'alignCorners', isBoolean);
  const rows = attr('upsample', e.attrs, 'rows', isTaps);
  const cols = attr('upsample', e.attrs, 'cols', isTaps);
  const [oh, ow] = [e.shape[2], e.shape[3]];
  const scaleFactor = attr('upsample', e.attrs, 'scaleFactor', (v): v is readonly number[] | null => v === null || isNumbers(v));
  // ONNX's pytorch_half_pixel reads position 0 for an output of length 1 (PyTorch now reads the
  // middle); and Resize's ⌊n·s⌋ is taken with s in float32, which must give gradlab's size
  const sizesAgree = scaleFactor === null || [0, 1].every((i) => Math.floor(Math.fround(e.inputShape(0)[2 + i] * Math.fround(scaleFactor[i]))) === e.shape[2 + i]);
  const resize = !e.double && sizesAgree && !(mode === 'bilinear' && !alignCorners && (oh === 1 || ow === 1));
  if (resize) {
    const how =
      mode === 'nearest'
        ? [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')]
        : [str('mode', 'linear'), str('coordinate_transformation_mode', alignCorners ? 'align_corners' : 'pytorch_half_pixel')];
    if (scaleFactor !== null) return e.node('Resize', [e.input(0), '', e.float([1, 1, ...scaleFactor], [4], 'float32')], how);
    const batchAndChannels = e.node('Shape', [e.input(0)], [int('start', 0), int('end', 2)], e.temp());
    const sizes = e.node('Concat', [batchAndChannels, e.int64([oh, ow])], [int('axis', 0)], e.temp());
    return e.node('Resize', [e.input(0), '', '', sizes], how);
  }
  const gather = (x: string, taps: ArrayLike<number>, axis: number): string =>
    e.node('Gather', [x, e.int64(Array.from(taps))], [int('axis', axis)], e.temp());
  const r0 = gather(e.input(0), rows.i0, 2);
  if (mode === 'nearest') return e.node('Gather', [r0, e.int64(Array.from(cols.i0))], [int('axis', 3)]);
  const r1 = gather(e.input(0), rows.i1, 2);
  const [a0, a1] = [e.float(Array.from(rows.l0), [oh, 1]), e.float(Array.from(rows.l1), [oh, 1])];
  const [b0, b1] = [e.float(Array.from(cols.l0), [ow]), e.float(Array.from(cols.l1), [ow])];
  const mix = (r: string): string => {
    const left = e.node('Mul', [gather(r, cols.i0, 3), b0], [], e.temp());
    return e.node('Add', [left, e.node('Mul', [gather(r, cols.i1, 3), b1], [], e.temp())], [], e.temp());
  };
  const top = e.node('Mul', [mix(r0), a0], [], e.temp());
  return e.node('Add', [top, e.node('Mul', [mix(r1), a1], [], e.temp())]);
}

/** An op heard while the forward ran: what it was applied to. */
interface AppliedOp {
  op: Op;
  inputs: readonly Tensor[];
  attrs: unknown;
}

/** The values y is computed from, each after its inputs (depth first, inputs in order). */
function graphOrder(y: Tensor, applied: ReadonlyMap<Tensor, AppliedOp>): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([y]);
  const stack: [Tensor, number][] = [[y, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = applied.get(top[0])?.inputs ?? [];
    if (top[1] < inputs.length) {
      const input = inputs[top[1]++];
      if (!seen.has(input)) {
        seen.add(input);
        stack.push([input, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

const GRADIENT_OP = 'it computes a gradient (gradlab uses it in backward passes); export the forward model';
/** The ops exportOnnx refuses, by gradlab op name, with the reason its error gives. */
export const ONNX_NOT_EXPORTABLE: Readonly<Record<string, string>> = Object.freeze({
  dropoutMask: 'dropout in training draws a random mask from gradlab\'s seeded generator, which no ONNX runtime reproduces; export with dropout off (training: false or the module in eval mode), where it is the identity',
  conv1dWeight: GRADIENT_OP,
  conv2dWeight: GRADIENT_OP,
  maxPool2dBackward: GRADIENT_OP,
  maxPool2dGather: GRADIENT_OP,
  avgPool2dBackward: GRADIENT_OP,
  sliceScatter: GRADIENT_OP,
  scatterAdd: GRADIENT_OP,
  indexAdd: GRADIENT_OP,
  sigmoidBackward: GRADIENT_OP,
  tanhBackward: GRADIENT_OP,
  reluBackward: GRADIENT_OP,
  leakyReluBackward: GRADIENT_OP,
  powBackward: GRADIENT_OP,
  upsampleBackward: GRADIENT_OP,
  assign: 'it writes a buffer in place (BatchNorm\'s running statistics), which happens only in training; export the model in eval mode (model.eval())',
  matmulNT: GRADIENT_OP,
  matmulTN: GRADIENT_OP,
});

let root: protobuf.Root | undefined;
function modelType(): protobuf.Type {
  root ??= protobuf.Root.fromJSON(ONNX_SCHEMA);
  return root.lookupType('onnx.ModelProto');
}

/**
 * The model's own dtype: float32 when it is a Module whose parameters are all float32 (built with
 * `{ dtype: 'float32' }`), else float64.
 */
function modelDType(model: Module | ((x: Tensor) => Tensor)): DType {
  if (!(model instanceof Module)) return 'float64';
  const parameters = model.parameters();
  return parameters.length > 0 && parameters.every((p) => p.dtype === 'float32') ? 'float32' : 'float64';
}

/**
 * The model (a Module, or any function of one tensor) as an ONNX file. The forward pass is run
 * once on zeros of `inputShape` and its recorded graph is written out, with the parameters'
 * current values as initializers; an op that ONNX cannot express is a GradlabError naming it.
 * Without `dtype`, every value keeps its own gradlab dtype (a float32 model gives a float32 file,
 * a `cast` a Cast node); with it, the whole graph is of that one type.
 */
export function exportOnnx(model: Module | ((x: Tensor) => Tensor), options: ExportOnnxOptions): Uint8Array {
  const { inputShape, dtype: forced, inputName = 'input', outputName = 'output' } = options;
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new GradlabError(`exportOnnx: inputShape must be a non-empty list of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (forced !== undefined && forced !== 'float64' && forced !== 'float32') {
    throw new GradlabError(`exportOnnx: dtype must be 'float64' or 'float32', got '${String(forced)}'`);
  }
  if (!inputName || !outputName || inputName === outputName) {
    throw new GradlabError(`exportOnnx: inputName and outputName must be two different non-empty names, got '${inputName}' and '${outputName}'`);
  }
  const dynamicBatch = options.dynamicBatch ?? inputShape.length >= 2;
  const forward = model instanceof Module ? (x: Tensor) => model.forward(x) : model;
  if (typeof forward !== 'function') throw new GradlabError('exportOnnx: model must be a Module or a function of one tensor');
  const inputType = forced ?? modelDType(model);
  /** The ONNX element type a value is written in: its own dtype, or the one asked for. */
  const typeOf = (t: Tensor): DType => forced ?? t.dtype;
  const elemTypeOf = (dtype: DType): number => (dtype === 'float64' ? ONNX_DTYPE.DOUBLE : ONNX_DTYPE.FLOAT);

  // every op the forward applies is heard, the ones that record no graph (comparisons) too; a
  // buffer written in place (assign: training mode) is put back and refused
  const x = zeros(inputShape, { requiresGrad: true, name: inputName, dtype: inputType });
  const applied = new Map<Tensor, AppliedOp>();
  const before = model instanceof Module ? model.stateDict() : undefined;
  let wrote: AppliedOp | undefined;
  const y = recordOps(
    () => enableGrad(() => forward(x)),
    (op, inputs, attrs, result) => {
      applied.set(result, { op, inputs, attrs });
      if (op.name === 'assign') wrote ??= { op, inputs, attrs };
    },
  );
  if (wrote) {
    if (model instanceof Module && before) model.loadStateDict(before);
    throw new GradlabError(`exportOnnx: op 'assign' (${wrote.op.label(wrote.attrs)}) has no ONNX export: ${ONNX_NOT_EXPORTABLE.assign}`);
  }
  if (y === null || typeof y !== 'object' || !('shape' in y)) throw new GradlabError('exportOnnx: the model did not return a tensor');

  const names = new Map<Tensor, string>([[x, inputName]]);
  const batched = new Set<Tensor>(dynamicBatch ? [x] : []);
  const used = new Set<string>([inputName, outputName]);
  const unique = (base: string): string => {
    let name = base.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 'value';
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  const initializers: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  const addTensor = (base: string, dims: readonly number[], values: ArrayLike<number>, type: number): string => {
    const name = unique(base);
    initializers.push({ name, dims: [...dims], dataType: type, rawData: rawBytes(values, type) });
    return name;
  };
  const addNode = (opType: string, input: string[], attribute: Attribute[], output: string): string => {
    nodes.push({ input, output: [output], name: `${opType}_${nodes.length}`, opType, attribute });
    return output;
  };
  // a value read by an op of the other float type (gradlab promotes float32 with float64 to
  // float64 inside its kernels, and a number operand is a float64 constant) goes through a Cast,
  // once per value and type; a constant is simply written again in that type
  const converted = new Map<string, string>();
  const convert = (input: Tensor, name: string, to: DType): string => {
    const key = `${to}:${name}`;
    let out = converted.get(key);
    if (out === undefined) {
      out =
        input !== x && !applied.has(input)
          ? addTensor(`${name}_${to}`, input.shape, input.data, elemTypeOf(to))
          : addNode('Cast', [name], [int('to', elemTypeOf(to))], unique(`${name}_as_${to}`));
      converted.set(key, out);
    }
    return out;
  };

  // names count ops and constants in graph order (never tensor ids), so an export is reproducible
  let constants = 0;
  let ops = 0;
  for (const t of graphOrder(y, applied)) {
    if (t === x) continue;
    const info = applied.get(t);
    if (!info) {
      names.set(t, addTensor(t.name ?? `const_${constants++}`, t.shape, t.data, elemTypeOf(typeOf(t))));
      continue;
    }
    const op = info.op.name;
    const exporter = EXPORTERS[op];
    if (!exporter) {
      const why = ONNX_NOT_EXPORTABLE[op];
      throw new GradlabError(
        `exportOnnx: op '${op}' (${info.op.label(info.attrs)}) has no ONNX export` +
          (why ? `: ${why}` : `; exportable ops: ${ONNX_EXPORTABLE_OPS.join(', ')}`),
      );
    }
    const k = ops++;
    let temps = 0;
    const result = t === y ? outputName : unique(`${op}_${k}`);
    const type = typeOf(t);
    const nameOf = (input: Tensor | undefined): string => {
      const name = input && names.get(input);
      if (input === undefined || name === undefined) throw new GradlabError(`exportOnnx: '${op}' reads a value the trace did not visit`);
      return op === 'cast' || typeOf(input) === type ? name : convert(input, name, type);
    };
    const emitter: Emitter = {
      input: (i) => nameOf(info.inputs[i]),
      inputs: () => info.inputs.map(nameOf),
      inputShape: (i) => info.inputs[i]?.shape ?? [],
      attrs: info.attrs,
      shape: t.shape,
      float: (values, dims = [values.length], dtype = type) => addTensor(`${op}_${k}_value`, dims, values, elemTypeOf(dtype)),
      int64: (values) => addTensor(`${op}_${k}_ints`, [values.length], values, ONNX_DTYPE.INT64),
      node: (opType, inputs, attributes = [], output = result) => addNode(opType, inputs, attributes, output),
      temp: () => unique(`${op}_${k}_${temps++}`),
      batched: batched.has(info.inputs[0]),
      double: type === 'float64',
      definition: info.op,
    };
    names.set(t, exporter(emitter));
    // the batch runs through every value that has it first and comes from a batched input
    if (t.shape[0] === inputShape[0] && info.inputs.some((input) => batched.has(input))) batched.add(t);
  }
  // a model that returns its input, or a constant, still needs a node producing the output
  if (y === x || !applied.has(y)) addNode('Identity', [names.get(y) ?? inputName], [], outputName);

  const batchDims = (shape: readonly number[], batched: boolean) =>
    shape.map((d, i) => (i === 0 && batched ? { dimParam: 'batch' } : { dimValue: d }));
  const valueInfo = (name: string, shape: readonly number[], batched: boolean, dtype: DType) => ({
    name,
    type: { tensorType: { elemType: elemTypeOf(dtype), shape: { dim: batchDims(shape, batched) } } },
  });
  const outputBatched = batched.has(y);
  const Model = modelType();
  const message = Model.fromObject({
    irVersion: ONNX_IR_VERSION,
    producerName: 'gradlab',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: model instanceof Module ? model.describe() : 'gradlab',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(inputName, inputShape, dynamicBatch, inputType)],
      output: [valueInfo(outputName, y.shape, outputBatched, typeOf(y))],
    },
  });
  return Model.encode(message).finish();
}

/** Values as ONNX raw_data: fixed-width little-endian. */
function rawBytes(values: ArrayLike<number>, type: number): Uint8Array {
  const width = type === ONNX_DTYPE.FLOAT ? 4 : 8;
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (type === ONNX_DTYPE.DOUBLE) view.setFloat64(8 * i, values[i], true);
    else if (type === ONNX_DTYPE.FLOAT) view.setFloat32(4 * i, values[i], true);
    else view.setBigInt64(8 * i, BigInt(values[i]), true);
  }
  return out;
}
