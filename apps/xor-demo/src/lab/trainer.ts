// The lab's training loop, one step at a time, so a CLI and a web worker can both drive it.
//
//   epoch = 0
//   until done:
//       for each batch (x, y) in the data's order:      # batch 1 = the lab
//           y_pred = model(x); loss(y_pred, y).backward(); optimizer.step()
//           epoch += batch size                          # "epoch" counts samples, as the lab's
//       done = every per-sample loss of the pass < threshold
//
// A step whose loss is not finite, or has exploded (above DIVERGENCE_FACTOR times the first step's
// loss and above DIVERGENCE_FACTOR), or whose gradient is not finite, stops training with
// stopReason 'diverged' before the optimizer moves any weight: the model keeps the last finite
// weights, so they can still be saved. Memory stays bounded however long a run is: the loss
// history is thinned online (every other point dropped when full) and the log keeps its last lines.
//
// By default each step runs compiled: the first step of each batch shape is recorded (forward
// and backward ops) and later steps replay it into fixed buffers, the optimizer's update
// included, bit for bit the eager step (see compile in @gradlab/core). `engine: 'eager'`
// rebuilds the graph every step and calls optimizer.step() instead.
import { compile, noGrad, tensor, type CompiledStep, type Tensor } from '@gradlab/core';
import { generateDataset, type Dataset } from '@gradlab/data';
import { Adam, SGD, mlp, type Module, type StateDict } from '@gradlab/nn';
import { outputUnits, validateConfig, type LabConfig } from './config.ts';
import { lossFunction, rowLoss } from './loss.ts';

/** Why training stopped; 'interrupted' is set by `interrupt()` (the CLI's Ctrl-C). */
export type StopReason = 'converged' | 'max-epochs' | 'diverged' | 'interrupted';

/** A loss this many times the first step's (and above this number) counts as diverged. */
export const DIVERGENCE_FACTOR = 1e6;
/** Points the loss history keeps at most (the latest pass is always one of them). */
export const HISTORY_CAPACITY = 4096;
/** Log lines the trainer keeps (the last ones; every line still goes to `onLog`). */
export const LOG_CAPACITY = 1000;

export interface LossHistory {
  /** The epoch (samples seen) at the end of each pass. */
  epochs: number[];
  /** The mean per-sample loss of each pass. */
  meanLoss: number[];
  /** The largest per-sample loss of each pass (the stop rule looks at this). */
  maxLoss: number[];
}

/** One recorded pass: its number (from 1), epoch at its end, mean and max per-sample loss. */
export interface PassRecord {
  pass: number;
  epoch: number;
  meanLoss: number;
  maxLoss: number;
}

/** Where and how training diverged. */
export interface Divergence {
  /** The epoch the diverging step would have completed. */
  epoch: number;
  /** The step's loss (NaN, ±Infinity or exploded), or the finite loss of a non-finite gradient. */
  loss: number;
  what: 'loss' | 'gradient';
}

/**
 * The learning curve with bounded memory: passes 1, 1+s, 1+2s, … with the stride s doubling
 * (every other kept point dropped) whenever more than `capacity` points are held, plus always the latest
 * pass. So a run of any length keeps at most `capacity` points, evenly spread, first and last in.
 */
export class ThinnedHistory implements LossHistory {
  readonly epochs: number[] = [];
  readonly meanLoss: number[] = [];
  readonly maxLoss: number[] = [];
  private readonly passes: number[] = [];
  private stride = 1;
  /** The last point is the latest pass but off the stride (replaced by the next pass). */
  private provisional = false;

  constructor(readonly capacity = HISTORY_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new Error(`ThinnedHistory: capacity must be an integer ≥ 2, got ${capacity}`);
  }

  push(r: PassRecord): void {
    if (this.provisional) this.pop();
    this.passes.push(r.pass);
    this.epochs.push(r.epoch);
    this.meanLoss.push(r.meanLoss);
    this.maxLoss.push(r.maxLoss);
    this.provisional = (r.pass - 1) % this.stride !== 0;
    if (this.passes.length > this.capacity) {
      this.stride *= 2;
      const last = this.passes.length - 1;
      let k = 0;
      for (let i = 0; i <= last; i++) {
        if ((this.passes[i] - 1) % this.stride !== 0 && i !== last) continue;
        this.passes[k] = this.passes[i];
        this.epochs[k] = this.epochs[i];
        this.meanLoss[k] = this.meanLoss[i];
        this.maxLoss[k] = this.maxLoss[i];
        k++;
      }
      for (const a of [this.passes, this.epochs, this.meanLoss, this.maxLoss]) a.length = k;
      this.provisional = (this.passes[k - 1] - 1) % this.stride !== 0;
    }
  }

