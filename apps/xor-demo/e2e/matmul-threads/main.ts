// The page's main thread: may not block in Atomics.wait, so its matmuls run on one thread.
// The checks with threads run in a worker (worker.ts), as the demo trains in one.
import { matmul, matmulThreadsReady, setNumThreads, tensor } from '@gradlab/core';

interface Window {
  matmulResult?: Record<string, unknown>;
}
const page = window as unknown as Window;

setNumThreads(2);
const mainThreads = await matmulThreadsReady(2000);
const n = 300;
const a = tensor(new Float64Array(n * n).fill(1.5), { shape: [n, n] });
const result: Record<string, unknown> = { isolated: crossOriginIsolated, mainThreads, mainValue: matmul(a, a).data[0] };
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (event: MessageEvent<Record<string, unknown>>) => {
  page.matmulResult = { ...result, ...event.data };
  document.getElementById('result')!.textContent = JSON.stringify(page.matmulResult);
};
worker.onerror = (event) => {
  page.matmulResult = { ...result, error: event.message };
};
