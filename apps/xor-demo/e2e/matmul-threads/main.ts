// The page's main thread: may not block in Atomics.wait, so its matmuls run on one thread.
// The checks with threads run in a worker (worker.ts), as the demo trains in one.
import { matmulStrided } from '../../../../packages/core/src/ops/matmulKernel.ts';
import { matmulThreadsReady, setNumThreads } from '../../../../packages/core/src/ops/matmulThreads.ts';

interface Window {
  matmulResult?: Record<string, unknown>;
}
const page = window as unknown as Window;

setNumThreads(2);
const mainThreads = await matmulThreadsReady(2000);
const n = 300;
const C = new Float64Array(n * n);
const A = new Float64Array(n * n).fill(1.5);
matmulStrided(C, A, A, n, n, n, n, 1);
const result: Record<string, unknown> = { isolated: crossOriginIsolated, mainThreads, mainValue: C[0] };
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (event: MessageEvent<Record<string, unknown>>) => {
  page.matmulResult = { ...result, ...event.data };
  document.getElementById('result')!.textContent = JSON.stringify(page.matmulResult);
};
worker.onerror = (event) => {
  page.matmulResult = { ...result, error: event.message };
};