  private pop(): void {
    this.passes.pop();
    this.epochs.pop();
    this.meanLoss.pop();
    this.maxLoss.pop();
  }
}

export interface LogLine {
  epoch: number;
  /** The loss of the last step (the lab prints `loss[-1]`). */
  loss: number;
}

/** 'compiled' (the default): recorded steps replayed; 'eager': the graph rebuilt every step. */
export type Engine = 'compiled' | 'eager';
export const ENGINES: readonly Engine[] = ['compiled', 'eager'];

/** The weights of a run at one epoch: what the worked example of backpropagation is computed from. */
export interface WeightSnapshot {
  epoch: number;
  parameters: StateDict;
}

export interface TrainerOptions {
  engine?: Engine;
  /**
   * Epochs at which to keep a copy of the weights (besides epoch 0, always kept): the first step
   * that reaches each one is followed by a snapshot (with batches, the epoch may pass it).
   */
  snapshotEpochs?: readonly number[];
  /** Points the loss history keeps at most (HISTORY_CAPACITY). */
  historyCapacity?: number;
}

type Step = CompiledStep<[Tensor, Tensor], { loss: Tensor; pred: Tensor }>;

export class LabTrainer {
  readonly config: LabConfig;
  readonly data: Dataset;
  readonly model: Module;
  readonly optimizer: SGD | Adam;
  /** Output units: 1 (ŷ for mse/bce), or one per class with the 'ce' loss. */
  readonly outputs: number;
  /** Samples seen so far. */
  epoch = 0;
  passes = 0;
  stopReason: StopReason | null = null;
  /** The learning curve, thinned to at most `historyCapacity` points (see ThinnedHistory). */
  readonly history: ThinnedHistory;
  /** The latest pass recorded in the history (every one goes to `onRecord` too). */
  lastPass: PassRecord | null = null;
  /** Passes recorded so far (a pass cut short by max epochs is recorded only if it is the first). */
  recorded = 0;
  /** Set when stopReason is 'diverged'. */
  divergence: Divergence | null = null;
  /** The last LOG_CAPACITY log lines. */
  readonly log: LogLine[] = [];
  /** How steps run; both engines give the same numbers, bit for bit. */
  readonly engine: Engine;
  /** The weights at epoch 0 and at each epoch of `snapshotEpochs` reached so far, in order. */
  readonly snapshots: WeightSnapshot[] = [];
  /** The snapshot epochs still to come, ascending. */
  private readonly pendingSnapshots: number[];
  private nextSnapshot = Infinity;
  private readonly batches: { x: Tensor; y: Tensor }[];
  private readonly lossFn: (pred: Tensor, target: Tensor) => Tensor;
  /** The compiled step of each batch size (the last batch of a pass may be smaller). */
  private readonly steps = new Map<number, Step>();
  /** The loss of the very first step: the scale an exploding loss is measured against. */
  private firstLoss: number | null = null;
  /** The pass in progress: its next batch, and the sum, max and count of its per-sample losses. */
  private inPass = { next: 0, sum: 0, max: 0, count: 0 };

  constructor(config: LabConfig, options: TrainerOptions = {}) {
    const { engine = 'compiled', historyCapacity = HISTORY_CAPACITY } = options;
    this.history = new ThinnedHistory(historyCapacity);
    if (!ENGINES.includes(engine)) throw new Error(`engine must be one of ${ENGINES.join(', ')}, got '${String(engine)}'`);
    this.engine = engine;
    this.config = validateConfig({ ...config, hidden: [...config.hidden] });
    const c = this.config;
    this.data = generateDataset(c.dataset, { n: c.n, seed: c.dataSeed, noise: c.noise, classes: c.classes });
    this.outputs = outputUnits(c);
    this.model = mlp([2, ...c.hidden, this.outputs], {
      activation: c.activation,
      outputActivation: c.outputActivation,
      bias: c.bias,
      init: c.init,
      seed: c.seed,
    });
    const params = this.model.parameters();
    this.optimizer =
      c.optimizer === 'adam'
        ? new Adam(params, { lr: c.lr })
        : new SGD(params, { lr: c.lr, momentum: c.optimizer === 'momentum' ? c.momentum : 0 });
    this.lossFn = lossFunction(c.loss);
    this.batches = makeBatches(this.data, c.batchSize, c.loss === 'ce');
    this.snapshots.push(this.snapshot());
    this.pendingSnapshots = [...new Set(options.snapshotEpochs ?? [])].filter((e) => e > 0).sort((a, b) => b - a);
    this.nextSnapshot = this.pendingSnapshots.at(-1) ?? Infinity;
  }

