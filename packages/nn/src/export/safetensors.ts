// safetensors: the tensor file format of Hugging Face's `safetensors` library, read by PyTorch,
// JAX and most inference tools. A file is
//   [8 bytes: N, unsigned little-endian] [N bytes: JSON header] [the tensors' raw bytes]
// The header maps each tensor's name to { dtype, shape, data_offsets: [begin, end] } (offsets
// into the bytes after the header) and may hold "__metadata__": { string: string }. The tensors
// are row-major and little-endian; together they cover the byte buffer exactly, without holes or
// overlaps. Writers pad the header with spaces to a multiple of 8 bytes.
import { formatShape, GradlabError, sizeOf } from '@gradlab/core';
import { ConvNd } from '../conv.ts';
import { Dense } from '../dense.ts';
import { Linear } from '../linear.ts';
import { Module, type AnyModule, type StateDict } from '../module.ts';

/** The element types gradlab reads and writes (float64 is gradlab's own; float32 is common). */
export type SafetensorsDtype = 'F64' | 'F32';
const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4 };
/** Every dtype the format defines (a file may name them; gradlab reads F64 and F32). */
const KNOWN_DTYPES = new Set(['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);
/** The reference implementation refuses larger headers (a corrupt size would allocate gigabytes). */
const MAX_HEADER = 100_000_000;

/**
 * How the parameters are named and laid out. 'gradlab': as `model.stateDict()` has them (Dense
 * weights `[in, out]`). 'pytorch': as the same network built from torch.nn.Sequential and
 * torch.nn.Linear has them (Dense weights transposed to `[out, in]`; names are the same, `0.weight`,
 * `2.bias`, since Sequential numbers its children as PyTorch does), so PyTorch's
 * `model.load_state_dict(safetensors.torch.load_file(path))` takes the file as it is.
 */
export type SafetensorsLayout = 'gradlab' | 'pytorch';

export interface SaveSafetensorsOptions {
  /** Default 'gradlab'. 'pytorch' needs the model (not a state dict) to know its Dense layers. */
  layout?: SafetensorsLayout;
  /**
   * Element type of every tensor ('F32' rounds float64 values; 'F64' widens float32 ones exactly).
   * Default: a model's tensors each in their own dtype (a float32 parameter as F32, a float64 one
   * as F64), so nothing is rounded or widened; a state dict's as F64.
   */
  dtype?: SafetensorsDtype;
  /** Free-form string pairs stored in the header's `__metadata__`. */
  metadata?: Record<string, string>;
}

export interface LoadSafetensorsOptions {
  /** How the file lays the parameters out (default 'gradlab'); 'pytorch' needs `model`. */
  layout?: SafetensorsLayout;
  /** The model the state dict is for: its Dense layers say which tensors 'pytorch' transposed. */
  model?: Module;
}

/** One tensor of a safetensors file, its values widened to float64. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float64Array;
}

export interface SafetensorsFile {
  /** By name, in the file's order (the order of their bytes). */
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/**
 * The model's parameters (or a state dict) as a safetensors file, in `namedParameters()` order.
 * The bytes are what a writer following the format's specification writes: compact JSON header,
 * space-padded to a multiple of 8, then each tensor little-endian.
 */
export function saveSafetensors(source: Module | StateDict, options: SaveSafetensorsOptions = {}): Uint8Array {
  const { layout = 'gradlab', dtype, metadata } = options;
  checkLayout('saveSafetensors', layout);
  if (dtype !== undefined && !(dtype in BYTES)) throw new GradlabError(`saveSafetensors: dtype must be 'F64' or 'F32', got '${String(dtype)}'`);
  if (metadata !== undefined) checkMetadata('saveSafetensors', metadata);
  const state = source instanceof Module ? source.stateDict() : source;
  const transposed = layout === 'pytorch' ? pytorchTransposed('saveSafetensors', source instanceof Module ? source : undefined) : new Set<string>();
  const own = new Map<string, SafetensorsDtype>(
    source instanceof Module ? [...source.namedParameters(), ...source.namedBuffers()].map(([name, t]) => [name, t.dtype === 'float32' ? 'F32' : 'F64']) : [],
  );
  const tensors: [string, number[], ArrayLike<number>, SafetensorsDtype][] = Object.entries(state).map(([name, { shape, data }]) => {
    if (name === '__metadata__') throw new GradlabError(`saveSafetensors: '__metadata__' cannot name a tensor`);
    if (data.length !== sizeOf(shape)) {
      throw new GradlabError(`saveSafetensors: '${name}' has ${data.length} values for shape ${formatShape(shape)}`);
    }
    const type = dtype ?? own.get(name) ?? 'F64';
    return transposed.has(name) ? [name, [shape[1], shape[0]], transpose2d(data, shape[0], shape[1]), type] : [name, [...shape], data, type];
  });
  return encode(tensors, metadata);
}

/**
 * A safetensors file as a state dict for `model.loadStateDict` (values as float64). With
 * `layout: 'pytorch'`, the Dense weights of `options.model` are transposed back to `[in, out]`.
 */
export function loadSafetensors(bytes: Uint8Array, options: LoadSafetensorsOptions = {}): StateDict {
  const { layout = 'gradlab', model } = options;
  checkLayout('loadSafetensors', layout);
  const transposed = layout === 'pytorch' ? pytorchTransposed('loadSafetensors', model) : new Set<string>();
  const { tensors } = readSafetensors(bytes);
  const state: StateDict = {};
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    if (transposed.has(name)) {
      if (shape.length !== 2) throw new GradlabError(`loadSafetensors: '${name}' should be a 2-D Linear weight, got shape ${formatShape(shape)}`);
      state[name] = { shape: [shape[1], shape[0]], data: Array.from(transpose2d(data, shape[0], shape[1])) };
    } else {
      state[name] = { shape, data: Array.from(data) };
    }
  }
  return state;
}

/** Parses and checks a safetensors file: every problem is a GradlabError saying what and where. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const fail = (what: string): never => {
    throw new GradlabError(`readSafetensors: ${what}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the file as a Uint8Array');
  if (bytes.length < 8) fail(`truncated file: ${bytes.length} bytes, shorter than the 8-byte header size`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getBigUint64(0, true);
  if (size > BigInt(MAX_HEADER)) fail(`header size ${size} is over the format's limit of ${MAX_HEADER} bytes`);
  const n = Number(size);
  if (8 + n > bytes.length) fail(`the header (${n} bytes) overruns the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the header is not UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const body = bytes.subarray(8 + n);

  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      checkMetadata('readSafetensors', info);
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    if (typeof info !== 'object' || info === null) fail(`'${name}': expected { dtype, shape, data_offsets }`);
    const { dtype, shape, data_offsets: offsets } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !KNOWN_DTYPES.has(dtype)) fail(`'${name}': unknown dtype ${JSON.stringify(dtype)}`);
    if (!(dtype === 'F64' || dtype === 'F32')) fail(`'${name}': dtype ${String(dtype)} is not supported (gradlab reads F64 and F32)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      fail(`'${name}': shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
      fail(`'${name}': data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const dims = shape as number[];
    const expected = sizeOf(dims) * BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      fail(`'${name}': data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${String(dtype)} ${formatShape(dims)} needs ${expected}`);
    }
    if (end > body.length) fail(`truncated file: '${name}' ends at byte ${end} of the data, which has ${body.length}`);
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: [...dims], begin, end });
  }
  // the tensors must tile the data exactly: sorted by offset, each begins where the last ended
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.begin < at) {
      const prev = entries[i - 1];
      fail(`offsets overlap: '${prev.name}' [${prev.begin}, ${prev.end}] and '${e.name}' [${e.begin}, ${e.end}]`);
    }
    if (e.begin > at) fail(`bytes ${at}..${e.begin} of the data belong to no tensor (before '${e.name}')`);
    at = e.end;
  }
  if (at !== body.length) fail(`bytes ${at}..${body.length} of the data belong to no tensor`);

  const tensors: Record<string, SafetensorsTensor> = {};
  for (const { name, dtype, shape, begin, end } of entries) {
    const data = new Float64Array((end - begin) / BYTES[dtype]);
    const values = new DataView(body.buffer, body.byteOffset + begin, end - begin);
    for (let i = 0; i < data.length; i++) data[i] = dtype === 'F64' ? values.getFloat64(8 * i, true) : values.getFloat32(4 * i, true);
    tensors[name] = { dtype, shape, data };
  }
  return { tensors, metadata };
}

function encode(tensors: [string, number[], ArrayLike<number>, SafetensorsDtype][], metadata: Record<string, string> | undefined): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, shape, data, dtype] of tensors) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.length * BYTES[dtype]] };
    offset += data.length * BYTES[dtype];
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const [, , data, dtype] of tensors) {
    const width = BYTES[dtype];
    for (let i = 0; i < data.length; i++, at += width) {
      if (dtype === 'F64') view.setFloat64(at, data[i], true);
      else view.setFloat32(at, data[i], true);
    }
  }
  return out;
}

/** Names of the parameters that PyTorch stores transposed: every Dense weight in the model. */
function pytorchTransposed(fn: string, model: AnyModule | undefined): Set<string> {
  if (!(model instanceof Module)) throw new GradlabError(`${fn}: layout 'pytorch' needs the model, to know which tensors are Dense weights`);
  const names = new Set<string>();
  const visit = (m: AnyModule, prefix: string): void => {
    if (m instanceof Dense) {
      names.add(`${prefix}weight`);
      return;
    }
    // Linear ([out, in]) and Conv1d/Conv2d ([O, C/G, …k]) already have PyTorch's names and layout
    if (m instanceof Linear || m instanceof ConvNd) return;
    const children = m.children();
    const inChildren = children.reduce((n, [, c]) => n + c.namedParameters().length, 0);
    if (m.namedParameters().length > inChildren) {
      throw new GradlabError(`${fn}: layout 'pytorch' does not know how PyTorch stores the parameters of ${m.describe()}`);
    }
    for (const [name, child] of children) visit(child, `${prefix}${name}.`);
  };
  visit(model, '');
  return names;
}

/** Row-major [rows, cols] → [cols, rows]. */
function transpose2d(data: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

function checkLayout(fn: string, layout: unknown): void {
  if (layout !== 'gradlab' && layout !== 'pytorch') throw new GradlabError(`${fn}: layout must be 'gradlab' or 'pytorch', got '${String(layout)}'`);
}

function checkMetadata(fn: string, metadata: unknown): void {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) {
    throw new GradlabError(`${fn}: __metadata__ must map strings to strings`);
  }
}
