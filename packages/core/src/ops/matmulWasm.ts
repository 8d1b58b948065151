// The matmul's inner loop in WebAssembly SIMD (matmulKernel.ts calls wasmMatmul below). A and
// B are packed first: A in panels of 4 rows, each stored as k steps of its 4 values A[i..i+3, p];
// B in panels of 4 columns, each stored as k steps of B[p, j..j+3]; so the loop reads both in
// one stream. C is kept 4×4 at a time in registers (8 f64x2 vectors) while p runs: per step p,
// two vectors of B and four values of A (each in both lanes) are read, and every sum gets
// Aᵢₚ·Bₚⱼ: a multiply, then an add. No fused multiply-add: it would round once instead of twice
// (and relaxed SIMD, which has it, needs a flag in Node 20). So each lane computes its Cᵢⱼ
// exactly as the textbook loop does, from 0, adding Aᵢₚ·Bₚⱼ for p in order, bit for bit.
//
// Cache blocking: the loop runs over KC steps of p at a time (a B panel's 8 KiB stay in L1 while
// the A panels go by) and MC_PANELS panels of A at a time (256 KiB, kept in L2). From p = 0 the
// sums start at 0; later blocks of p start from the partial sums the previous block stored in C,
// so each Cᵢⱼ still gets the same additions in the same order with the same roundings.
//
// float32 (a Float32Array C) has a loop of its own, block32: the same panels of 4 rows and 4
// columns, each step of p 16 bytes, two panels of B at a time, so C's 4×8 tile is in 8 f32x4
// vectors; per step two vectors of B and four values of A splat: a multiply, then an add, both
// rounded to float32. So
// each float32 Cᵢⱼ is summed in float32 from 0, Aᵢₚ·Bₚⱼ added for p in order (as PyTorch
// accumulates float32), and the JS loop for float32 (matmulKernel.ts) rounds the same way.
//
// The module (about a kilobyte) is assembled below from its instructions, one per line. It
// imports its memory, so that worker threads (matmulThreads.ts) can share it.

import type { FloatArray } from '../tensor.ts';

/** Rows of A per panel (MR) and columns of B per panel (NR): the 4×4 register block. */
export const MR = 4;
export const NR = 4;
/** Steps of p per block (B's panel: KC·NR·8 = 8 KiB, in L1). */
export const KC = 256;
/** A panels per block (MC_PANELS·MR = 128 rows of A, KC·128·8 = 256 KiB, in L2). */
export const MC_PANELS = 32;

// ---- a tiny assembler ----------------------------------------------------------------------

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, call: 0x10,
  localGet: 0x20, localSet: 0x21,
  i64Load: 0x29, i64Store: 0x37,
  i32Const: 0x41, i32Eqz: 0x45, i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c,
  simd: 0xfd,
} as const;
const simd = {
  v128Load: 0x00, load32Splat: 0x09, load64Splat: 0x0a, v128Store: 0x0b, v128Const: 0x0c, f32x4Add: 0xe4, f32x4Mul: 0xe6, f64x2Add: 0xf0, f64x2Mul: 0xf2,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

type Part = number | number[];

const get = (local: number): number[] => [op.localGet, local];
const set = (local: number): number[] => [op.localSet, local];
const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];
const v = (instruction: number, ...immediates: number[]): number[] => [op.simd, ...uleb(instruction), ...immediates];
/** A memory immediate: 8-byte alignment hint, byte offset. */
const memarg = (offset: number): number[] => [3, ...uleb(offset)];
/** The same with a 4-byte alignment hint (a 32-bit load may not claim more). */
const memarg4 = (offset: number): number[] => [2, ...uleb(offset)];

/** One function's code: instructions appended line by line, then its locals declared. */
class Body {
  private readonly code: number[] = [];

  emit(...parts: Part[]): void {
    for (const part of parts) {
      if (typeof part === 'number') this.code.push(part);
      else this.code.push(...part);
    }
  }

