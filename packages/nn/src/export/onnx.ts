// ONNX export: run the model once on an example input, read the graph gradlab recorded (every
// op with its inputs and attributes, every parameter and constant as a leaf), and write it as an
// ONNX ModelProto: the input becomes the graph's input, each leaf an initializer holding its
// values, each op one or two ONNX nodes. The file runs in onnxruntime, PyTorch's ONNX tools and
// anything else that reads ONNX (opset 17, IR version 8).
import { enableGrad, GradlabError, trace, zeros, type Tensor } from '@gradlab/core';
import protobuf from 'protobufjs/light.js';
import { Module } from '../module.ts';
import { ONNX_ATTRIBUTE, ONNX_DTYPE, ONNX_SCHEMA } from './onnx-schema.ts';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface ExportOnnxOptions {
  /** The input's shape, e.g. `[1, 2]` for one sample of 2 features. */
  inputShape: readonly number[];
  /**
   * Element type of the model: 'float64' (default, gradlab's own numbers) or 'float32' (what
   * most runtimes and accelerators expect; weights are rounded).
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
  /** Adds a constant of the model's float type; returns its name. */
  float(values: readonly number[], dims?: readonly number[]): string;
  /** Adds an int64 constant (shapes, axes); returns its name. */
  int64(values: readonly number[]): string;
  /** Adds a node; `output` defaults to the op's own result. Returns the output's name. */
  node(opType: string, inputs: string[], attributes?: Attribute[], output?: string): string;
  /** A fresh name for a value between the nodes of one op. */
  temp(): string;
  /** Whether the op's first input has the (symbolic) batch as its first dimension. */
  batched: boolean;
  /** Whether the model is float64 (ONNX's float attributes are float32: such ops are spelled out). */
  double: boolean;
}

const int = (name: string, i: number): Attribute => ({ name, type: ONNX_ATTRIBUTE.INT, i });
const ints = (name: string, values: readonly number[]): Attribute => ({ name, type: ONNX_ATTRIBUTE.INTS, ints: [...values] });
const float = (name: string, f: number): Attribute => ({ name, type: ONNX_ATTRIBUTE.FLOAT, f });

/** A recorded attribute, checked: ops keep them in plain objects. */
function attr<T>(op: string, attrs: unknown, key: string, check: (v: unknown) => v is T): T {
  const value = typeof attrs === 'object' && attrs !== null ? (attrs as Record<string, unknown>)[key] : undefined;
  if (!check(value)) throw new GradlabError(`exportOnnx: op '${op}' has no usable attribute '${key}' (got ${JSON.stringify(value)})`);
  return value;
}
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isNumbers = (v: unknown): v is readonly number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

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
  erf: unary('Erf'),
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

let root: protobuf.Root | undefined;
function modelType(): protobuf.Type {
  root ??= protobuf.Root.fromJSON(ONNX_SCHEMA);
  return root.lookupType('onnx.ModelProto');
}

/**
 * The model (a Module, or any function of one tensor) as an ONNX file. The forward pass is run
 * once on zeros of `inputShape` and its recorded graph is written out, with the parameters'
 * current values as initializers; an op that ONNX cannot express is a GradlabError naming it.
 */
export function exportOnnx(model: Module | ((x: Tensor) => Tensor), options: ExportOnnxOptions): Uint8Array {
  const { inputShape, dtype = 'float64', inputName = 'input', outputName = 'output' } = options;
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new GradlabError(`exportOnnx: inputShape must be a non-empty list of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (dtype !== 'float64' && dtype !== 'float32') throw new GradlabError(`exportOnnx: dtype must be 'float64' or 'float32', got '${String(dtype)}'`);
  if (!inputName || !outputName || inputName === outputName) {
    throw new GradlabError(`exportOnnx: inputName and outputName must be two different non-empty names, got '${inputName}' and '${outputName}'`);
  }
  const dynamicBatch = options.dynamicBatch ?? inputShape.length >= 2;
  const forward = model instanceof Module ? (x: Tensor) => model.forward(x) : model;
  if (typeof forward !== 'function') throw new GradlabError('exportOnnx: model must be a Module or a function of one tensor');
  const elemType = dtype === 'float64' ? ONNX_DTYPE.DOUBLE : ONNX_DTYPE.FLOAT;

  // an input that requires grad makes every op that depends on it record itself
  const x = zeros(inputShape, { requiresGrad: true, name: inputName });
  const y = enableGrad(() => forward(x));
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

  // names count ops and constants in graph order (never tensor ids), so an export is reproducible
  let constants = 0;
  let ops = 0;
  for (const info of trace(y)) {
    const t = info.tensor;
    if (t === x) continue;
    if (info.isLeaf || info.op === null) {
      names.set(t, addTensor(t.name ?? `const_${constants++}`, t.shape, t.data, elemType));
      continue;
    }
    const op = info.op;
    const exporter = EXPORTERS[op];
    if (!exporter) {
      throw new GradlabError(
        `exportOnnx: op '${op}' (${info.label}) has no ONNX export; exportable ops: ${ONNX_EXPORTABLE_OPS.join(', ')}`,
      );
    }
    const k = ops++;
    let temps = 0;
    const result = t === y ? outputName : unique(`${op}_${k}`);
    const nameOf = (input: Tensor | undefined): string => {
      const name = input && names.get(input);
      if (name === undefined) throw new GradlabError(`exportOnnx: '${op}' reads a value the trace did not visit`);
      return name;
    };
    const emitter: Emitter = {
      input: (i) => nameOf(info.inputs[i]),
      inputs: () => info.inputs.map(nameOf),
      inputShape: (i) => info.inputs[i]?.shape ?? [],
      attrs: t.attrs,
      shape: t.shape,
      float: (values, dims = [values.length]) => addTensor(`${op}_${k}_value`, dims, values, elemType),
      int64: (values) => addTensor(`${op}_${k}_ints`, [values.length], values, ONNX_DTYPE.INT64),
      node: (opType, inputs, attributes = [], output = result) => addNode(opType, inputs, attributes, output),
      temp: () => unique(`${op}_${k}_${temps++}`),
      batched: batched.has(info.inputs[0]),
      double: elemType === ONNX_DTYPE.DOUBLE,
    };
    names.set(t, exporter(emitter));
    // the batch runs through every value that has it first and comes from a batched input
    if (t.shape[0] === inputShape[0] && info.inputs.some((input) => batched.has(input))) batched.add(t);
  }
  // a model that returns its input, or a constant, still needs a node producing the output
  if (y === x || !y.op) addNode('Identity', [names.get(y) ?? inputName], [], outputName);

  const batchDims = (shape: readonly number[], batched: boolean) =>
    shape.map((d, i) => (i === 0 && batched ? { dimParam: 'batch' } : { dimValue: d }));
  const valueInfo = (name: string, shape: readonly number[], batched: boolean) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: batchDims(shape, batched) } } },
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
      input: [valueInfo(inputName, inputShape, dynamicBatch)],
      output: [valueInfo(outputName, y.shape, outputBatched)],
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
