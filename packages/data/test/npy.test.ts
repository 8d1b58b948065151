import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GradlabError } from '@gradlab/core';
import { parseNpy } from '../src/index.ts';

const dir = new URL('./fixtures/npy/', import.meta.url);
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));
const expected = JSON.parse(readFileSync(new URL('npy-expected.json', dir), 'utf8')) as {
  files: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
  rejects: Record<string, string>;
};
const decode = (v: number | string): number =>
  typeof v === 'number' ? v : ({ nan: Number.NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 } as Record<string, number>)[v];

/** A .npy file with the given header text (version 1.0), padded as numpy pads, then `data`. */
function npy(header: string, data: Uint8Array = new Uint8Array(0), version: [number, number] = [1, 0]): Uint8Array {
  const prefix = version[0] === 1 ? 10 : 12;
  let text = header;
  while ((prefix + text.length + 1) % 64 !== 0) text += ' ';
  text += '\n';
  const out = new Uint8Array(prefix + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1]]);
  const view = new DataView(out.buffer);
  if (version[0] === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(new TextEncoder().encode(text), prefix);
  out.set(data, prefix + text.length);
  return out;
}

describe('parseNpy on files numpy wrote', () => {
  it('covers every dtype in both byte orders, a scalar, an empty array, rank 3 and versions 2 and 3', () => {
    const dtypes = new Set(Object.values(expected.files).map((f) => f.dtype.slice(1)));
    expect([...dtypes].sort()).toEqual(['b1', 'f2', 'f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8']);
    const bigEndian = Object.values(expected.files).filter((f) => f.dtype.startsWith('>')).map((f) => f.dtype);
    expect(bigEndian.sort()).toEqual(['>f2', '>f4', '>f8', '>i2', '>i4', '>i8', '>u2', '>u4', '>u8']);
  });

  it.each(Object.keys(expected.files))('%s: same shape, same values, bit for bit (NaN, ±Infinity and −0 included)', (name) => {
    const want = expected.files[name];
    const t = parseNpy(bytes(name));
    expect(t.shape).toEqual(want.shape);
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(t.data).toHaveLength(want.values.length);
    want.values.forEach((v, i) => expect(Object.is(t.data[i], decode(v))).toBe(true));
  });

  it('reads from an ArrayBuffer and from a Uint8Array that is a view into a larger buffer', () => {
    const file = bytes('i4.npy');
    const padded = new Uint8Array(file.length + 7);
    padded.set(file, 3);
    expect(Array.from(parseNpy(padded.subarray(3, 3 + file.length)).data)).toEqual([-(2 ** 31), -1, 0, 1, 7, 2 ** 31 - 1]);
    expect(Array.from(parseNpy(file.slice().buffer).data)).toEqual([-(2 ** 31), -1, 0, 1, 7, 2 ** 31 - 1]);
  });

  it.each(Object.entries(expected.rejects))('rejects %s, saying why (%s)', (name, why) => {
    expect(() => parseNpy(bytes(name))).toThrow(GradlabError);
    expect(() => parseNpy(bytes(name))).toThrow(why);
  });

  it('the rejections read well', () => {
    expect(() => parseNpy(bytes('fortran.npy'))).toThrow(
      'parseNpy: the array is in Fortran (column-major) order, which gradlab does not read; save np.ascontiguousarray(a) instead',
    );
    expect(() => parseNpy(bytes('object.npy'))).toThrow(
      'parseNpy: dtype "|O": object arrays (pickled Python objects) are not supported; gradlab reads numbers and booleans',
    );
    expect(() => parseNpy(bytes('i8-beyond.npy'))).toThrow('parseNpy: value 0 is 9007199254740993, beyond ±2^53: it has no exact float64');
  });
});

describe('parseNpy on broken or unusual files', () => {
  const f8 = (n: number): Uint8Array => new Uint8Array(new Float64Array(n).fill(1.5).buffer);

  it('reads a hand-made header with Python 2 longs and no trailing comma', () => {
    const t = parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 1L)}", f8(2)));
    expect(t.shape).toEqual([2, 1]);
    expect(Array.from(t.data)).toEqual([1.5, 1.5]);
  });

  it('rejects unknown versions, bad magic, truncation and extra bytes', () => {
    expect(() => parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f8(1), [4, 0]))).toThrow(
      'parseNpy: unknown .npy format version 4.0; gradlab reads versions 1.0, 2.0 and 3.0',
    );
    expect(() => parseNpy(new TextEncoder().encode('PK\x03\x04 not numpy at all'))).toThrow('parseNpy: not a .npy file: it does not start with \\x93NUMPY');
    const file = bytes('f8.npy');
    expect(() => parseNpy(file.subarray(0, file.length - 1))).toThrow('parseNpy: shape (2, 4) of 8-byte values needs 64 bytes of data, the file has 63');
    expect(() => parseNpy(file.subarray(0, 40))).toThrow('parseNpy: the header says it is 118 bytes long, but only 30 follow');
    const longer = new Uint8Array(file.length + 8);
    longer.set(file);
    expect(() => parseNpy(longer)).toThrow('needs 64 bytes of data, the file has 72');
  });

  it('rejects headers that are not the dict numpy writes', () => {
    const bad = (header: string): (() => unknown) => () => parseNpy(npy(header, f8(1)));
    expect(bad("{'descr': '<f8', 'shape': (1,), }")).toThrow("parseNpy: the header has no 'fortran_order'");
    expect(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}")).toThrow("parseNpy: the header has unknown keys 'x'");
    expect(bad("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}")).toThrow('parseNpy: fortran_order must be True or False, got 0');
    expect(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}")).toThrow('the header is not a Python dict literal');
    expect(bad("{'descr': '<f8', 'fortran_order': False, 'shape': ('a',)}")).toThrow('parseNpy: shape must be a tuple of integers');
    expect(bad("{'descr': '<x9', 'fortran_order': False, 'shape': (1,)}")).toThrow('parseNpy: unsupported dtype "<x9"');
    expect(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)")).toThrow('the header is not a Python dict literal (it ends early)');
    expect(bad("__import__('os')")).toThrow('the header is not a Python dict literal');
    expect(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} extra")).toThrow('(text after the dict)');
  });

  it('a bool array holding a byte other than 0 or 1 is an error, not a silent 1', () => {
    expect(() => parseNpy(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([1, 2])))).toThrow(
      'parseNpy: value 1 of the bool array is the byte 2, not 0 or 1',
    );
  });

  it('rejects what is not bytes', () => {
    expect(() => parseNpy('abc' as unknown as Uint8Array)).toThrow("parseNpy: expected an ArrayBuffer or a Uint8Array, got string 'abc'");
  });
});
