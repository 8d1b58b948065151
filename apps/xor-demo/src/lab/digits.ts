// The digits lab: a small CNN (or an MLP, to compare) trained on the UCI handwritten digits (8×8
// images, 10 classes) with Adam (its lr annealed by a cosine over the epochs, stepped after each
// epoch) and softmax cross-entropy, in minibatches from a seeded shuffling
// DataLoader, one compiled step per batch shape (the lab trainer's path; `engine: 'eager'` rebuilds
// the graph every step, with the same numbers bit for bit).
//
//   for each epoch:
//       for each batch (x, y) of the epoch's seeded order:
//           logits = model(x); loss = crossEntropy(logits, y); backward; Adam step
//       train loss / accuracy: over the epoch's batches, as they were trained on
//       test loss / accuracy: the whole test split, after the epoch
//
// Training state is whole in a checkpoint: the weights, Adam's moments and step counts, the
// schedule's position, the epoch,
// the batch reached inside it, and the only random stream of training, the loader's shuffle, whose
// state is its seed and epoch counter (an epoch's order is recomputed from them). A run resumed
// from a checkpoint continues bit for bit as the run that wrote it (tested).
import { compile, noGrad, Tensor, toDot, trace, type CompiledStep } from '@gradlab/core';
import { DataLoader, TensorDataset } from '@gradlab/data';
import {
  Adam,
  Conv2d,
  CosineAnnealingLR,
  crossEntropyLoss,
  Flatten,
  Linear,
  MaxPool2d,
  modelFromJSON,
  modelToJSON,
  ReLU,
  Sequential,
  type ModelJSON,
  type OptimizerStateDict,
  type SchedulerStateDict,
} from '@gradlab/nn';
import type { Engine } from './trainer.ts';

export const DIGITS_MODELS = ['cnn', 'mlp'] as const;
export type DigitsModelName = (typeof DIGITS_MODELS)[number];

export interface DigitsConfig {
  model: DigitsModelName;
  epochs: number;
  lr: number;
  batchSize: number;
  /** Seed of the weights (layer k gets seed + k) and of the loader's shuffle. */
  seed: number;
}

/** The defaults: measured to reach ≥ 97% test accuracy (README, "pnpm demo digits"). */
export const DIGITS_PRESET: Readonly<DigitsConfig> = Object.freeze({ model: 'cnn', epochs: 15, lr: 0.01, batchSize: 32, seed: 1 });

/** Limits the CLI checks before anything is built. */
export const DIGITS_LIMITS = { epochs: 10_000, batchSize: 4096 } as const;

