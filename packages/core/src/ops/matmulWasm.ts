// The matmul's inner loop in WebAssembly SIMD (matmulKernel.ts drives it). A and B are packed
// first into panels: A in panels of MR rows, each stored as k columns of MR values; B in panels
// of NR columns, each stored as k rows of NR values; so the loop reads both in one stream. C is
// kept MR×NR at a time in registers (MR·NR/2 f64x2 vectors) while p runs: per step p, NR/2
// vectors of B and MR values of A (each in both lanes) are read, and every sum gets
// Aᵢₚ·Bₚⱼ: a multiply, then an add (no fused multiply-add: relaxed SIMD needs a flag in Node 20,
// and it would round once instead of twice). So each lane computes its Cᵢⱼ exactly as the
// textbook loop does, from 0, adding Aᵢₚ·Bₚⱼ for p in order, bit for bit.
//
// The loop runs over a block of p (the k-blocking): from p = 0 the sums start at 0; later
// blocks start from the partial sums the previous block stored in C, so each Cᵢⱼ still gets
// the same additions in the same order with the same roundings.
//
// The module (under a kilobyte) is assembled below from its instructions, one per line. It
// imports its memory, so that worker threads (matmulThreads.ts) can share it.

/** Rows of A per panel (MR) and columns of B per panel (NR): the register block. */
export const MR = 4;
export const NR = 4;
/** Steps of p per loop iteration. */
const UNROLL = 1;

// ---- a tiny assembler ----------------------------------------------------------------------

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, call: 0x10,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32Eqz: 0x45, i32GeU: 0x4f, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c,
  simd: 0xfd,
} as const;
const simd = { v128Load: 0x00, load64Splat: 0x0a, v128Store: 0x0b, v128Const: 0x0c, f64x2Add: 0xf0, f64x2Mul: 0xf2 } as const;

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

/**
 * block(a, b, c, k, ldc, p0, p1, i0, i1, j0, j1): for the A panels i0 ≤ ip < i1 and the B
 * panels j0 ≤ jp < j1, adds Aᵢₚ·Bₚⱼ for p0 ≤ p < p1 to the MR×NR tiles of C. a, b and c are
 * byte addresses: A panel ip starts at a + ip·k·MR·8, B panel jp at b + jp·k·NR·8, and C is
 * row-major with ldc columns (a multiple of NR), tile (ip, jp) at c + (ip·MR·ldc + jp·NR)·8.
 */
