// In a worker: 1 thread, 2 threads (a nested worker), and the nested worker alone must give the
// textbook loop's bits.
import { matmulStrided } from '../../../../packages/core/src/ops/matmulKernel.ts';
import { matmulThreadsReady, setCallerWorks, setNumThreads, threadStats } from '../../../../packages/core/src/ops/matmulThreads.ts';

setNumThreads(2);
const ready = await matmulThreadsReady(30_000);
const [m, k, n] = [256, 300, 260];
const A = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i) * (i % 7 === 0 ? 1e-300 : 1));
const B = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i) * (i % 11 === 0 ? 1e300 : 1));
const textbook = new Float64Array(m * n);
for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) textbook[i * n + j] += A[i * k + p] * B[p * n + j];
const same = (threads: number, callerWorks: boolean) => {
  setNumThreads(threads);
  setCallerWorks(callerWorks);
  const C = new Float64Array(m * n);
  matmulStrided(C, A, B, m, k, n, k, 1);
  setCallerWorks(true);
  return C.every((v, i) => Object.is(v, textbook[i]));
};
const result = { ready, one: same(1, true), two: same(2, true), workerAlone: same(2, false), byWorkers: threadStats().byWorkers };
(self as unknown as { postMessage: (message: unknown) => void }).postMessage(result);
