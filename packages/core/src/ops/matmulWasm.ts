// The 4×4 tiles of the matmul (matmulKernel.ts) in WebAssembly SIMD: a tile row's four sums
// are two f64x2 vectors, so each multiply and each add does two columns at once. Each lane
// computes its own Cᵢⱼ exactly as the JS loop does: starting from 0, adding Aᵢₚ·Bₚⱼ for p in
// order, a multiply then an add (no fused multiply-add), so results are identical bit for bit.
//
// The module (a few hundred bytes) is assembled below from its instructions, one per line.
// Without WebAssembly SIMD (or where a Content-Security-Policy forbids compiling it) the JS
// tiles run instead. The operands are copied into the module's memory for each call, so it is
// used only for matmuls large enough to repay the copies.

/** Matmuls with fewer tile multiply-adds than this stay in JS. */
const WASM_MIN_WORK = 1 << 15;

// ---- a tiny assembler ----------------------------------------------------------------------

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: 0x02, loop: 0x03, end: 0x0b, br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21,
  f64Load: 0x2b,
  i32Const: 0x41, i32GeS: 0x4e, i32Add: 0x6a, i32Mul: 0x6c, i32And: 0x71, i32Shl: 0x74,
  simd: 0xfd,
} as const;
const simd = { v128Load: 0x00, v128Store: 0x0b, v128Const: 0x0c, f64x2Splat: 0x14, f64x2Add: 0xf0, f64x2Mul: 0xf2 } as const;

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

// locals: the parameters, then the loop state, then the vectors
const [C, A, B, M, K, N, RS, CS] = [0, 1, 2, 3, 4, 5, 6, 7];
const [I, J, P, PA, PB, RSB, CSB, NB, M4, N4, O] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
const ACC = [19, 20, 21, 22, 23, 24, 25, 26]; // row r, half h: ACC[2r + h] holds columns j+2h, j+2h+1
const [B0, B1, X] = [27, 28, 29];

type Part = number | number[];