  /** A copy of the weights now. */
  snapshot(): WeightSnapshot {
    return { epoch: this.epoch, parameters: this.model.stateDict() };
  }

  /** Keeps the weights for every pending snapshot epoch reached. */
  private takeSnapshots(): void {
    while (this.pendingSnapshots.length > 0 && this.pendingSnapshots[this.pendingSnapshots.length - 1] <= this.epoch) this.pendingSnapshots.pop();
    this.snapshots.push(this.snapshot());
    this.nextSnapshot = this.pendingSnapshots.at(-1) ?? Infinity;
  }

  get done(): boolean {
    return this.stopReason !== null;
  }

  /** Stops training at the next pass boundary check (the CLI's Ctrl-C); the weights stay as they are. */
  interrupt(): void {
    if (!this.done) this.stopReason = 'interrupted';
  }

  /** Stops with 'diverged' (the optimizer has not moved any weight for this step). */
  private diverge(epoch: number, loss: number, what: Divergence['what']): false {
    this.divergence = { epoch, loss, what };
    this.stopReason = 'diverged';
    return false;
  }

  /** Whether a step's loss is out of bounds: not finite, or exploded. */
  private exploded(loss: number): boolean {
    if (!Number.isFinite(loss)) return true;
    this.firstLoss ??= loss;
    return loss > DIVERGENCE_FACTOR * Math.max(1, Math.abs(this.firstLoss));
  }

  /**
   * One pass over the data; returns false once training has stopped. `onRecord` receives each
   * pass the history records (all of them, before thinning: the CLI streams them to loss.csv).
   * `pauseNow`, asked every 16 steps, may cut the pass short: runPass then returns true with the
   * pass unfinished, and the next call goes on where it stopped (so a caller can yield to the
   * event loop, e.g. to hear Ctrl-C, however long a pass is). Nothing else differs: the same
   * steps in the same order, bit for bit.
   */
  runPass(onLog?: (line: LogLine) => void, onRecord?: (pass: PassRecord) => void, pauseNow?: () => boolean): boolean {
    if (this.done) return false;
    const { logEvery, maxEpochs, lossThreshold } = this.config;
    const at = this.inPass;
    while (at.next < this.batches.length) {
      const { x, y } = this.batches[at.next];
      let stepped: { loss: Tensor; pred: Tensor };
      try {
        stepped = this.engine === 'compiled' ? this.stepFor(x).run(x, y) : this.eagerStep(x, y);
      } catch (error) {
        // the optimizer (eager, or inside the compiled program) refuses a NaN/±Infinity gradient
        // before moving any weight
        if (this.model.parameters().some((p) => p.grad !== null && p.grad.data.some((g) => !Number.isFinite(g)))) {
          return this.diverge(this.epoch + x.shape[0], Number.NaN, 'gradient');
        }
        throw error;
      }
      const { loss, pred } = stepped;
      // a loss out of bounds: the step's update (with finite gradients) is already made
      const value = loss.item();
      if (this.exploded(value)) return this.diverge(this.epoch + x.shape[0], value, 'loss');
      at.next++;
      const k = this.outputs;
      for (let i = 0; i < y.size; i++) {
        const l = rowLoss(this.config.loss, pred.data, i * k, k, y.data[i]);
        at.sum += l;
        if (l > at.max || Number.isNaN(l)) at.max = l;
        at.count++;
      }
      const before = this.epoch;
      this.epoch += x.shape[0];
      if (this.epoch >= this.nextSnapshot) this.takeSnapshots();
      if (Math.floor(this.epoch / logEvery) > Math.floor(before / logEvery)) {
        const line = { epoch: this.epoch, loss: value };
        this.log.push(line);
        if (this.log.length >= 2 * LOG_CAPACITY) this.log.splice(0, this.log.length - LOG_CAPACITY);
        onLog?.(line);
      }
      if (this.epoch >= maxEpochs) break;
      if (pauseNow && (at.next & 15) === 0 && at.next < this.batches.length && pauseNow()) return !this.done;
    }
    const { sum, max, count } = at;
    this.inPass = { next: 0, sum: 0, max: 0, count: 0 };
    this.passes++;
    const fullPass = count === this.data.labels.size;
    // a pass cut short by max epochs averages over part of the data: keep it out of the curve
    if (fullPass || this.recorded === 0) {
      this.recorded++;
      const record = { pass: this.recorded, epoch: this.epoch, meanLoss: sum / count, maxLoss: max };
      this.history.push(record);
      this.lastPass = record;
      onRecord?.(record);
    }
    if (this.done) return false; // interrupted during onLog/onRecord
    if (fullPass && max < lossThreshold) this.stopReason = 'converged';
    else if (this.epoch >= maxEpochs) this.stopReason = 'max-epochs';
    return !this.done;
  }