function blockBody(mr: number, nr: number, unroll: number): number[] {
  const code: number[] = [];
  const emit = (...parts: Part[]) => {
    for (const part of parts) {
      if (typeof part === 'number') code.push(part);
      else code.push(...part);
    }
  };
  // parameters
  const [A, B, C, K, LDC, P0, P1, I0, I1, J0, J1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // i32 locals
  const [PANEL_A, PANEL_B, ROW, IP, JP, PA, PB, END, END_U, PC, AT] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const I32_LOCALS = 11;
  // v128 locals: the sums (row r, half h at ACC[r·nr/2 + h]: columns 2h, 2h+1), B's vectors, A's value
  const halves = nr / 2;
  const ACC = Array.from({ length: mr * halves }, (_, i) => 22 + i);
  const BV = Array.from({ length: halves }, (_, h) => 22 + mr * halves + h);
  const X = 22 + mr * halves + halves;
  const V128_LOCALS = mr * halves + halves + 1;

  const get = (local: number) => [op.localGet, local];
  const set = (local: number) => [op.localSet, local];
  const i32 = (n: number) => [op.i32Const, ...sleb(n)];
  const v = (instruction: number, ...immediates: number[]) => [op.simd, ...uleb(instruction), ...immediates];
  const memarg = (align: number, offset: number) => [align, ...uleb(offset)];
  const whileBelow = (counter: number, limit: number, inner: () => void) => {
    emit(op.block, 0x40, op.loop, 0x40);
    emit(get(counter), get(limit), op.i32GeU, op.brIf, 1);
    inner();
    emit(op.br, 0, op.end, op.end);
  };
  /** One step of p at byte offsets pa + da, pb + db: every sum += A value · B vector. */
  const step = (da: number, db: number) => {
    for (let h = 0; h < halves; h++) emit(get(PB), v(simd.v128Load, ...memarg(3, db + 16 * h)), set(BV[h]));
    for (let r = 0; r < mr; r++) {
      emit(get(PA), v(simd.load64Splat, ...memarg(3, da + 8 * r)), set(X));
      for (let h = 0; h < halves; h++) {
        const acc = ACC[r * halves + h];
        emit(get(acc), get(X), get(BV[h]), v(simd.f64x2Mul), v(simd.f64x2Add), set(acc));
      }
    }
  };

  emit(get(K), i32(mr * 8), op.i32Mul, set(PANEL_A)); // bytes per panel
  emit(get(K), i32(nr * 8), op.i32Mul, set(PANEL_B));
  emit(get(LDC), i32(8), op.i32Mul, set(ROW)); // bytes per row of C
  emit(get(J0), set(JP));
  whileBelow(JP, J1, () => {
    emit(get(I0), set(IP));
    whileBelow(IP, I1, () => {
      emit(get(A), get(IP), get(PANEL_A), op.i32Mul, op.i32Add, get(P0), i32(mr * 8), op.i32Mul, op.i32Add, set(PA));
      emit(get(B), get(JP), get(PANEL_B), op.i32Mul, op.i32Add, set(END));
      emit(get(END), get(P0), i32(nr * 8), op.i32Mul, op.i32Add, set(PB));
      emit(get(END), get(P1), i32(nr * 8), op.i32Mul, op.i32Add, set(END));
      emit(get(END), i32((unroll - 1) * nr * 8), op.i32Sub, set(END_U));
      // &C[ip·MR, jp·NR]
      emit(get(C), get(IP), i32(mr), op.i32Mul, get(ROW), op.i32Mul, op.i32Add, get(JP), i32(nr * 8), op.i32Mul, op.i32Add, set(PC));
      // the sums start at 0 in the first block of p, else at what C holds
      emit(get(P0), op.i32Eqz, op.if, 0x40);
      for (const acc of ACC) emit(v(simd.v128Const, ...new Array<number>(16).fill(0)), set(acc));
      emit(op.else);
      emit(get(PC), set(AT));
      for (let r = 0; r < mr; r++) {
        for (let h = 0; h < halves; h++) emit(get(AT), v(simd.v128Load, ...memarg(3, 16 * h)), set(ACC[r * halves + h]));
        emit(get(AT), get(ROW), op.i32Add, set(AT));
      }
      emit(op.end);
      // `unroll` steps at a time while they fit, then one at a time
      if (unroll > 1) {
        whileBelow(PB, END_U, () => {
          for (let u = 0; u < unroll; u++) step(u * mr * 8, u * nr * 8);
          emit(get(PA), i32(unroll * mr * 8), op.i32Add, set(PA));
          emit(get(PB), i32(unroll * nr * 8), op.i32Add, set(PB));
        });
      }
      whileBelow(PB, END, () => {
        step(0, 0);
        emit(get(PA), i32(mr * 8), op.i32Add, set(PA));
        emit(get(PB), i32(nr * 8), op.i32Add, set(PB));
      });
      emit(get(PC), set(AT));
      for (let r = 0; r < mr; r++) {
        for (let h = 0; h < halves; h++) emit(get(AT), get(ACC[r * halves + h]), v(simd.v128Store, ...memarg(3, 16 * h)));
        emit(get(AT), get(ROW), op.i32Add, set(AT));
      }
      emit(get(IP), i32(1), op.i32Add, set(IP));
    });
    emit(get(JP), i32(1), op.i32Add, set(JP));
  });
  emit(op.end);
  const locals = [2, ...uleb(I32_LOCALS), I32, ...uleb(V128_LOCALS), V128];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** Steps of p per block call (the k-blocking: B's NR-column panel, KC·NR·8 = 8 KiB, stays in L1). */
export const KC = 256;
/** A panels per block call (MC = 32·MR = 128 rows of A, KC·MC·8 = 256 KiB, stay in L2). */
export const MC_PANELS = 32;

/**
 * run(a, b, c, k, ldc, i0, i1, j0, j1): all of C's tiles (ip, jp) for i0 ≤ ip < i1, j0 ≤ jp < j1,
 * over every p: block by block, the blocks of p in increasing order (so each sum's additions stay in order).
 */
function runBody(): number[] {
  const code: number[] = [];
  const emit = (...parts: Part[]) => {
    for (const part of parts) {
      if (typeof part === 'number') code.push(part);
      else code.push(...part);
    }
  };
  const [A, B, C, K, LDC, I0, I1, J0, J1] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [P0, P1, IB, IE] = [9, 10, 11, 12];
  const get = (local: number) => [op.localGet, local];
  const set = (local: number) => [op.localSet, local];
  const i32 = (n: number) => [op.i32Const, ...sleb(n)];
  /** local = min(local + step, limit) */
  const advance = (target: number, from: number, step: number, limit: number) => {
    emit(get(from), i32(step), op.i32Add, set(target));
    emit(get(target), get(limit), op.i32GeU, op.if, 0x40, get(limit), set(target), op.end);
  };
  emit(i32(0), set(P0));
  emit(op.block, 0x40, op.loop, 0x40);
  emit(get(P0), get(K), op.i32GeU, op.brIf, 1);
  advance(P1, P0, KC, K);
  emit(get(I0), set(IB));
  emit(op.block, 0x40, op.loop, 0x40);
  emit(get(IB), get(I1), op.i32GeU, op.brIf, 1);
  advance(IE, IB, MC_PANELS, I1);
  emit(get(A), get(B), get(C), get(K), get(LDC), get(P0), get(P1), get(IB), get(IE), get(J0), get(J1), op.call, 0);
  emit(get(IE), set(IB));
  emit(op.br, 0, op.end, op.end);
  emit(get(P1), set(P0));
  emit(op.br, 0, op.end, op.end);
  emit(op.end);
  const locals = [1, ...uleb(4), I32];
  return [...uleb(locals.length + code.length), ...locals, ...code];
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

/** The module: imports env.memory (shared or not, as `shared` says), exports `block` and `run`. */
export function matmulModuleBytes(shared: boolean, mr = MR, nr = NR, unroll = UNROLL): Uint8Array<ArrayBuffer> {
  const limits = shared ? [0x03, 1, ...uleb(SHARED_MAX_PAGES)] : [0x00, 1];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 = block (i32 × 11) → (), 1 = run (i32 × 9) → ()
    ...section(1, [2, 0x60, 11, ...new Array<number>(11).fill(I32), 0, 0x60, 9, ...new Array<number>(9).fill(I32), 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...limits]),
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...name('block'), 0x00, 0, ...name('run'), 0x00, 1]),
    ...section(10, [2, ...blockBody(mr, nr, unroll), ...runBody()]),
  ]);
}

