// The matmul loop: C = A·B, C [m,n] row-major, with A [m,k] read as A[i·rowStride + p·colStride]
// and B [k,n] as B[p·bRowStride + j·bColStride] (so a transposed operand needs no copy:
// A transposed is rowStride 1, colStride m; B transposed is bRowStride 1, bColStride k).
//
// Every Cᵢⱼ is summed as ((0 + Aᵢ₀B₀ⱼ) + Aᵢ₁B₁ⱼ) + … in order of k, exactly as the textbook
// loop does, so the result does not depend on the blocking below (bit for bit). The blocking
// computes a 4×4 tile of C at a time, its 16 sums kept in registers while k runs: each value
// of A and B read is used four times, which makes the loop about 3× faster than i-k-j.
// Where WebAssembly SIMD is available, products of 4,096 multiply-adds and more run there
// instead (matmulWasm.ts: packed panels, two columns per instruction, cache blocking; and
// large ones on several threads, matmulThreads.ts), with the same sums in the same order.
//
// A float32 C (a float32 result) is summed in float32, as PyTorch does and as the f32x4 loop
// does: Cᵢⱼ = fl(…fl(fl(0 + fl(Aᵢ₀B₀ⱼ)) + fl(Aᵢ₁B₁ⱼ)) + …), every product and every sum
// rounded to float32, in order of k (matmulFloat32 below, where WebAssembly does not run).
import type { FloatArray } from '../tensor.ts';
import { wasmMatmul } from './matmulWasm.ts';
import { parallel } from './matmulThreads.ts';

/** Which operand is read transposed, as BLAS's gemm says it with N and T. */
export type MatmulForm = 'A·B' | 'A·Bᵀ' | 'Aᵀ·B';

/** C = A·B where A[i,p] = A[i·rowStride + p·colStride] and B[p,j] = B[p·bRowStride + j·bColStride]. */
export function matmulStrided(
  C: FloatArray,
  A: FloatArray,
  B: FloatArray,
  m: number,
  k: number,
  n: number,
  rowStride: number,
  colStride: number,
  bRowStride = n,
  bColStride = 1,
): void {
  if (C instanceof Float32Array) {
    if (!wasmMatmul(C, A, B, m, k, n, rowStride, colStride, bRowStride, bColStride, parallel)) matmulFloat32(C, A, B, m, k, n, rowStride, colStride, bRowStride, bColStride);
    return;
  }
  if (m * n * k <= 64) {
    // tiny (the lab's 1×3 rows): one plain dot product per value, the same sums in the same order
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let c = 0;
        for (let p = 0; p < k; p++) c += A[i * rowStride + p * colStride] * B[p * bRowStride + j * bColStride];
        C[i * n + j] = c;
      }
    }
    return;
  }
  if (wasmMatmul(C, A, B, m, k, n, rowStride, colStride, bRowStride, bColStride, parallel)) return;
  // the tiles read rows of B: a B stored otherwise is copied row-major first (only values move)
  const rows = bColStride === 1 && bRowStride === n ? B : rowMajor(B, k, n, bRowStride, bColStride);
  tiles(C, A, rows, m, k, n, rowStride, colStride);
  edges(C, A, rows, m, k, n, rowStride, colStride);
}

/**
 * The float32 loop: row i of C gets Aᵢₚ·Bₚⱼ for p in order, the product rounded (fround) and the
 * sum rounded by the store into C (a float32 sum of two float32 values computed in float64 and
 * rounded once is the float32 sum: 53 ≥ 2·24 + 2 bits).
 */
function matmulFloat32(C: Float32Array, A: FloatArray, B: FloatArray, m: number, k: number, n: number, rs: number, cs: number, brs: number, bcs: number): void {
  const fround = Math.fround;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) C[o + j] = 0;
    for (let p = 0; p < k; p++) {
      const a = A[i * rs + p * cs];
      const b = p * brs;
      for (let j = 0; j < n; j++) C[o + j] += fround(a * B[b + j * bcs]);
    }
  }
}

/** B [k,n] read at B[p·rowStride + j·colStride], as a row-major copy. */
function rowMajor(B: FloatArray, k: number, n: number, rowStride: number, colStride: number): Float64Array {
  const out = new Float64Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[p * n + j] = B[p * rowStride + j * colStride];
  return out;
}

/** The 4×4 tiles: rows below m − m % 4, columns below n − n % 4. */
function tiles(C: FloatArray, A: FloatArray, B: FloatArray, m: number, k: number, n: number, rs: number, colStride: number): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a = i * rs;
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0, pa = a, pb = j; p < k; p++, pa += colStride, pb += n) {
        const b0 = B[pb], b1 = B[pb + 1], b2 = B[pb + 2], b3 = B[pb + 3];
        const x0 = A[pa], x1 = A[pa + rs], x2 = A[pa + 2 * rs], x3 = A[pa + 3 * rs];
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
      }
      let o = i * n + j;
      C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03; o += n;
      C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13; o += n;
      C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23; o += n;
      C[o] = c30; C[o + 1] = c31; C[o + 2] = c32; C[o + 3] = c33;
    }
  }
}

/** What the tiles leave: the last n % 4 columns of the tiled rows, and the last m % 4 rows. */
function edges(C: FloatArray, A: FloatArray, B: FloatArray, m: number, k: number, n: number, rs: number, colStride: number): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a = i * rs;
    // the last n % 4 columns, four rows at a time
    for (let j = n4; j < n; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0, pa = a, pb = j; p < k; p++, pa += colStride, pb += n) {
        const b = B[pb];
        c0 += A[pa] * b; c1 += A[pa + rs] * b; c2 += A[pa + 2 * rs] * b; c3 += A[pa + 3 * rs] * b;
      }
      C[i * n + j] = c0; C[(i + 1) * n + j] = c1; C[(i + 2) * n + j] = c2; C[(i + 3) * n + j] = c3;
    }
  }
  // the last m % 4 rows, four columns at a time, then one by one
  for (let i = m4; i < m; i++) {
    const a = i * rs;
    for (let j = 0; j < n4; j += 4) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0, pa = a, pb = j; p < k; p++, pa += colStride, pb += n) {
        const x = A[pa];
        c0 += x * B[pb]; c1 += x * B[pb + 1]; c2 += x * B[pb + 2]; c3 += x * B[pb + 3];
      }
      const o = i * n + j;
      C[o] = c0; C[o + 1] = c1; C[o + 2] = c2; C[o + 3] = c3;
    }
    for (let j = n4; j < n; j++) {
      let c = 0;
      for (let p = 0, pa = a, pb = j; p < k; p++, pa += colStride, pb += n) c += A[pa] * B[pb];
      C[i * n + j] = c;
    }
  }
}