/** A bad setting, naming it (the CLI prints it with the flag). */
export class DigitsConfigError extends Error {
  override name = 'DigitsConfigError';
  constructor(
    readonly field: keyof DigitsConfig,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

export function validateDigitsConfig(c: DigitsConfig): DigitsConfig {
  const fail = (field: keyof DigitsConfig, detail: string): never => {
    throw new DigitsConfigError(field, detail);
  };
  if (!DIGITS_MODELS.includes(c.model)) fail('model', `must be one of ${DIGITS_MODELS.join(', ')}, got '${String(c.model)}'`);
  if (!Number.isInteger(c.epochs) || c.epochs < 1 || c.epochs > DIGITS_LIMITS.epochs) fail('epochs', `must be an integer from 1 to ${DIGITS_LIMITS.epochs}, got ${c.epochs}`);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) fail('lr', `must be a positive number, got ${c.lr}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1 || c.batchSize > DIGITS_LIMITS.batchSize) {
    fail('batchSize', `must be an integer from 1 to ${DIGITS_LIMITS.batchSize}, got ${c.batchSize}`);
  }
  if (!Number.isInteger(c.seed)) fail('seed', `must be an integer, got ${c.seed}`);
  return c;
}

/** One split of a classification data set: x [n, features], y [n] class indices. */
export interface DigitsSplit {
  x: Tensor;
  y: Tensor;
}

/** What `loadDigits()` of @gradlab/data gives (pixels 0…16, 64 per image). */
export interface DigitsData {
  name: string;
  classes: number;
  classNames: readonly string[];
  /** [1, 8, 8]: channels, height, width of one image. */
  featureShape: readonly number[];
  train: DigitsSplit;
  test: DigitsSplit;
}

/** The digits' pixel values run from 0 to this. */
export const PIXEL_MAX = 16;

/**
 * conv 1→8 3×3 pad 1 → ReLU → max-pool 2 → conv 8→16 3×3 pad 1 → ReLU → max-pool 2 → flatten →
 * linear 64→10 (1,898 parameters); or the MLP flatten → linear 64→64 → ReLU → linear 64→10 (4,810).
 * Both take images [n, 1, 8, 8] and give 10 logits.
 */
export function digitsModel(kind: DigitsModelName, seed: number, classes = 10): Sequential {
  if (kind === 'mlp') return new Sequential(new Flatten(), new Linear(64, 64, { seed }), new ReLU(), new Linear(64, classes, { seed: seed + 1 }));
  return new Sequential(
    new Conv2d(1, 8, 3, { padding: 1, seed }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1, seed: seed + 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(64, classes, { seed: seed + 2 }),
  );
}

/** Pixels [n, 64] (0…16) → images [n, 1, 8, 8] scaled to 0…1, the networks' input. */
export function imagesOf(x: Tensor, featureShape: readonly number[]): Tensor {
  const n = x.shape[0];
  const data = new Float64Array(x.size);
  for (let i = 0; i < data.length; i++) data[i] = x.data[i] / PIXEL_MAX;
  return new Tensor(data, [n, ...featureShape]);
}

export interface EpochMetrics {
  /** 1, 2, …: the epoch just finished. */
  epoch: number;
  /** The mean loss and accuracy over the epoch's batches, as each was trained on. */
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Wall-clock time of the epoch's training steps and its test evaluation. */
  seconds: number;
}

/** Where a checkpoint stands inside an epoch: batches done, and their loss sum and hits. */
interface EpochProgress {
  batch: number;
  lossSum: number;
  correct: number;
  seen: number;
}

export const CHECKPOINT_FORMAT = 'gradlab-digits-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface DigitsCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  config: DigitsConfig;
  /** Epochs finished. */
  epoch: number;
  /** The unfinished epoch's batches done and their running sums (batch 0 at an epoch's end). */
  progress: EpochProgress;
  /** The loader's shuffle: the order of epoch e is a function of (seed, e). */
  rng: { loaderSeed: number; loaderEpoch: number };
  model: ModelJSON;
  optimizer: OptimizerStateDict;
  scheduler: SchedulerStateDict;
  history: EpochMetrics[];
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** The predicted class of each sample. */
  predicted: number[];
  /** The logits [n, classes], row-major. */
  logits: Float64Array;
}

type Step = CompiledStep<[Tensor, Tensor], { loss: Tensor; logits: Tensor }>;

export class DigitsTrainer {
  readonly config: DigitsConfig;
  readonly data: DigitsData;
  readonly model: Sequential;
  readonly optimizer: Adam;
  /** lr(e) = lr·(1 + cos(π·e/epochs))/2 after e epochs. */
  readonly scheduler: CosineAnnealingLR;
  readonly loader: DataLoader;
  readonly engine: Engine;
  /** The splits as the networks see them: images [n, 1, 8, 8] in 0…1. */
  readonly inputs: { train: Tensor; test: Tensor };
  /** Epochs finished. */
  epoch = 0;
  readonly history: EpochMetrics[] = [];
  private readonly steps = new Map<number, Step>();
  private batches: Iterator<Tensor[]> | null = null;
  private progress: EpochProgress = { batch: 0, lossSum: 0, correct: 0, seen: 0 };
  private epochStarted = 0;
  private epochSeconds = 0;

  constructor(config: DigitsConfig, data: DigitsData, options: { engine?: Engine } = {}) {
    this.config = validateDigitsConfig({ ...config });
    this.data = data;
    this.engine = options.engine ?? 'compiled';
    this.inputs = { train: imagesOf(data.train.x, data.featureShape), test: imagesOf(data.test.x, data.featureShape) };
    this.model = digitsModel(this.config.model, this.config.seed, data.classes);
    this.optimizer = new Adam(this.model.parameters(), { lr: this.config.lr });
    this.scheduler = new CosineAnnealingLR(this.optimizer, { tMax: this.config.epochs });
    this.loader = new DataLoader(new TensorDataset(this.inputs.train, data.train.y), {
      batchSize: this.config.batchSize,
      shuffle: true,
      seed: this.config.seed,
    });
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    return this.loader.length;
  }

  /** Batches done in the epoch under way. */
  get batchInEpoch(): number {
    return this.progress.batch;
  }

  get done(): boolean {
    return this.epoch >= this.config.epochs;
  }

  /** Parameters of the model. */
  get parameterCount(): number {
    return this.model.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * One batch of the epoch under way (starting the epoch if none is); returns the finished epoch's
   * metrics after its last batch, else null.
   */
  trainBatch(now: () => number = () => performance.now()): EpochMetrics | null {
    if (this.done) throw new Error(`DigitsTrainer: all ${this.config.epochs} epochs are done`);
    const started = now();
    if (!this.batches) this.startEpoch(0);
    const next = this.batches!.next();
    if (!next.done) {
      const [x, y] = next.value;
      const { loss, logits } = this.engine === 'compiled' ? this.stepFor(x).run(x, y) : this.eagerStep(x, y);
      const p = this.progress;
      p.lossSum += loss.item() * y.size;
      p.correct += hits(logits.data, y.data, logits.shape[1]);
      p.seen += y.size;
      p.batch++;
    }
    this.epochSeconds += (now() - started) / 1000;
    if (this.progress.batch < this.batchesPerEpoch) return null;
    return this.endEpoch(now);
  }

  /** Trains the epoch under way to its end; returns its metrics. */
  trainEpoch(): EpochMetrics {
    for (;;) {
      const m = this.trainBatch();
      if (m) return m;
    }
  }

  private startEpoch(skip: number): void {
    this.loader.epoch = this.epoch; // the epoch's order is a function of (seed, epoch)
    this.batches = this.loader[Symbol.iterator]();
    for (let k = 0; k < skip; k++) this.batches.next();
  }

  private endEpoch(now: () => number): EpochMetrics {
    const started = now();
    const test = this.evaluate('test');
    const p = this.progress;
    this.epoch++;
    this.scheduler.step();
    const metrics: EpochMetrics = {
      epoch: this.epoch,
      trainLoss: p.lossSum / p.seen,
      trainAccuracy: p.correct / p.seen,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      seconds: this.epochSeconds + (now() - started) / 1000,
    };
    this.history.push(metrics);
    this.progress = { batch: 0, lossSum: 0, correct: 0, seen: 0 };
    this.batches = null;
    this.epochSeconds = 0;
    return metrics;
  }

  /** Loss, accuracy and predictions on a split, with the weights as they are (no graph). */
  evaluate(split: 'train' | 'test'): Evaluation {
    const x = this.inputs[split];
    const y = this.data[split].y;
    return noGrad(() => {
      this.model.eval();
      try {
        const logits = this.model.forward(x);
        const loss = crossEntropyLoss(logits, y).item();
        const k = logits.shape[1];
        const predicted = argmaxRows(logits.data, k);
        let correct = 0;
        predicted.forEach((c, i) => {
          if (c === y.data[i]) correct++;
        });
        return { loss, accuracy: correct / predicted.length, predicted, logits: Float64Array.from(logits.data) };
      } finally {
        this.model.train();
      }
    });
  }

  /** Forward, backward and Adam's update through a graph built for this step. */
  private eagerStep(x: Tensor, y: Tensor): { loss: Tensor; logits: Tensor } {
    this.optimizer.zeroGrad();
    const logits = this.model.forward(x);
    const loss = crossEntropyLoss(logits, y);
    loss.backward();
    this.optimizer.step();
    return { loss, logits };
  }

  /** The same step compiled once per batch size (the last batch of an epoch may be smaller). */
  private stepFor(x: Tensor): Step {
    const rows = x.shape[0];
    let step = this.steps.get(rows);
    if (!step) {
      step = compile(
        (xb: Tensor, yb: Tensor) => {
          const logits = this.model.forward(xb);
          return { loss: crossEntropyLoss(logits, yb), logits };
        },
        { optimizer: this.optimizer, parameters: this.model },
      );
      this.steps.set(rows, step);
    }
    return step;
  }

  /** Everything training needs to go on from here, bit for bit (JSON-ready). */
  checkpoint(): DigitsCheckpoint {
    return {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      config: { ...this.config },
      epoch: this.epoch,
      progress: { ...this.progress },
      rng: { loaderSeed: this.loader.seed, loaderEpoch: this.epoch },
      model: modelToJSON(this.model),
      optimizer: this.optimizer.stateDict(),
      scheduler: this.scheduler.stateDict(),
      history: this.history.map((m) => ({ ...m })),
    };
  }

  /**
   * A trainer that goes on from `checkpoint` (read from a file: checked): its settings, weights,
   * Adam's state, the schedule, the epoch and the batch within it.
   */
  static resume(checkpoint: unknown, data: DigitsData, options: { engine?: Engine } = {}): DigitsTrainer {
    const c = checkCheckpoint(checkpoint);
    const trainer = new DigitsTrainer(c.config, data, options);
    if (c.epoch > trainer.config.epochs) throw new Error(`checkpoint: it is at epoch ${c.epoch}, beyond its ${trainer.config.epochs} epochs`);
    const saved = modelFromJSON(c.model);
    trainer.model.loadStateDict(saved.stateDict());
    trainer.optimizer.loadStateDict(c.optimizer);
    trainer.scheduler.loadStateDict(c.scheduler);
    trainer.epoch = c.epoch;
    trainer.history.push(...c.history.map((m) => ({ ...m })));
    if (c.progress.batch > 0) {
      trainer.startEpoch(c.progress.batch);
      trainer.progress = { ...c.progress };
    }
    return trainer;
  }
}

function checkCheckpoint(value: unknown): DigitsCheckpoint {
  const fail = (what: string): never => {
    throw new Error(`checkpoint: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return fail('expected an object');
  const c = value as Partial<DigitsCheckpoint>;
  if (c.format !== CHECKPOINT_FORMAT) fail(`format is ${JSON.stringify(c.format)}, expected ${JSON.stringify(CHECKPOINT_FORMAT)}`);
  if (c.version !== CHECKPOINT_VERSION) fail(`version ${String(c.version)} is not ${CHECKPOINT_VERSION}`);
  if (typeof c.config !== 'object' || c.config === null) fail('no config');
  validateDigitsConfig(c.config!);
  if (!Number.isInteger(c.epoch) || c.epoch! < 0) fail(`epoch is ${String(c.epoch)}`);
  const p = c.progress;
  if (!p || ![p.batch, p.correct, p.seen].every((v) => Number.isInteger(v) && v >= 0) || !Number.isFinite(p.lossSum)) fail('progress is not { batch, lossSum, correct, seen }');
  if (!Array.isArray(c.history) || c.history.length !== c.epoch) fail(`history has ${c.history?.length ?? 'no'} epochs for epoch ${c.epoch}`);
  if (!c.model || !c.optimizer || !c.scheduler) fail('no model, optimizer or scheduler state');
  return c as DigitsCheckpoint;
}

/** Samples whose largest logit is their label. */
function hits(logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  let n = 0;
  const rows = labels.length;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (logits[r * k + c] > logits[r * k + best]) best = c;
    if (best === labels[r]) n++;
  }
  return n;
}

function argmaxRows(values: ArrayLike<number>, k: number): number[] {
  const rows = values.length / k;
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (values[r * k + c] > values[r * k + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** `epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds`: one row per epoch. */
export const METRICS_CSV_HEADER = 'epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n';

export function metricsCsvRow(m: EpochMetrics): string {
  return `${m.epoch},${m.trainLoss},${m.trainAccuracy},${m.testLoss},${m.testAccuracy},${m.seconds}\n`;
}

/** `epoch  3/15  train loss 0.2134  train acc 93.61%  test acc 95.28%  (1.4 s)`. */
export function epochLine(m: EpochMetrics, epochs: number): string {
  const width = String(epochs).length;
  return (
    `epoch ${String(m.epoch).padStart(width)}/${epochs}  train loss ${m.trainLoss.toFixed(4)}  ` +
    `train acc ${(100 * m.trainAccuracy).toFixed(2)}%  test loss ${m.testLoss.toFixed(4)}  test acc ${(100 * m.testAccuracy).toFixed(2)}%  (${m.seconds.toFixed(1)} s)`
  );
}

/** `digits: cnn (1,898 parameters), Adam lr 0.01, batch 32, 15 epochs, seed 1, compiled`. */
export function describeDigits(c: DigitsConfig, parameters: number, engine: Engine): string {
  const net = c.model === 'cnn' ? 'CNN conv8-pool-conv16-pool-linear10' : 'MLP 64-64-10';
  return `${net} (${parameters.toLocaleString('en-US')} parameters), Adam lr ${c.lr}, batch ${c.batchSize}, ${c.epochs} epochs, seed ${c.seed}, ${engine}`;
}

/** A misclassified sample: its pixels (0…16), true label and predicted class. */
export interface Misclassified {
  index: number;
  pixels: number[];
  label: number;
  predicted: number;
}

/** The samples of a split whose predicted class is not their label, in order. */
export function misclassifiedImages(split: DigitsSplit, predicted: readonly number[]): Misclassified[] {
  const width = split.x.shape[1];
  const out: Misclassified[] = [];
  predicted.forEach((p, i) => {
    const label = split.y.data[i];
    if (p !== label) out.push({ index: i, pixels: Array.from(split.x.data.subarray(i * width, (i + 1) * width)), label, predicted: p });
  });
  return out;
}

/**
 * The graph of one training step on training sample `index` with the trainer's current weights
 * (a copy of the model: the trainer is not touched): x → layers → logits → cross-entropy loss,
 * backward run, every node's gradient kept; its Graphviz DOT (core's toDot: op, shape, first
 * values and gradient per node, each edge's local derivative).
 */
export function digitsStepGraph(trainer: DigitsTrainer, index: number): { dot: string; nodes: number; caption: string } {
  const model = modelFromJSON<Sequential>(modelToJSON(trainer.model));
  for (const [name, p] of model.namedParameters()) p.name = name;
  const images = trainer.inputs.train;
  const per = images.size / images.shape[0];
  const x = new Tensor(images.data.slice(index * per, (index + 1) * per), [1, ...images.shape.slice(1)]);
  x.name = 'x';
  const label = trainer.data.train.y.data[index];
  const y = new Tensor(Float64Array.of(label), [1]);
  y.name = 'y';
  const logits = model.forward(x);
  logits.name = 'logits';
  const loss = crossEntropyLoss(logits, y);
  loss.name = 'loss';
  loss.backward(undefined, { retainGrads: true });
  const nodes = trace(loss).length;
  return {
    dot: toDot(loss, { rankdir: 'TB', maxElements: 4, precision: 3 }),
    nodes,
    caption:
      `One training step on training image ${index} (digit ${label}) with the final weights: ${nodes} nodes, forward values and ` +
      `gradients ∂loss/∂node (tensors with more than 4 elements show their first ones); each edge carries its op's local derivative. ` +
      `Every parameter (named as in the state dict) is a leaf; conv, pool and flatten are single ops, whose rules are core's.`,
  };
}