  /** while (counter < limit) { inner }, unsigned. */
  whileBelow(counter: number, limit: number, inner: () => void): void {
    this.emit(op.block, 0x40, op.loop, 0x40);
    this.emit(get(counter), get(limit), op.i32GeU, op.brIf, 1);
    inner();
    this.emit(op.br, 0, op.end, op.end);
  }

  /** target = min(from + step, limit), unsigned. */
  stepTo(target: number, from: number, step: number, limit: number): void {
    this.emit(get(from), i32(step), op.i32Add, set(target));
    this.emit(get(target), get(limit), op.i32GeU, op.if, 0x40, get(limit), set(target), op.end);
  }

  /** The function's entry of the code section: its locals (runs of [count, type]), its code, end. */
  finish(locals: [number, number][]): number[] {
    const declared = [...uleb(locals.length), ...locals.flatMap(([count, type]) => [...uleb(count), type])];
    const all = [...declared, ...this.code, op.end];
    return [...uleb(all.length), ...all];
  }
}

/**
 * block(a, b, c, k, ldc, p0, p1, i0, i1, j0, j1): for the A panels i0 ≤ ip < i1 and the B
 * panels j0 ≤ jp < j1, adds Aᵢₚ·Bₚⱼ for p0 ≤ p < p1 to the 4×4 tiles of C. a, b and c are
 * byte addresses: A panel ip starts at a + ip·k·32, B panel jp at b + jp·k·32, and C is
 * row-major with ldc columns (a multiple of 4), tile (ip, jp) at c + (ip·4·ldc + jp·4)·8.
 */
function blockBody(): number[] {
  const f = new Body();
  const [A, B, C, K, LDC, P0, P1, I0, I1, J0, J1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [PANEL, ROW, IP, JP, PA, PB, END, PC, AT] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
  // the sums: row r, half h (columns 2h, 2h + 1) in ACC[2r + h]; then B's two vectors, A's value
  const ACC = [20, 21, 22, 23, 24, 25, 26, 27];
  const [B0, B1, X] = [28, 29, 30];

  f.emit(get(K), i32(32), op.i32Mul, set(PANEL)); // bytes per panel, A's and B's alike
  f.emit(get(LDC), i32(8), op.i32Mul, set(ROW)); // bytes per row of C
  f.emit(get(J0), set(JP));
  f.whileBelow(JP, J1, () => {
    f.emit(get(I0), set(IP));
    f.whileBelow(IP, I1, () => {
      f.emit(get(A), get(IP), get(PANEL), op.i32Mul, op.i32Add, get(P0), i32(32), op.i32Mul, op.i32Add, set(PA));
      f.emit(get(B), get(JP), get(PANEL), op.i32Mul, op.i32Add, set(END));
      f.emit(get(END), get(P0), i32(32), op.i32Mul, op.i32Add, set(PB));
      f.emit(get(END), get(P1), i32(32), op.i32Mul, op.i32Add, set(END));
      f.emit(get(C), get(IP), i32(4), op.i32Mul, get(ROW), op.i32Mul, op.i32Add, get(JP), i32(32), op.i32Mul, op.i32Add, set(PC)); // &C[4ip, 4jp]
      // the sums start at 0 in the first block of p, else at what C holds
      f.emit(get(P0), op.i32Eqz, op.if, 0x40);
      for (const acc of ACC) f.emit(v(simd.v128Const, ...new Array<number>(16).fill(0)), set(acc));
      f.emit(op.else, get(PC), set(AT));
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) f.emit(get(AT), v(simd.v128Load, ...memarg(16 * h)), set(ACC[2 * r + h]));
        f.emit(get(AT), get(ROW), op.i32Add, set(AT));
      }
      f.emit(op.end);
      f.whileBelow(PB, END, () => {
        f.emit(get(PB), v(simd.v128Load, ...memarg(0)), set(B0)); // B[p, j..j+1]
        f.emit(get(PB), v(simd.v128Load, ...memarg(16)), set(B1)); // B[p, j+2..j+3]
        for (let r = 0; r < 4; r++) {
          f.emit(get(PA), v(simd.load64Splat, ...memarg(8 * r)), set(X)); // A[i+r, p] in both lanes
          for (let h = 0; h < 2; h++) {
            // sum += A[i+r, p] · B[p, j+2h..j+2h+1]: a multiply, then an add
            f.emit(get(ACC[2 * r + h]), get(X), get(h === 0 ? B0 : B1), v(simd.f64x2Mul), v(simd.f64x2Add), set(ACC[2 * r + h]));
          }
        }
        f.emit(get(PA), i32(32), op.i32Add, set(PA));
        f.emit(get(PB), i32(32), op.i32Add, set(PB));
      });
      f.emit(get(PC), set(AT));
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) f.emit(get(AT), get(ACC[2 * r + h]), v(simd.v128Store, ...memarg(16 * h)));
        f.emit(get(AT), get(ROW), op.i32Add, set(AT));
      }
      f.emit(get(IP), i32(1), op.i32Add, set(IP));
    });
    f.emit(get(JP), i32(1), op.i32Add, set(JP));
  });
  return f.finish([[9, I32], [11, V128]]);
}

