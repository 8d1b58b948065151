// Large matmuls on several threads: worker_threads in Node, Web Workers in a browser, all
// running the same WebAssembly loop (matmulWasm.ts) on one shared memory, where the operands
// are packed once. C is cut into chunks of whole tiles (rows × columns of C, never the sum over
// k), and every thread takes chunks until none is left, so each Cᵢⱼ is still summed by one
// thread in order of k: the result is the same bit for bit whatever the number of threads.
//
// The call stays synchronous: the calling thread takes chunks too, then waits (Atomics.wait)
// until the last chunk is done. Where it may not wait (a browser's main thread) or where there
// is no shared memory (a page without cross-origin isolation), one thread runs. The workers
// start on the first large product, without keeping a Node process alive; until they are up,
// the calling thread does everything.
import { GradlabError } from '../errors.ts';
import { sharedMatmulModule, type MatmulExports, type Parallel } from './matmulWasm.ts';

/** Products with fewer multiply-adds than this (about 0.1 ms on one core) run on one thread: waking the others costs tens of µs, more under load. */
const THREAD_MIN_WORK = 1 << 20;
/** Chunks per thread in a job: a few, so a thread slowed by other work costs little. */
const CHUNKS_PER_THREAD = 4;

// The control words (Int32 in a SharedArrayBuffer). A job is a run of tickets START..END−1 on a
// counter that only grows (wrapping at 2³¹): NEXT is the next ticket to take, COMPLETED counts
// the tickets done. A thread takes ticket t by moving NEXT from t to t + 1 while t < END, and
// only then reads the job's parameters: the job cannot change before t is done.
const SIGNAL = 0; // bumped (and notified) for each job
const NEXT = 1;
const END = 2;
const COMPLETED = 3;
const READY = 4; // workers up
const BY_WORKERS = 5; // tickets the workers did (for tests)
const START = 8;
const PARAMS = 9; // a, b, c, k, ldc, mPanels, nPanels, rows per chunk, columns per chunk, chunks per row, float32 (1) or not (0)
const WORDS = 20;

/** The worker's code: JS as written, for worker_threads (eval) and for a Web Worker (a Blob). */
const WORKER_SOURCE = `'use strict';
const work = (ctl, run, run32) => {
  for (;;) {
    const t = Atomics.load(ctl, ${NEXT});
    if (((t - Atomics.load(ctl, ${END})) | 0) >= 0) return;
    if (Atomics.compareExchange(ctl, ${NEXT}, t, (t + 1) | 0) !== t) continue;
    const p = [];
    for (let i = 0; i < 11; i++) p.push(Atomics.load(ctl, ${PARAMS} + i));
    const chunk = (t - Atomics.load(ctl, ${START})) | 0;
    const i0 = Math.floor(chunk / p[9]) * p[7];
    const j0 = (chunk % p[9]) * p[8];
    (p[10] ? run32 : run)(p[0], p[1], p[2], p[3], p[4], i0, Math.min(i0 + p[7], p[5]), j0, Math.min(j0 + p[8], p[6]));
    Atomics.add(ctl, ${BY_WORKERS}, 1);
    Atomics.add(ctl, ${COMPLETED}, 1);
    Atomics.notify(ctl, ${COMPLETED});
  }
};
const start = ({ module, memory, control }) => {
  const { run, run32 } = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(control);
  Atomics.add(ctl, ${READY}, 1);
  const loop = () => {
    for (;;) {
      const seen = Atomics.load(ctl, ${SIGNAL});
      work(ctl, run, run32);
      // idle for a second: back to the event loop for a moment, so the thread can be stopped
      if (Atomics.wait(ctl, ${SIGNAL}, seen, 1000) === 'timed-out') return void setTimeout(loop, 0);
    }
  };
  loop();
};
const node = typeof process === 'object' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:worker_threads') : null;
if (node) node.parentPort.once('message', start);
else self.onmessage = (event) => start(event.data);
`;