/** The exported loops, as JS sees them. */
export interface MatmulExports {
  block: (a: number, b: number, c: number, k: number, ldc: number, p0: number, p1: number, i0: number, i1: number, j0: number, j1: number) => void;
  run: (a: number, b: number, c: number, k: number, ldc: number, i0: number, i1: number, j0: number, j1: number) => void;
}

// ---- the instance, the packing, and the call -----------------------------------------------

/** Matmuls with fewer multiply-adds than this stay in JS (the packing would cost more than it saves). */
const WASM_MIN_WORK = 1 << 15;

interface Host {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  exports: MatmulExports;
  shared: boolean;
}

let host: Host | null | undefined;
let enabled = true;
let heap = new Float64Array(0);

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
export function sharedMatmulModule(): { module: WebAssembly.Module; memory: WebAssembly.Memory } | null {
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
 * from double `at` on: panel q holds X[4q + r, p] at at + (q·k + p)·4 + r; rows past `rows` are 0.
 * A is packed as its rows (MR = 4), B as its columns (NR = 4).
 */
function pack(h: Float64Array, at: number, X: Float64Array, rows: number, k: number, rs: number, cs: number): void {
  const full = rows - (rows % 4);
  if (rs === 1 && cs !== 1) {
    // a panel's 4 values at each p are side by side, p steps by cs: 16 steps of p at a time
    // across all panels, so the lines read are used whole while they are in cache
    for (let p0 = 0; p0 < k; p0 += 16) {
      const p1 = Math.min(k, p0 + 16);
      for (let r = 0; r < full; r += 4) {
        for (let p = p0, s = r + p0 * cs, o = at + (r * k + p0 * 4); p < p1; p++, s += cs, o += 4) {
          h[o] = X[s];
          h[o + 1] = X[s + 1];
          h[o + 2] = X[s + 2];
          h[o + 3] = X[s + 3];
        }
      }
    }
  } else {
    for (let r = 0; r < full; r += 4) {
      for (let p = 0, s = r * rs, o = at + r * k; p < k; p++, s += cs, o += 4) {
        h[o] = X[s];
        h[o + 1] = X[s + rs];
        h[o + 2] = X[s + 2 * rs];
        h[o + 3] = X[s + 3 * rs];
      }
    }
  }
  if (full < rows) {
    for (let p = 0, o = at + full * k; p < k; p++) for (let r = full; r < full + 4; r++, o++) h[o] = r < rows ? X[r * rs + p * cs] : 0;
  }
}

/** Runs the loop over all of C's tiles: on several threads if `parallel` takes the job, else here. */
export type Parallel = (exports: MatmulExports, a: number, b: number, c: number, k: number, ldc: number, mPanels: number, nPanels: number) => boolean;

/**
 * C = A·B in WebAssembly (see matmulStrided for the layout): A and B packed into the module's
 * memory, the tiles computed there, C copied out. Returns false, doing nothing, when the JS
 * loop should run instead (a small product, no WebAssembly SIMD, or too large for the memory).
 */
export function wasmMatmul(
  C: Float64Array, A: Float64Array, B: Float64Array, m: number, k: number, n: number,
  rs: number, cs: number, brs: number, bcs: number, parallel: Parallel,
): boolean {
  if (m * n * k < WASM_MIN_WORK || m < MR || n < NR || !enabled) return false;
  const h = loaded();
  if (h === null) return false;
  const mPanels = Math.ceil(m / MR);
  const nPanels = Math.ceil(n / NR);
  const ldc = nPanels * NR;
  // packed A, packed B, then C with whole tiles (byte addresses, multiples of 32)
  const a = 0;
  const b = a + mPanels * MR * k * 8;
  const c = b + nPanels * NR * k * 8;
  const end = c + mPanels * MR * ldc * 8;
  const mem = end <= 2 ** 31 ? memoryOf(h, end) : null;
  if (mem === null) return false;
  pack(mem, a / 8, A, m, k, rs, cs);
  pack(mem, b / 8, B, n, k, bcs, brs);
  if (!parallel(h.exports, a, b, c, k, ldc, mPanels, nPanels)) h.exports.run(a, b, c, k, ldc, 0, mPanels, 0, nPanels);
  if (ldc === n) C.set(mem.subarray(c / 8, c / 8 + m * n));
  else for (let i = 0; i < m; i++) C.set(mem.subarray(c / 8 + i * ldc, c / 8 + i * ldc + n), i * n);
  return true;
}