/**
 * block32: block for float32 (same arguments; panels of k·16 bytes, C of 4-byte values, tile
 * (ip, jp) at c + (ip·4·ldc + jp·4)·4). Two B panels at a time where there are two (a 4×8 tile of
 * C in 8 f32x4 vectors, each A value splat once for both), else one: row r of panel h in ACC[4h + r].
 */
function block32Body(): number[] {
  const f = new Body();
  const [A, B, C, K, LDC, P0, P1, I0, I1, J0, J1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [PANEL, ROW, IP, JP, PA, PB, END, PC, AT, PB2] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const ACC = [21, 22, 23, 24, 25, 26, 27, 28];
  const [B0, B1, X] = [29, 30, 31];

  /** The tiles (ip, jp … jp + width − 1) for every A panel ip. */
  const tiles = (width: 1 | 2) => {
    const acc = ACC.slice(0, 4 * width);
    f.emit(get(I0), set(IP));
    f.whileBelow(IP, I1, () => {
      f.emit(get(A), get(IP), get(PANEL), op.i32Mul, op.i32Add, get(P0), i32(16), op.i32Mul, op.i32Add, set(PA));
      f.emit(get(B), get(JP), get(PANEL), op.i32Mul, op.i32Add, set(END));
      f.emit(get(END), get(P0), i32(16), op.i32Mul, op.i32Add, set(PB));
      f.emit(get(PB), get(PANEL), op.i32Add, set(PB2)); // the next panel of B, same step
      f.emit(get(END), get(P1), i32(16), op.i32Mul, op.i32Add, set(END));
      f.emit(get(C), get(IP), i32(4), op.i32Mul, get(ROW), op.i32Mul, op.i32Add, get(JP), i32(16), op.i32Mul, op.i32Add, set(PC)); // &C[4ip, 4jp]
      // the sums start at 0 in the first block of p, else at what C holds
      f.emit(get(P0), op.i32Eqz, op.if, 0x40);
      for (const a of acc) f.emit(v(simd.v128Const, ...new Array<number>(16).fill(0)), set(a));
      f.emit(op.else, get(PC), set(AT));
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < width; h++) f.emit(get(AT), v(simd.v128Load, ...memarg(16 * h)), set(ACC[4 * h + r]));
        f.emit(get(AT), get(ROW), op.i32Add, set(AT));
      }
      f.emit(op.end);
      f.whileBelow(PB, END, () => {
        f.emit(get(PB), v(simd.v128Load, ...memarg(0)), set(B0)); // B[p, j..j+3]
        if (width === 2) f.emit(get(PB2), v(simd.v128Load, ...memarg(0)), set(B1)); // B[p, j+4..j+7]
        for (let r = 0; r < 4; r++) {
          f.emit(get(PA), v(simd.load32Splat, ...memarg4(4 * r)), set(X)); // A[i+r, p] in all four lanes
          // sum += A[i+r, p] · B[p, j..j+3]: a multiply, then an add
          for (let h = 0; h < width; h++) {
            f.emit(get(ACC[4 * h + r]), get(X), get(h === 0 ? B0 : B1), v(simd.f32x4Mul), v(simd.f32x4Add), set(ACC[4 * h + r]));
          }
        }
        f.emit(get(PA), i32(16), op.i32Add, set(PA));
        f.emit(get(PB), i32(16), op.i32Add, set(PB));
        if (width === 2) f.emit(get(PB2), i32(16), op.i32Add, set(PB2));
      });
      f.emit(get(PC), set(AT));
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < width; h++) f.emit(get(AT), get(ACC[4 * h + r]), v(simd.v128Store, ...memarg(16 * h)));
        f.emit(get(AT), get(ROW), op.i32Add, set(AT));
      }
      f.emit(get(IP), i32(1), op.i32Add, set(IP));
    });
  };

  f.emit(get(K), i32(16), op.i32Mul, set(PANEL)); // bytes per panel, A's and B's alike
  f.emit(get(LDC), i32(4), op.i32Mul, set(ROW)); // bytes per row of C
  f.emit(get(J0), set(JP));
  f.whileBelow(JP, J1, () => {
    // one panel of B left: alone; else two
    f.emit(get(JP), i32(1), op.i32Add, get(J1), op.i32GeU, op.if, 0x40);
    tiles(1);
    f.emit(get(JP), i32(1), op.i32Add, set(JP));
    f.emit(op.else);
    tiles(2);
    f.emit(get(JP), i32(2), op.i32Add, set(JP));
    f.emit(op.end);
  });
  return f.finish([[10, I32], [11, V128]]);
}

