// The training worker: runs LabTrainer in time slices so the page stays responsive, and posts
// progress after each slice. Between slices it yields, so 'pause' and the others get through.
// A slice is cut by the clock, also in the middle of a pass (every 16 steps), so however large the
// network the page allows, Pause is heard within a slice (~30 ms plus the progress message).
import type { LabConfig } from '../lab/config.ts';
import { isToWorker, type FromWorker, type Speed, type ToWorker } from './protocol.ts';
import { passesDue, TrainingSession } from './session.ts';

/** How long one slice trains before reporting (ms). */
const SLICE_MS = 30;
/** The decision-boundary grid is recomputed at most this often while playing (ms). */
const GRID_EVERY_MS = 150;

interface WorkerScope {
  postMessage(message: FromWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}
const scope = self as unknown as WorkerScope;

let session: TrainingSession | null = null;
let running = false;
let speed: Speed = 1000;
/** Throttled play: when it started and how many passes it has run since. */
let playStart = 0;
let playPasses = 0;
let lastGrid = -Infinity;
let timer: ReturnType<typeof setTimeout> | undefined;

const now = () => performance.now();

function post(message: FromWorker): void {
  scope.postMessage(message);
}

function report(forceGrid: boolean): void {
  if (!session) return;
  const withGrid = forceGrid || now() - lastGrid >= GRID_EVERY_MS;
  if (withGrid) lastGrid = now();
  post({ type: 'progress', progress: session.progress(running, withGrid) });
}

function fail(error: unknown): void {
  stop();
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  report(true);
}

function stop(): void {
  running = false;
  clearTimeout(timer);
  timer = undefined;
}

function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(tick, speed === null ? 0 : SLICE_MS);
}

function tick(): void {
  timer = undefined;
  if (!session || !running) return;
  let passes: number;
  const epochBefore = session.trainer.epoch;
  try {
    // at most SLICE_MS, cut inside a pass if need be (the clock is read every 16 steps)
    passes = session.runFor(SLICE_MS, now, passesDue(speed, now() - playStart, playPasses));
    playPasses += passes;
  } catch (error) {
    fail(error);
    return;
  }
  if (session.done) running = false;
  if (passes > 0 || session.trainer.epoch !== epochBefore || !running) report(!running);
  if (running) schedule();
}

function configure(config: LabConfig): void {
  stop();
  try {
    session = new TrainingSession(config);
  } catch (error) {
    session = null;
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  lastGrid = now();
  post({ type: 'ready', run: session.run, progress: session.progress(false, true) });
}

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case 'configure':
      configure(msg.config);
      break;
    case 'reset':
      if (session) configure(session.run.config);
      break;
    case 'play':
      if (!session || session.done || running) break;
      running = true;
      playStart = now();
      playPasses = 0;
      report(false);
      schedule();
      break;
    case 'pause':
      stop();
      report(true);
      break;
    case 'step':
      stop();
      if (!session || session.done) break;
      try {
        session.stepPass();
      } catch (error) {
        fail(error);
        break;
      }
      report(true);
      break;
    case 'speed':
      speed = msg.speed;
      playStart = now();
      playPasses = 0;
      if (running) schedule();
      break;
    case 'weights':
      if (session) post({ type: 'weights', requestId: msg.requestId, ...session.weights(msg.epoch ?? null) });
      break;
  }
}

scope.addEventListener('message', (event) => {
  if (isToWorker(event.data)) handle(event.data);
});