  /** Forward, backward and update through a graph built for this step. */
  private eagerStep(x: Tensor, y: Tensor): { loss: Tensor; pred: Tensor } {
    this.optimizer.zeroGrad();
    const pred = this.model.forward(x);
    const loss = this.lossFn(pred, y);
    loss.backward();
    this.optimizer.step();
    return { loss, pred };
  }

  /** The same step, compiled once per batch size, the optimizer's update inside the program. */
  private stepFor(x: Tensor): Step {
    const rows = x.shape[0];
    let step = this.steps.get(rows);
    if (!step) {
      step = compile(
        (xb: Tensor, yb: Tensor) => {
          const pred = this.model.forward(xb);
          return { loss: this.lossFn(pred, yb), pred };
        },
        { optimizer: this.optimizer },
      );
      this.steps.set(rows, step);
    }
    return step;
  }

  /** Trains until the stop rule, max epochs or divergence. */
  run(onLog?: (line: LogLine) => void, onPass?: (t: LabTrainer) => void): StopReason {
    while (this.runPass(onLog)) onPass?.(this);
    onPass?.(this);
    return this.stopReason!;
  }

  /** The model's raw outputs for every sample, in order (`outputs` numbers per sample). */
  predict(): number[] {
    return noGrad(() => Array.from(this.model.forward(this.data.inputs).data));
  }
}

/**
 * The data cut into batches in order (the last one may be smaller), made once. Labels are [b, 1]
 * targets for mse/bce, [b] class indices for cross-entropy (`classIndices`).
 */
function makeBatches(data: Dataset, batchSize: number, classIndices: boolean): { x: Tensor; y: Tensor }[] {
  const n = data.inputs.shape[0];
  const batches: { x: Tensor; y: Tensor }[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    batches.push({
      x: tensor(data.inputs.data.slice(start * 2, end * 2), { shape: [end - start, 2] }),
      y: tensor(data.labels.data.slice(start, end), { shape: classIndices ? [end - start] : [end - start, 1] }),
    });
  }
  return batches;
}

/**
 * Predicted classes and accuracy against the labels: thresholded (≥ 0.5 is class 1) with one
 * output per sample; with `outputs` = k > 1 per sample, the index of each row's largest output
 * (the first on a tie).
 */
export function evaluate(predictions: readonly number[], labels: ArrayLike<number>, outputs = 1) {
  const classes = outputs === 1 ? predictions.map((p) => (p >= 0.5 ? 1 : 0)) : argmaxRows(predictions, outputs);
  let correct = 0;
  classes.forEach((c, i) => {
    if (c === labels[i]) correct++;
  });
  return { classes, correct, total: classes.length, accuracy: correct / classes.length };
}

/** The index of the largest of each row of k (the first on a tie). */
export function argmaxRows(values: ArrayLike<number>, k: number): number[] {
  const rows = Math.floor(values.length / k);
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (values[r * k + c] > values[r * k + best]) best = c;
    out[r] = best;
  }
  return out;
}