/**
 * run(a, b, c, k, ldc, i0, i1, j0, j1): C's tiles (ip, jp) for i0 ≤ ip < i1, j0 ≤ jp < j1, over
 * every p: KC steps of p and MC_PANELS panels of A per block, the blocks of p in increasing
 * order (so each sum's additions stay in order). run32 is the same over block32 (function `block`).
 */
function runBody(block = 0): number[] {
  const f = new Body();
  const [A, B, C, K, LDC, I0, I1, J0, J1] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [P0, P1, IB, IE] = [9, 10, 11, 12];
  f.emit(i32(0), set(P0));
  f.whileBelow(P0, K, () => {
    f.stepTo(P1, P0, KC, K);
    f.emit(get(I0), set(IB));
    f.whileBelow(IB, I1, () => {
      f.stepTo(IE, IB, MC_PANELS, I1);
      f.emit(get(A), get(B), get(C), get(K), get(LDC), get(P0), get(P1), get(IB), get(IE), get(J0), get(J1), op.call, block);
      f.emit(get(IE), set(IB));
    });
    f.emit(get(P1), set(P0));
  });
  return f.finish([[4, I32]]);
}

/**
 * pack(src, dst, panels, k, rs, cs): X[r, p] at byte src + r·rs + p·cs, for the rows of `panels`
 * whole panels of 4, into dst as panels (panel q, step p: X[4q..4q+3, p] at dst + (q·k + p)·32).
 * Values move as 64-bit integers, so every bit is kept. Steps of p go 16 at a time across all
 * panels, so each line read is used whole while it is in cache.
 */
