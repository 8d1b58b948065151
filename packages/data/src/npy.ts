// numpy's .npy format to a Tensor, from bytes (works in a browser; `readNpy` in
// `@gradlab/data/node` reads a path). The format (numpy/lib/format.py, NEP 1):
//   "\x93NUMPY", major, minor version bytes; the header length, uint16 LE (version 1) or uint32 LE
//   (versions 2 and 3); the header, a Python dict literal such as
//   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } (latin-1 in versions 1 and 2,
//   UTF-8 in 3), padded with spaces and a newline; then the values, prod(shape) of them, in C
//   order when fortran_order is False.
// Every value becomes a float64 exactly: 64-bit integers beyond ±2^53 are an error, not rounded.
import { GradlabError, Tensor } from '@gradlab/core';
import { describeValue } from './validate.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Kind = 'f' | 'i' | 'u' | 'b';
interface Dtype {
  kind: Kind;
  size: number;
  little: boolean;
}

const SUPPORTED: Record<Kind, readonly number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };
const KIND_NAMES: Record<string, string> = {
  O: 'object arrays (pickled Python objects)',
  U: 'unicode strings',
  S: 'byte strings',
  a: 'byte strings',
  V: 'raw or structured records',
  c: 'complex numbers',
  M: 'datetimes',
  m: 'timedeltas',
};

// The header dict, token by token: strings, True/False/None, integers (Python 2 wrote 3L), and punctuation.
type Token = { type: 'str'; value: string } | { type: 'int'; value: number } | { type: 'name'; value: string } | { type: 'punct'; value: string };
const TOKEN = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\d+)L?|([A-Za-z_]\w*)|([{}():,[\]]))/y;
type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

function fail(fn: string, message: string): never {
  throw new GradlabError(`${fn}: ${message}`);
}

function tokenize(fn: string, text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (m === null) fail(fn, `the header is not a Python dict literal: unexpected ${JSON.stringify(text.slice(at, at + 20).trim())}`);
    at = TOKEN.lastIndex;
    if (m[1] !== undefined || m[2] !== undefined) tokens.push({ type: 'str', value: m[1] ?? m[2] });
    else if (m[3] !== undefined) tokens.push({ type: 'int', value: Number(m[3]) });
    else if (m[4] !== undefined) tokens.push({ type: 'name', value: m[4] });
    else tokens.push({ type: 'punct', value: m[5] });
  }
  return tokens;
}

/** The header's dict (a small recursive-descent reader of Python literals, nesting at most 4 deep). */
function readHeader(fn: string, text: string): Record<string, Value> {
  const tokens = tokenize(fn, text);
  let i = 0;
  const bad = (what: string): never => fail(fn, `the header is not a Python dict literal (${what}): ${JSON.stringify(text.trim().slice(0, 120))}`);
  const peek = (): Token | undefined => tokens[i];
  const punct = (p: string): boolean => {
    const t = peek();
    if (t?.type === 'punct' && t.value === p) {
      i++;
      return true;
    }
    return false;
  };
  function value(depth: number): Value {
    if (depth > 4) bad('nested too deep');
    const t = peek();
    if (t === undefined) return bad('it ends early');
    if (t.type === 'str' || t.type === 'int') {
      i++;
      return t.value;
    }
    if (t.type === 'name') {
      i++;
      if (t.value === 'True') return true;
      if (t.value === 'False') return false;
      if (t.value === 'None') return null;
      return bad(`unknown name ${t.value}`);
    }
    for (const [open, close] of [['(', ')'], ['[', ']']] as const) {
      if (punct(open)) {
        const items: Value[] = [];
        while (!punct(close)) {
          if (peek() === undefined) bad('it ends early');
          items.push(value(depth + 1));
          if (!punct(',') && !(peek()?.type === 'punct' && peek()?.value === close)) bad(`expected , or ${close}`);
        }
        return items;
      }
    }
    if (punct('{')) {
      const dict: Record<string, Value> = Object.create(null) as Record<string, Value>;
      while (!punct('}')) {
        const key = peek();
        if (key === undefined) bad('it ends early');
        if (key?.type !== 'str') return bad('a key is not a string');
        i++;
        if (!punct(':')) bad('expected :');
        dict[key.value] = value(depth + 1);
        if (peek() === undefined) bad('it ends early');
        if (!punct(',') && !(peek()?.type === 'punct' && peek()?.value === '}')) bad('expected , or }');
      }
      return dict;
    }
    return bad(`unexpected ${JSON.stringify(t.value)}`);
  }
  const dict = value(0);
  if (i !== tokens.length) bad('text after the dict');
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) return bad('not a dict');
  return dict;
}