/** What starting a worker needs from its host: Node's worker_threads or the browser's Worker. */
type Spawn = (message: { module: object; memory: object; control: SharedArrayBuffer }) => void;

interface NodeWorker {
  postMessage(message: unknown): void;
  unref(): void;
  on(event: 'error', listener: (error: unknown) => void): void;
}
type NodeProcess = { getBuiltinModule?: (id: string) => unknown };

/** How to start a worker here, or null where threads cannot help (cannot wait, or no workers). */
function spawner(): Spawn | null {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined' || !canWait()) return null;
  const node = (globalThis as { process?: NodeProcess }).process?.getBuiltinModule?.('node:worker_threads') as
    | { Worker: new (source: string, options: { eval: true; execArgv: string[] }) => NodeWorker }
    | undefined;
  if (node !== undefined) {
    return (message) => {
      // plain JS: none of the parent's flags (a loader such as tsx, --input-type) is needed
      const worker = new node.Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      worker.unref();
      worker.on('error', () => {}); // a worker that fails never takes a ticket: the others do its share
      worker.postMessage(message);
    };
  }
  if (typeof Worker !== 'undefined' && typeof Blob !== 'undefined' && typeof URL !== 'undefined' && typeof URL.createObjectURL === 'function') {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    return (message) => new Worker(url).postMessage(message);
  }
  return null;
}

/** Whether this thread may block in Atomics.wait (not on a browser's main thread). */
function canWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** The machine's cores (logical processors). */
function cores(): number {
  const os = (globalThis as { process?: NodeProcess }).process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  if (os?.availableParallelism !== undefined) return os.availableParallelism();
  return typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
}

interface Pool {
  ctl: Int32Array<SharedArrayBuffer>;
  /** Workers started so far. */
  workers: number;
  spawn: () => void;
}

let threads: number | undefined;
let pool: Pool | null | undefined;
/** Tests only: false makes the calling thread leave every chunk to the workers. */
let callerWorks = true;

/** The number of threads large matmuls use (the calling thread included); by default, one per core. */
export function getNumThreads(): number {
  threads ??= Math.max(1, Math.min(cores(), 16));
  return threads;
}

/**
 * Sets the number of threads large matmuls use (1: the calling thread alone). Results do not
 * depend on it. Workers already started stay; more start when needed.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new GradlabError(`setNumThreads: n must be a whole number ≥ 1, got ${String(n)}`);
  threads = n;
}

/** The pool, with workers started up to getNumThreads() − 1; null where threads cannot run. */
function poolFor(count: number): Pool | null {
  if (pool === undefined) {
    const spawn = spawner();
    const shared = sharedMatmulModule();
    if (spawn === null || shared === null) pool = null;
    else {
      const ctl = new Int32Array(new SharedArrayBuffer(WORDS * 4));
      pool = { ctl, workers: 0, spawn: () => spawn({ ...shared, control: ctl.buffer }) };
    }
  }
  if (pool !== null) for (; pool.workers < count - 1; pool.workers++) pool.spawn();
  return pool;
}

/**
 * Starts the workers for getNumThreads() threads if they are not yet, and resolves true when
 * they are up (to time or test them); false where threads cannot run here (a page's main
 * thread, no cross-origin isolation) or after `timeoutMs`.
 */