function packBody(): number[] {
  const f = new Body();
  const [SRC, DST, PANELS, K, RS, CS] = [0, 1, 2, 3, 4, 5];
  const [PB, PE, Q, P, S, D, RS2, RS3] = [6, 7, 8, 9, 10, 11, 12, 13];
  f.emit(get(RS), get(RS), op.i32Add, set(RS2));
  f.emit(get(RS2), get(RS), op.i32Add, set(RS3));
  f.emit(i32(0), set(PB));
  f.whileBelow(PB, K, () => {
    f.stepTo(PE, PB, 16, K);
    f.emit(i32(0), set(Q));
    f.whileBelow(Q, PANELS, () => {
      f.emit(get(SRC), get(Q), i32(4), op.i32Mul, get(RS), op.i32Mul, op.i32Add, get(PB), get(CS), op.i32Mul, op.i32Add, set(S));
      f.emit(get(DST), get(Q), get(K), op.i32Mul, get(PB), op.i32Add, i32(32), op.i32Mul, op.i32Add, set(D));
      f.emit(get(PB), set(P));
      f.whileBelow(P, PE, () => {
        f.emit(get(D), get(S), op.i64Load, memarg(0), op.i64Store, memarg(0));
        f.emit(get(D), get(S), get(RS), op.i32Add, op.i64Load, memarg(0), op.i64Store, memarg(8));
        f.emit(get(D), get(S), get(RS2), op.i32Add, op.i64Load, memarg(0), op.i64Store, memarg(16));
        f.emit(get(D), get(S), get(RS3), op.i32Add, op.i64Load, memarg(0), op.i64Store, memarg(24));
        f.emit(get(S), get(CS), op.i32Add, set(S));
        f.emit(get(D), i32(32), op.i32Add, set(D));
        f.emit(get(P), i32(1), op.i32Add, set(P));
      });
      f.emit(get(Q), i32(1), op.i32Add, set(Q));
    });
    f.emit(get(PE), set(PB));
  });
  return f.finish([[8, I32]]);
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = Array.from(text, (c) => c.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

/** Most pages a shared memory may grow to (2 GiB); an unshared one may grow to 4 GiB. */
export const SHARED_MAX_PAGES = 32768;

/** The module: imports env.memory (shared or not, as `shared` says), exports block, run, pack, block32 and run32. */
export function matmulModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const limits = shared ? [0x03, 1, ...uleb(SHARED_MAX_PAGES)] : [0x00, 1];
  const functions: [string, number, number[]][] = [
    ['block', 11, blockBody()], ['run', 9, runBody()], ['pack', 6, packBody()], ['block32', 11, block32Body()], ['run32', 9, runBody(3)],
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [functions.length, ...functions.flatMap(([, params]) => [0x60, params, ...new Array<number>(params).fill(I32), 0])]), // (i32 × n) → ()
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...limits]),
    ...section(3, [functions.length, ...functions.map((_, i) => i)]),
    ...section(7, [functions.length, ...functions.flatMap(([label], i) => [...name(label), 0x00, i])]),
    ...section(10, [functions.length, ...functions.flatMap(([, , body]) => body)]),
  ]);
}

/** The exported functions, as JS sees them. */
export interface MatmulExports {
  block: (a: number, b: number, c: number, k: number, ldc: number, p0: number, p1: number, i0: number, i1: number, j0: number, j1: number) => void;
  run: (a: number, b: number, c: number, k: number, ldc: number, i0: number, i1: number, j0: number, j1: number) => void;
  pack: (src: number, dst: number, panels: number, k: number, rs: number, cs: number) => void;
  /** block and run for float32 (see block32Body). */
  block32: MatmulExports['block'];
  run32: MatmulExports['run'];
}

// ---- the instance, the packing, and the call -----------------------------------------------

/** Matmuls with fewer multiply-adds than this stay in JS (the copies would cost more than they save: measured, the two break even near 2,000–4,000). */
const WASM_MIN_WORK = 1 << 12;

interface Host {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  exports: MatmulExports;
  shared: boolean;
}

let host: Host | null | undefined;
let enabled = true;
let heap = new Float64Array(0);
let heap32 = new Float32Array(0);

