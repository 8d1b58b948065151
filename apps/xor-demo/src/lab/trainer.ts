// The lab's training loop, one step at a time, so a CLI and a web worker can both drive it.
//
//   epoch = 0
//   until done:
//       for each batch (x, y) in the data's order:      # batch 1 = the lab
//           y_pred = model(x); loss(y_pred, y).backward(); optimizer.step()
//           epoch += batch size                          # "epoch" counts samples, as the lab's
//       done = every per-sample loss of the pass < threshold
//
// By default each step runs compiled: the first step of each batch shape is recorded (forward
// and backward ops) and later steps replay it into fixed buffers, the optimizer's update
// included, bit for bit the eager step (see compile in @gradlab/core). `engine: 'eager'`
// rebuilds the graph every step and calls optimizer.step() instead.
import { compile, noGrad, tensor, type CompiledStep, type Tensor } from '@gradlab/core';
import { generateDataset, type Dataset } from '@gradlab/data';
import { Adam, SGD, bceLoss, mlp, mseLoss, type Module } from '@gradlab/nn';
import { validateConfig, type LabConfig } from './config.ts';

export type StopReason = 'converged' | 'max-epochs';

export interface LossHistory {
  /** The epoch (samples seen) at the end of each pass. */
  epochs: number[];
  /** The mean per-sample loss of each pass. */
  meanLoss: number[];
  /** The largest per-sample loss of each pass (the stop rule looks at this). */
  maxLoss: number[];
}

export interface LogLine {
  epoch: number;
  /** The loss of the last step (the lab prints `loss[-1]`). */
  loss: number;
}

/** 'compiled' (the default): recorded steps replayed; 'eager': the graph rebuilt every step. */
export type Engine = 'compiled' | 'eager';
export const ENGINES: readonly Engine[] = ['compiled', 'eager'];

export interface TrainerOptions {
  engine?: Engine;
}

type Step = CompiledStep<[Tensor, Tensor], { loss: Tensor; pred: Tensor }>;

export class LabTrainer {
  readonly config: LabConfig;
  readonly data: Dataset;
  readonly model: Module;
  readonly optimizer: SGD | Adam;
  /** Samples seen so far. */
  epoch = 0;
  passes = 0;
  stopReason: StopReason | null = null;
  readonly history: LossHistory = { epochs: [], meanLoss: [], maxLoss: [] };
  readonly log: LogLine[] = [];
  /** How steps run; both engines give the same numbers, bit for bit. */
  readonly engine: Engine;
  private readonly batches: { x: Tensor; y: Tensor }[];
  private readonly lossFn: (pred: Tensor, target: Tensor) => Tensor;
  /** The compiled step of each batch size (the last batch of a pass may be smaller). */
  private readonly steps = new Map<number, Step>();

  constructor(config: LabConfig, options: TrainerOptions = {}) {
    const { engine = 'compiled' } = options;
    if (!ENGINES.includes(engine)) throw new Error(`engine must be one of ${ENGINES.join(', ')}, got '${String(engine)}'`);
    this.engine = engine;
    this.config = validateConfig({ ...config, hidden: [...config.hidden] });
    const c = this.config;
    this.data = generateDataset(c.dataset, { n: c.n, seed: c.dataSeed, noise: c.noise });
    this.model = mlp([2, ...c.hidden, 1], {
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
    this.lossFn = c.loss === 'bce' ? bceLoss : mseLoss;
    this.batches = makeBatches(this.data, c.batchSize);
  }

  get done(): boolean {
    return this.stopReason !== null;
  }

  /** Per-sample loss of one prediction (for the stop rule and the printout; not a gradient). */
  private sampleLoss(p: number, y: number): number {
    if (this.config.loss === 'mse') return (p - y) * (p - y);
    const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
    return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
  }

  /** One pass over the data; returns false once training has stopped. */
  runPass(onLog?: (line: LogLine) => void): boolean {
    if (this.done) return false;
    const { logEvery, maxEpochs, lossThreshold } = this.config;
    let sum = 0;
    let max = 0;
    let count = 0;
    for (const { x, y } of this.batches) {
      const { loss, pred } = this.engine === 'compiled' ? this.stepFor(x).run(x, y) : this.eagerStep(x, y);
      for (let i = 0; i < pred.size; i++) {
        const l = this.sampleLoss(pred.data[i], y.data[i]);
        sum += l;
        if (l > max || Number.isNaN(l)) max = l;
        count++;
      }
      const before = this.epoch;
      this.epoch += x.shape[0];
      if (Math.floor(this.epoch / logEvery) > Math.floor(before / logEvery)) {
        const line = { epoch: this.epoch, loss: loss.item() };
        this.log.push(line);
        onLog?.(line);
      }
      if (!Number.isFinite(loss.item())) {
        throw new Error(`training diverged: the loss is ${loss.item()} at epoch ${this.epoch} (try a smaller --lr)`);
      }
      if (this.epoch >= maxEpochs) break;
    }
    this.passes++;
    const fullPass = count === this.data.labels.size;
    // a pass cut short by max epochs averages over part of the data: keep it out of the curve
    if (fullPass || this.history.epochs.length === 0) {
      this.history.epochs.push(this.epoch);
      this.history.meanLoss.push(sum / count);
      this.history.maxLoss.push(max);
    }
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

  /** Trains until the stop rule or max epochs. */
  run(onLog?: (line: LogLine) => void, onPass?: (t: LabTrainer) => void): StopReason {
    while (this.runPass(onLog)) onPass?.(this);
    onPass?.(this);
    return this.stopReason!;
  }

  /** The model's raw outputs for every sample, in order. */
  predict(): number[] {
    return noGrad(() => Array.from(this.model.forward(this.data.inputs).data));
  }
}

/** The data cut into batches in order (the last one may be smaller), made once. */
function makeBatches(data: Dataset, batchSize: number): { x: Tensor; y: Tensor }[] {
  const n = data.inputs.shape[0];
  const batches: { x: Tensor; y: Tensor }[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    batches.push({
      x: tensor(data.inputs.data.slice(start * 2, end * 2), { shape: [end - start, 2] }),
      y: tensor(data.labels.data.slice(start, end), { shape: [end - start, 1] }),
    });
  }
  return batches;
}

/** Thresholded predictions (≥ 0.5 is class 1) and accuracy against the labels. */
export function evaluate(predictions: readonly number[], labels: ArrayLike<number>) {
  const classes = predictions.map((p) => (p >= 0.5 ? 1 : 0));
  let correct = 0;
  classes.forEach((c, i) => {
    if (c === labels[i]) correct++;
  });
  return { classes, correct, total: classes.length, accuracy: correct / classes.length };
}