export async function matmulThreadsReady(timeoutMs = 20_000): Promise<boolean> {
  const p = poolFor(getNumThreads());
  if (p === null) return false;
  const until = Date.now() + timeoutMs;
  while (Atomics.load(p.ctl, READY) < getNumThreads() - 1) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** What the matmul threads are doing (as PyTorch's parallel_info tells). */
export interface MatmulThreadInfo {
  /** getNumThreads(): the threads large matmuls may use, the calling thread included. */
  threads: number;
  /** Worker threads started so far (they start on the first large product). */
  started: number;
  /** Worker threads up and waiting for work. */
  ready: number;
  /** Chunks of products the workers have computed so far (the calling thread's not counted). */
  chunksByWorkers: number;
}

/** The matmul threads' state: how many, started, up, and the chunks the workers did. */
export function matmulThreadInfo(): MatmulThreadInfo {
  const threads = getNumThreads();
  if (!pool) return { threads, started: 0, ready: 0, chunksByWorkers: 0 };
  return { threads, started: pool.workers, ready: Atomics.load(pool.ctl, READY), chunksByWorkers: Atomics.load(pool.ctl, BY_WORKERS) };
}
/** Tests only: whether the calling thread takes chunks too (false: the workers do them all). */
export function setCallerWorks(on: boolean): void {
  callerWorks = on;
}

/** Takes tickets until none is left (the worker's `work` above, for the calling thread). */
function work(ctl: Int32Array, run: MatmulExports['run']): void {
  for (;;) {
    const t = Atomics.load(ctl, NEXT);
    if (((t - Atomics.load(ctl, END)) | 0) >= 0) return;
    if (Atomics.compareExchange(ctl, NEXT, t, (t + 1) | 0) !== t) continue;
    // this thread's own parameters, written before END: plain reads see them
    const chunk = (t - ctl[START]) | 0;
    const rows = ctl[PARAMS + 7];
    const cols = ctl[PARAMS + 8];
    const perRow = ctl[PARAMS + 9];
    const i0 = Math.floor(chunk / perRow) * rows;
    const j0 = (chunk % perRow) * cols;
    const p = PARAMS;
    run(ctl[p], ctl[p + 1], ctl[p + 2], ctl[p + 3], ctl[p + 4], i0, Math.min(i0 + rows, ctl[p + 5]), j0, Math.min(j0 + cols, ctl[p + 6]));
    Atomics.add(ctl, COMPLETED, 1);
  }
}

/** The Parallel of matmulWasm.ts: takes a large job when workers are up, else leaves it to one thread. */
export const parallel: Parallel = (exports, a, b, c, k, ldc, mPanels, nPanels, float32 = false) => {
  const count = getNumThreads();
  if (count < 2 || mPanels * nPanels * k < THREAD_MIN_WORK / 16) return false;
  const p = poolFor(count);
  if (p === null) return false;
  const ready = Math.min(Atomics.load(p.ctl, READY), count - 1);
  if (ready < 1) return false;
  const { ctl } = p;
  // chunks: columns of C first (each thread then sweeps all of A against its B panels), then rows
  const want = CHUNKS_PER_THREAD * (ready + 1);
  const colChunks = Math.min(nPanels, want);
  const cols = Math.ceil(nPanels / colChunks);
  const perRow = Math.ceil(nPanels / cols);
  const rowChunks = Math.min(mPanels, Math.ceil(want / perRow));
  const rows = Math.ceil(mPanels / rowChunks);
  const total = Math.ceil(mPanels / rows) * perRow;
  const start = Atomics.load(ctl, END);
  const end = (start + total) | 0;
  Atomics.store(ctl, START, start);
  ctl[PARAMS] = a;
  ctl[PARAMS + 1] = b;
  ctl[PARAMS + 2] = c;
  ctl[PARAMS + 3] = k;
  ctl[PARAMS + 4] = ldc;
  ctl[PARAMS + 5] = mPanels;
  ctl[PARAMS + 6] = nPanels;
  ctl[PARAMS + 7] = rows;
  ctl[PARAMS + 8] = cols;
  ctl[PARAMS + 9] = perRow;
  ctl[PARAMS + 10] = float32 ? 1 : 0;
  Atomics.store(ctl, END, end); // publishes the parameters above with it
  Atomics.add(ctl, SIGNAL, 1);
  Atomics.notify(ctl, SIGNAL, count - 1);
  if (callerWorks) work(ctl, float32 ? exports.run32 : exports.run);
  for (;;) {
    const done = Atomics.load(ctl, COMPLETED);
    if (done === end) return true;
    Atomics.wait(ctl, COMPLETED, done);
  }
};