/** The module on a shared memory where SharedArrayBuffer is allowed (so threads can join), else on its own. */
function load(): Host | null {
  if (typeof WebAssembly === 'undefined') return null;
  for (const shared of [true, false]) {
    try {
      const bytes = matmulModuleBytes(shared);
      if (!WebAssembly.validate(bytes)) continue;
      const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: SHARED_MAX_PAGES, shared: true } : { initial: 1 });
      const module = new WebAssembly.Module(bytes);
      const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as MatmulExports;
      return { memory, module, exports, shared };
    } catch {
      // not here (no SIMD, no shared memory, or a Content-Security-Policy): try the next, or JS
    }
  }
  return null;
}

function loaded(): Host | null {
  if (host === undefined) host = load();
  return host;
}

/** Whether the WebAssembly loop is in use (false: not supported here, or turned off). */
export function wasmMatmulActive(): boolean {
  return enabled && loaded() !== null;
}

/** Turns the WebAssembly loop off or on (to compare it with the JS loop). */
export function setWasmMatmul(on: boolean): void {
  enabled = on;
}

/** The module and its memory, for worker threads (null without a shared memory). */
/** (Typed as plain objects: the published declarations must not need the WebAssembly lib.) */
export function sharedMatmulModule(): { module: object; memory: object } | null {
  const h = loaded();
  return h !== null && h.shared ? { module: h.module, memory: h.memory } : null;
}

/** The memory as doubles, at least `bytes` long; null if it cannot grow that far. */
function memoryOf(h: Host, bytes: number): Float64Array | null {
  const have = h.memory.buffer.byteLength;
  if (bytes > have) {
    try {
      h.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return null;
    }
  }
  if (heap.buffer !== h.memory.buffer) heap = new Float64Array(h.memory.buffer);
  return heap;
}

/**
 * Packs X's "rows" 0 ≤ r < rows, each k long (X[r, p] at X[r·rs + p·cs]), in panels of 4 rows
 * at double `at` of the memory: panel q holds X[4q + r, p] at at + (q·k + p)·4 + r, rows past
 * `rows` 0. A is packed as its rows (MR = 4), B as its columns (NR = 4). X is copied into the
 * memory at double `raw` first (the span it reads), the whole panels are packed there by the
 * module's `pack`, and the last, partial panel here.
 */
function pack(h: Host, mem: Float64Array, at: number, raw: number, X: FloatArray, rows: number, k: number, rs: number, cs: number): void {
  const full = rows - (rows % 4);
  mem.set(X.subarray(0, span(rows, k, rs, cs)), raw);
  if (full > 0) h.exports.pack(raw * 8, at * 8, full / 4, k, rs * 8, cs * 8);
  if (full < rows) {
    for (let p = 0, o = at + full * k; p < k; p++) for (let r = full; r < full + 4; r++, o++) mem[o] = r < rows ? X[r * rs + p * cs] : 0;
  }
}

/** How many values of X the rows read: up to the last one, X[(rows − 1)·rs + (k − 1)·cs]. */
function span(rows: number, k: number, rs: number, cs: number): number {
  return (rows - 1) * rs + (k - 1) * cs + 1;
}

/** Runs the loop over all of C's tiles (run, or run32 with `float32`): on several threads if `parallel` takes the job, else here. */
export type Parallel = (exports: MatmulExports, a: number, b: number, c: number, k: number, ldc: number, mPanels: number, nPanels: number, float32?: boolean) => boolean;

/**
 * C = A·B in WebAssembly (see matmulStrided for the layout): A and B packed into the module's
 * memory, the tiles computed there, C copied out. Returns false, doing nothing, when the JS
 * loop should run instead (a small product, no WebAssembly SIMD, or too large for the memory).
 */