function readDtype(fn: string, descr: Value): Dtype {
  if (typeof descr !== 'string') {
    fail(fn, `structured dtypes (descr ${Array.isArray(descr) ? 'a list of fields' : describeValue(descr)}) are not supported; gradlab reads arrays of numbers`);
  }
  const m = /^([<>|=]?)([A-Za-z])(\d*)$/.exec(descr);
  const kind = m?.[2];
  if (m === null || kind === undefined) return fail(fn, `unknown dtype ${JSON.stringify(descr)}`);
  if (kind in KIND_NAMES) fail(fn, `dtype ${JSON.stringify(descr)}: ${KIND_NAMES[kind]} are not supported; gradlab reads numbers and booleans (float, int, uint, bool)`);
  const size = Number(m[3]);
  if (!(kind in SUPPORTED) || !SUPPORTED[kind as Kind].includes(size)) {
    fail(fn, `unsupported dtype ${JSON.stringify(descr)}; supported: float16/32/64 (f2 f4 f8), int8…64 (i1…i8), uint8…64 (u1…u8), bool (b1)`);
  }
  // '=' is the writer's native order; every platform numpy runs on today is little-endian
  return { kind: kind as Kind, size, little: m[1] !== '>' };
}

/** IEEE half precision to a double (exact). */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function readValues(fn: string, view: DataView, offset: number, count: number, { kind, size, little }: Dtype): Float64Array {
  const out = new Float64Array(count);
  for (let k = 0, at = offset; k < count; k++, at += size) {
    let v: number;
    if (kind === 'f') v = size === 8 ? view.getFloat64(at, little) : size === 4 ? view.getFloat32(at, little) : half(view.getUint16(at, little));
    else if (kind === 'b') {
      const byte = view.getUint8(at);
      if (byte > 1) fail(fn, `value ${k} of the bool array is the byte ${byte}, not 0 or 1`);
      v = byte;
    } else if (size === 8) {
      const big = kind === 'i' ? view.getBigInt64(at, little) : view.getBigUint64(at, little);
      if (big > 2n ** 53n || big < -(2n ** 53n)) fail(fn, `value ${k} is ${big}, beyond ±2^53: it has no exact float64`);
      v = Number(big);
    } else if (kind === 'i') v = size === 1 ? view.getInt8(at) : size === 2 ? view.getInt16(at, little) : view.getInt32(at, little);
    else v = size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at, little) : view.getUint32(at, little);
    out[k] = v;
  }
  return out;
}

/** parseNpy with the calling function's name in its errors (readNpy passes its own and the path). */
export function parseNpyAs(fn: string, input: ArrayBuffer | Uint8Array): Tensor {
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) bytes = input;
  else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else return fail(fn, `expected an ArrayBuffer or a Uint8Array, got ${describeValue(input)}`);
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) fail(fn, 'not a .npy file: it does not start with \\x93NUMPY');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [major, minor] = [bytes[6], bytes[7]];
  if (![1, 2, 3].includes(major) || minor !== 0) fail(fn, `unknown .npy format version ${major}.${minor}; gradlab reads versions 1.0, 2.0 and 3.0`);
  const lengthSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthSize) fail(fn, 'the file ends inside its header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthSize;
  if (headerLength > bytes.length - start) fail(fn, `the header says it is ${headerLength} bytes long, but only ${bytes.length - start} follow`);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes.subarray(start, start + headerLength));
  } catch {
    return fail(fn, 'the header is not valid UTF-8 text');
  }
  const header = readHeader(fn, text);
  for (const key of ['descr', 'fortran_order', 'shape']) if (!(key in header)) fail(fn, `the header has no '${key}'`);
  const extra = Object.keys(header).filter((key) => !['descr', 'fortran_order', 'shape'].includes(key));
  if (extra.length > 0) fail(fn, `the header has unknown keys ${extra.map((k) => `'${k}'`).join(', ')}`);
  const dtype = readDtype(fn, header.descr);
  if (header.fortran_order === true) {
    fail(fn, 'the array is in Fortran (column-major) order, which gradlab does not read; save np.ascontiguousarray(a) instead');
  }
  if (header.fortran_order !== false) fail(fn, `fortran_order must be True or False, got ${JSON.stringify(header.fortran_order)}`);
  const shape = header.shape;
  if (!Array.isArray(shape) || !shape.every((d): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d < 2 ** 31)) {
    return fail(fn, `shape must be a tuple of integers from 0 to 2^31 - 1, got ${JSON.stringify(shape)}`);
  }
  const offset = start + headerLength;
  const available = bytes.length - offset;
  // the count, checked against the bytes there are before anything is allocated
  let count = 1;
  for (const d of shape) count = count * d;
  if (count * dtype.size !== available) {
    fail(fn, `shape (${shape.join(', ')}) of ${dtype.size}-byte values needs ${count * dtype.size} bytes of data, the file has ${available}`);
  }
  return new Tensor(readValues(fn, view, offset, count, dtype), [...shape]);
}

/**
 * Reads a numpy .npy file from its bytes into a float64 Tensor of the same shape: float16/32/64,
 * int8…64, uint8…64 and bool, little- or big-endian, C order; versions 1.0, 2.0, 3.0. Fortran
 * order, object arrays, strings, structured dtypes, 64-bit integers beyond ±2^53 and files of
 * the wrong length are errors that say which.
 */
export function parseNpy(input: ArrayBuffer | Uint8Array): Tensor {
  return parseNpyAs('parseNpy', input);
}