function body(): number[] {
  const code: number[] = [];
  /** Appends one line of instructions (opcodes and encoded immediates). */
  const emit = (...parts: Part[]) => {
    for (const part of parts) {
      if (typeof part === 'number') code.push(part);
      else code.push(...part);
    }
  };
  const get = (local: number) => [op.localGet, local];
  const set = (local: number) => [op.localSet, local];
  const i32 = (n: number) => [op.i32Const, ...sleb(n)];
  const v = (instruction: number, ...immediates: number[]) => [op.simd, ...uleb(instruction), ...immediates];
  const memarg = (offset: number) => [3, ...uleb(offset)]; // 8-byte alignment hint, byte offset
  const whileBelow = (counter: number, limit: number, inner: () => void) => {
    emit(op.block, 0x40, op.loop, 0x40);
    emit(get(counter), get(limit), op.i32GeS, op.brIf, 1);
    inner();
    emit(op.br, 0, op.end, op.end);
  };

  emit(get(RS), i32(3), op.i32Shl, set(RSB)); // strides in bytes
  emit(get(CS), i32(3), op.i32Shl, set(CSB));
  emit(get(N), i32(3), op.i32Shl, set(NB));
  emit(get(M), i32(-4), op.i32And, set(M4)); // the tiled rows and columns
  emit(get(N), i32(-4), op.i32And, set(N4));
  whileBelow(I, M4, () => {
    emit(i32(0), set(J));
    whileBelow(J, N4, () => {
      for (const acc of ACC) emit(v(simd.v128Const, ...new Array<number>(16).fill(0)), set(acc)); // every sum starts at 0
      emit(get(A), get(I), get(RSB), op.i32Mul, op.i32Add, set(PA)); // &A[i, 0]
      emit(get(B), get(J), i32(3), op.i32Shl, op.i32Add, set(PB)); // &B[0, j]
      emit(i32(0), set(P));
      whileBelow(P, K, () => {
        emit(get(PB), v(simd.v128Load, ...memarg(0)), set(B0)); // B[p, j..j+1]
        emit(get(PB), v(simd.v128Load, ...memarg(16)), set(B1)); // B[p, j+2..j+3]
        for (let r = 0; r < 4; r++) {
          const address = r === 0 ? get(PA) : [...get(PA), ...get(RSB), ...i32(r), op.i32Mul, op.i32Add];
          emit(address, op.f64Load, memarg(0), v(simd.f64x2Splat), set(X)); // A[i+r, p] in both lanes
          for (let h = 0; h < 2; h++) {
            // sum += A[i+r, p] · B[p, j+2h..j+2h+1]: a multiply, then an add
            emit(get(ACC[2 * r + h]), get(X), get(h === 0 ? B0 : B1), v(simd.f64x2Mul), v(simd.f64x2Add), set(ACC[2 * r + h]));
          }
        }
        emit(get(PA), get(CSB), op.i32Add, set(PA));
        emit(get(PB), get(NB), op.i32Add, set(PB));
        emit(get(P), i32(1), op.i32Add, set(P));
      });
      emit(get(C), get(I), get(N), op.i32Mul, get(J), op.i32Add, i32(3), op.i32Shl, op.i32Add, set(O)); // &C[i, j]
      for (let r = 0; r < 4; r++) {
        emit(get(O), get(ACC[2 * r]), v(simd.v128Store, ...memarg(0)));
        emit(get(O), get(ACC[2 * r + 1]), v(simd.v128Store, ...memarg(16)));
        emit(get(O), get(NB), op.i32Add, set(O));
      }
      emit(get(J), i32(4), op.i32Add, set(J));
    });
    emit(get(I), i32(4), op.i32Add, set(I));
  });
  emit(op.end);
  const locals = [2, ...uleb(11), I32, ...uleb(11), V128];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = Array.from(text, (c) => c.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 8, ...new Array<number>(8).fill(I32), 0]), // (i32 × 8) → ()
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]), // one memory, at least one page
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('tiles'), 0x00, 0]),
    ...section(10, [1, ...body()]),
  ]);
}

// ---- the instance ------------------------------------------------------------------------

interface Tiles {
  memory: WebAssembly.Memory;
  tiles: (c: number, a: number, b: number, m: number, k: number, n: number, rs: number, cs: number) => void;
}

let instance: Tiles | null | undefined;
let enabled = true;

function load(): Tiles | null {
  try {
    const bytes = moduleBytes();
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return null;
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
    return exports as unknown as Tiles;
  } catch {
    return null;
  }
}

/** Whether the WebAssembly tiles are in use (false: not supported here, or turned off). */
export function wasmMatmulActive(): boolean {
  if (instance === undefined) instance = load();
  return enabled && instance !== null;
}

/** Turns the WebAssembly tiles off or on (to compare them with the JS tiles). */
export function setWasmMatmul(on: boolean): void {
  enabled = on;
}

/**
 * Computes the 4×4 tiles of C = A·B in WebAssembly (see matmulStrided for the layout);
 * returns false, doing nothing, when the JS tiles should run instead.
 */
export function wasmTiles(C: Float64Array, A: Float64Array, B: Float64Array, m: number, k: number, n: number, rs: number, cs: number): boolean {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  if (m4 * n4 * k < WASM_MIN_WORK || !wasmMatmulActive()) return false;
  const { memory, tiles } = instance!;
  // A, B and C one after another, each at a multiple of 16 bytes
  const a = 0;
  const b = a + align16(A.length * 8);
  const c = b + align16(B.length * 8);
  const end = c + m4 * n * 8;
  if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  const heap = new Float64Array(memory.buffer);
  heap.set(A, a / 8);
  heap.set(B, b / 8);
  tiles(c, a, b, m, k, n, rs, cs);
  C.set(heap.subarray(c / 8, c / 8 + m4 * n));
  return true;
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}