export function wasmMatmul(
  C: FloatArray, A: FloatArray, B: FloatArray, m: number, k: number, n: number,
  rs: number, cs: number, brs: number, bcs: number, parallel: Parallel,
): boolean {
  if (m * n * k < WASM_MIN_WORK || m < MR || n < NR || !enabled) return false;
  const h = loaded();
  if (h === null) return false;
  if (C instanceof Float32Array) return wasmMatmul32(h, C, A, B, m, k, n, rs, cs, brs, bcs, parallel);
  const mPanels = Math.ceil(m / MR);
  const nPanels = Math.ceil(n / NR);
  const ldc = nPanels * NR;
  // packed A, packed B, C with whole tiles, then A and B as given (in doubles; the first three at multiples of 4)
  const a = 0;
  const b = a + mPanels * MR * k;
  const c = b + nPanels * NR * k;
  const rawA = c + mPanels * MR * ldc;
  const rawB = rawA + span(m, k, rs, cs);
  const end = (rawB + span(n, k, bcs, brs)) * 8;
  const mem = end <= 2 ** 31 ? memoryOf(h, end) : null;
  if (mem === null) return false;
  pack(h, mem, a, rawA, A, m, k, rs, cs);
  pack(h, mem, b, rawB, B, n, k, bcs, brs);
  if (!parallel(h.exports, a * 8, b * 8, c * 8, k, ldc, mPanels, nPanels)) h.exports.run(a * 8, b * 8, c * 8, k, ldc, 0, mPanels, 0, nPanels);
  if (ldc === n) C.set(mem.subarray(c, c + m * n));
  else for (let i = 0; i < m; i++) C.set(mem.subarray(c + i * ldc, c + i * ldc + n), i * n);
  return true;
}

/**
 * Packs X's rows as `pack` does, for float32: panel q holds X[4q + r, p] at float at + (q·k + p)·4 + r
 * (rows past `rows` 0), written here in JS (the values are converted to float32 on the way, exactly
 * for float32 values).
 */
function pack32(mem: Float32Array, at: number, X: FloatArray, rows: number, k: number, rs: number, cs: number): void {
  const full = rows - (rows % 4);
  let o = at;
  for (let q = 0; q < full; q += 4) {
    for (let p = 0, x = q * rs; p < k; p++, o += 4, x += cs) {
      mem[o] = X[x];
      mem[o + 1] = X[x + rs];
      mem[o + 2] = X[x + 2 * rs];
      mem[o + 3] = X[x + 3 * rs];
    }
  }
  if (full < rows) {
    for (let p = 0; p < k; p++, o += 4) for (let r = 0; r < 4; r++) mem[o + r] = full + r < rows ? X[(full + r) * rs + p * cs] : 0;
  }
}

/** wasmMatmul for a float32 C (A and B hold float32 values): packed, run by run32, copied out. */
function wasmMatmul32(
  h: Host, C: Float32Array, A: FloatArray, B: FloatArray, m: number, k: number, n: number,
  rs: number, cs: number, brs: number, bcs: number, parallel: Parallel,
): boolean {
  const mPanels = Math.ceil(m / MR);
  const nPanels = Math.ceil(n / NR);
  const ldc = nPanels * NR;
  // packed A, packed B, C with whole tiles (in floats, each at a multiple of 4)
  const a = 0;
  const b = a + mPanels * MR * k;
  const c = b + nPanels * NR * k;
  const end = (c + mPanels * MR * ldc) * 4;
  if (end > 2 ** 31 || memoryOf(h, end) === null) return false;
  if (heap32.buffer !== h.memory.buffer) heap32 = new Float32Array(h.memory.buffer);
  const mem = heap32;
  pack32(mem, a, A, m, k, rs, cs);
  pack32(mem, b, B, n, k, bcs, brs);
  if (!parallel(h.exports, a * 4, b * 4, c * 4, k, ldc, mPanels, nPanels, true)) h.exports.run32(a * 4, b * 4, c * 4, k, ldc, 0, mPanels, 0, nPanels);
  if (ldc === n) C.set(mem.subarray(c, c + m * n));
  else for (let i = 0; i < m; i++) C.set(mem.subarray(c + i * ldc, c + i * ldc + n), i * n);
  return true;
}
