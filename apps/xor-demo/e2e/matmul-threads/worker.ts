// In a worker: a large product on 1 thread and on 2 (a nested worker) must give the textbook
// loop's bits, and the nested worker must have computed part of it.
import { matmul, matmulThreadInfo, matmulThreadsReady, setNumThreads, tensor } from '@gradlab/core';

setNumThreads(2);
const ready = await matmulThreadsReady(30_000);
const [m, k, n] = [256, 300, 260];
const A = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i) * (i % 7 === 0 ? 1e-300 : 1));
const B = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i) * (i % 11 === 0 ? 1e300 : 1));
const textbook = new Float64Array(m * n);
for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) textbook[i * n + j] += A[i * k + p] * B[p * n + j];
const a = tensor(A, { shape: [m, k] });
const b = tensor(B, { shape: [k, n] });
const same = (threads: number) => {
  setNumThreads(threads);
  return matmul(a, b).data.every((v, i) => Object.is(v, textbook[i]));
};
const one = same(1);
// the calling thread takes chunks too: repeat until the nested worker has taken some
let two = true;
for (let round = 0; round < 50 && matmulThreadInfo().chunksByWorkers === 0; round++) two &&= same(2);
const result = { ready, one, two, chunksByWorkers: matmulThreadInfo().chunksByWorkers };
(self as unknown as { postMessage: (message: unknown) => void }).postMessage(result);
