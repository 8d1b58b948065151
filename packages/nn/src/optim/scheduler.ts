// Learning-rate schedules, as torch.optim.lr_scheduler: each `step()` (once per epoch, or per batch
// for OneCycleLR) sets every group's lr. The formulas are PyTorch's, in its recursive ("chainable")
// form where it uses one, so the sequences match PyTorch's to rounding.
import { GradlabError } from '@gradlab/core';
import { describeValue } from '../check.ts';
import { Optimizer, type GroupOptions } from './optimizer.ts';

/** A scheduler's state, JSON-ready: how many steps it took and the rates it started from and last set. */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [more: string]: unknown;
}

/** Any optimizer, whatever its options: what a scheduler steers. */
export type AnyOptimizer = Optimizer<GroupOptions>;

function checkNumber(where: string, name: string, v: unknown, ok: (x: number) => boolean, range: string): number {
  if (typeof v !== 'number' || Number.isNaN(v) || !ok(v)) throw new GradlabError(`${where}: ${name} must be ${range}, got ${describeValue(v)}`);
  return v;
}

const positiveInteger = (x: number) => Number.isInteger(x) && x > 0;
const countInteger = (x: number) => Number.isInteger(x) && x >= 0;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkRates(where: string, name: string, v: unknown, n: number): number[] {
  if (!Array.isArray(v) || v.length !== n) throw new GradlabError(`${where}: ${name} must be a list of ${n} learning rates, got ${describeValue(v)}`);
  v.forEach((x, i) => checkNumber(where, `${name}[${i}]`, x, (r) => Number.isFinite(r) && r >= 0, 'a finite number ≥ 0'));
  return [...(v as number[])];
}

/** The base of the epoch-based schedules. `lastEpoch` counts the `step()` calls so far. */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** Each group's lr when the scheduler was made. */
  protected baseLrs: number[];
  protected lastLr: number[];
  lastEpoch = 0;
  protected readonly name: string;

  protected constructor(name: string, optimizer: AnyOptimizer) {
    if (!(optimizer instanceof Optimizer)) throw new GradlabError(`${name}: optimizer must be an Optimizer, got ${describeValue(optimizer)}`);
    this.name = name;
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.lastLr = [...this.baseLrs];
  }

  /** Advances one epoch and sets each group's lr. */
  step(): void {
    this.lastEpoch += 1;
    this.setRates(this.rates());
  }

  /** The lr of each group that the last step set. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Each group's lr at `lastEpoch`, from the current ones (the recursive form). */
  protected abstract rates(): number[];

  protected setRates(rates: readonly number[]): void {
    this.optimizer.paramGroups.forEach((group, g) => (group.lr = rates[g]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The scheduler's own state beyond the epoch and rates (ReduceLROnPlateau's best value, …). */
  protected extraState(): Record<string, unknown> {
    return {};
  }

  /** Checks and restores `extraState()`'s output (throws before changing anything). */
  protected loadExtraState(_dict: Record<string, unknown>): () => void {
    return () => {};
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], ...this.extraState() };
  }

  /**
   * Restores a `stateDict()`: the step count and rates (the groups' lrs themselves come back with
   * the optimizer's `loadStateDict`). Made with the same options, the scheduler then continues
   * exactly. A malformed dict throws a GradlabError and changes nothing.
   */
  loadStateDict(dict: SchedulerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (!isRecord(dict)) throw new GradlabError(`${where}: expected { lastEpoch, baseLrs, lastLr, … }, got ${describeValue(dict)}`);
    const n = this.optimizer.paramGroups.length;
    const lastEpoch = checkNumber(where, 'lastEpoch', dict.lastEpoch, (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
    const baseLrs = checkRates(where, 'baseLrs', dict.baseLrs, n);
    const lastLr = checkRates(where, 'lastLr', dict.lastLr, n);
    const commit = this.loadExtraState(dict);
    this.lastEpoch = lastEpoch;
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
    commit();
  }
}

export interface StepLROptions {
  /** Every stepSize epochs, … (a positive integer). */
  stepSize: number;
  /** … lr ← γ·lr (default 0.1). */
  gamma?: number;
}

/** lr = base·γ^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    super('StepLR', optimizer);
    this.stepSize = checkNumber('StepLR', 'stepSize', options?.stepSize, positiveInteger, 'a positive integer');
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1, (x) => Number.isFinite(x) && x >= 0, 'a finite number ≥ 0');
  }
  protected rates(): number[] {
    const e = this.lastEpoch;
    return this.optimizer.paramGroups.map((g) => (e === 0 || e % this.stepSize !== 0 ? g.lr : g.lr * this.gamma));
  }
}

/** lr = base·γ^epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: { gamma: number }) {
    super('ExponentialLR', optimizer);
    this.gamma = checkNumber('ExponentialLR', 'gamma', options?.gamma, (x) => Number.isFinite(x) && x >= 0, 'a finite number ≥ 0');
  }
  protected rates(): number[] {
    return this.optimizer.paramGroups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }
}

export interface CosineAnnealingOptions {
  /** Half the period, in epochs (a positive integer). */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

/**
 * lr = η_min + (base − η_min)·(1 + cos(π·epoch / tMax)) / 2 (SGDR without restarts; past tMax
 * it rises again), computed recursively as PyTorch does:
 *   lr_t = η_min + (lr_{t−1} − η_min)·(1 + cos(πt/T)) / (1 + cos(π(t−1)/T)).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, options: CosineAnnealingOptions) {
    super('CosineAnnealingLR', optimizer);
    this.tMax = checkNumber('CosineAnnealingLR', 'tMax', options?.tMax, positiveInteger, 'a positive integer');
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, (x) => Number.isFinite(x) && x >= 0, 'a finite number ≥ 0');
  }
  protected rates(): number[] {
    const e = this.lastEpoch;
    const T = this.tMax;
    const eta = this.etaMin;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr);
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - eta) + eta);
  }
}

export interface OneCycleOptions {
  /** The peak lr (one per group, or one for all). */
  maxLr: number | readonly number[];
  /** The number of steps (batches) of the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent rising (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Move momentum (SGD, RMSprop) or β₁ (Adam, AdamW) against the lr, between baseMomentum and maxMomentum (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  /** The starting lr is maxLr / divFactor (default 25) … */
  divFactor?: number;
  /** … and the final one starting lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to the start, then down to the end) instead of two (default false). */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  lr: [start: 'initial' | 'max' | 'min', end: 'initial' | 'max' | 'min'];
  momentum: [start: 'max' | 'base', end: 'max' | 'base'];
}

/**
 * The 1cycle policy (Smith & Topin 2018), as PyTorch's OneCycleLR: call `step()` after every
 * batch. The lr rises from maxLr/divFactor to maxLr over pctStart of the steps, then falls to
 * maxLr/(divFactor·finalDivFactor), annealed by cosine (or linearly); momentum moves the other way.
 * Batch k (k = 0…totalSteps−1) runs with the rates of step k; the step after the last batch keeps
 * the final rates (PyTorch extrapolates the last phase there, which can make the lr negative),
 * and stepping further is an error.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;
  private readonly lrs: { initial: number; max: number; min: number }[];
  private readonly momenta: { base: number; max: number }[];

  constructor(optimizer: AnyOptimizer, options: OneCycleOptions) {
    super('OneCycleLR', optimizer);
    const where = 'OneCycleLR';
    if (!isRecord(options)) throw new GradlabError(`${where}: options must be an object with maxLr and totalSteps (or epochs and stepsPerEpoch)`);
    const {
      maxLr, totalSteps, epochs, stepsPerEpoch, pctStart = 0.3, annealStrategy = 'cos', cycleMomentum = true,
      baseMomentum = 0.85, maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false,
    } = options;
    if (totalSteps !== undefined) {
      this.totalSteps = checkNumber(where, 'totalSteps', totalSteps, positiveInteger, 'a positive integer');
    } else if (epochs !== undefined && stepsPerEpoch !== undefined) {
      const e = checkNumber(where, 'epochs', epochs, positiveInteger, 'a positive integer');
      this.totalSteps = e * checkNumber(where, 'stepsPerEpoch', stepsPerEpoch, positiveInteger, 'a positive integer');
    } else {
      throw new GradlabError(`${where}: give totalSteps, or epochs and stepsPerEpoch`);
    }
    const pct = checkNumber(where, 'pctStart', pctStart, (x) => x >= 0 && x <= 1, 'in [0, 1]');
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') throw new GradlabError(`${where}: annealStrategy must be 'cos' or 'linear', got ${describeValue(annealStrategy)}`);
    this.anneal = annealStrategy === 'cos' ? (start, end, p) => end + ((start - end) / 2) * (Math.cos(Math.PI * p) + 1) : (start, end, p) => (end - start) * p + start;
    const n = optimizer.paramGroups.length;
    const perGroup = (name: string, v: unknown): number[] => {
      const list = Array.isArray(v) ? v : new Array<unknown>(n).fill(v);
      if (list.length !== n) throw new GradlabError(`${where}: ${name} must be one number or one per group (${n}), got ${describeValue(v)}`);
      return list.map((x, i) => checkNumber(where, Array.isArray(v) ? `${name}[${i}]` : name, x, (y) => Number.isFinite(y) && y > 0, 'a finite number > 0'));
    };
    const div = checkNumber(where, 'divFactor', divFactor, (x) => Number.isFinite(x) && x > 0, 'a finite number > 0');
    const finalDiv = checkNumber(where, 'finalDivFactor', finalDivFactor, (x) => Number.isFinite(x) && x > 0, 'a finite number > 0');
    this.lrs = perGroup('maxLr', maxLr).map((max) => ({ initial: max / div, max, min: max / div / finalDiv }));
    const T = this.totalSteps;
    this.phases = threePhase
      ? [
          { endStep: pct * T - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
          { endStep: 2 * pct * T - 2, lr: ['max', 'initial'], momentum: ['base', 'max'] },
          { endStep: T - 1, lr: ['initial', 'min'], momentum: ['max', 'max'] },
        ]
      : [
          { endStep: pct * T - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
          { endStep: T - 1, lr: ['max', 'min'], momentum: ['base', 'max'] },
        ];
    if (typeof cycleMomentum !== 'boolean') throw new GradlabError(`${where}: cycleMomentum must be true or false, got ${describeValue(cycleMomentum)}`);
    this.cycleMomentum = cycleMomentum;
    const defaults = optimizer.defaults as unknown as Record<string, unknown>;
    this.useBeta1 = 'betas' in defaults;
    if (cycleMomentum && !this.useBeta1 && !('momentum' in defaults)) {
      throw new GradlabError(`${where}: ${optimizer.constructor.name} has no momentum or betas to cycle; pass cycleMomentum: false`);
    }
    const base = perGroup('baseMomentum', baseMomentum);
    const max = perGroup('maxMomentum', maxMomentum);
    this.momenta = base.map((b, i) => ({ base: b, max: max[i] }));
    this.baseLrs = this.lrs.map((l) => l.initial);
    this.setRates(this.rates());
  }

  protected rates(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new GradlabError(`OneCycleLR: tried to step ${stepNum} times; the cycle has totalSteps = ${this.totalSteps}`);
    }
    return this.optimizer.paramGroups.map((group, g) => {
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          // past the last phase's end (the step after the last batch) the rates stay at its end
          const pct = Math.min((stepNum - start) / (phase.endStep - start), 1);
          if (this.cycleMomentum) {
            const m = this.anneal(this.momenta[g][phase.momentum[0]], this.momenta[g][phase.momentum[1]], pct);
            const record = group as unknown as Record<string, unknown>;
            if (this.useBeta1) record.betas = [m, (record.betas as readonly number[])[1]];
            else record.momentum = m;
          }
          return this.anneal(this.lrs[g][phase.lr[0]], this.lrs[g][phase.lr[1]], pct);
        }
        start = phase.endStep;
      }
      return group.lr;
    });
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): a lower metric is better (a loss); 'max': higher is better (an accuracy). */
  mode?: 'min' | 'max';
  /** lr ← max(lr·factor, minLr) when reduced (default 0.1), in [0, 1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** What counts as an improvement (default 1e-4) … */
  threshold?: number;
  /** … relative to the best ('rel', default: better than best·(1 ∓ threshold)) or absolute ('abs'). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The lowest lr, one for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** A reduction smaller than eps is not made (default 1e-8). */
  eps?: number;
}

/**
 * Reduces every group's lr by `factor` when the metric passed to `step(metric)` has not improved
 * for more than `patience` epochs, as PyTorch's ReduceLROnPlateau.
 */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const where = 'ReduceLROnPlateau';
    if (!(optimizer instanceof Optimizer)) throw new GradlabError(`${where}: optimizer must be an Optimizer, got ${describeValue(optimizer)}`);
    this.optimizer = optimizer;
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    if (mode !== 'min' && mode !== 'max') throw new GradlabError(`${where}: mode must be 'min' or 'max', got ${describeValue(mode)}`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new GradlabError(`${where}: thresholdMode must be 'rel' or 'abs', got ${describeValue(thresholdMode)}`);
    this.mode = mode;
    this.thresholdMode = thresholdMode;
    this.factor = checkNumber(where, 'factor', factor, (x) => x >= 0 && x < 1, 'in [0, 1)');
    this.patience = checkNumber(where, 'patience', patience, countInteger, 'an integer ≥ 0');
    this.threshold = checkNumber(where, 'threshold', threshold, (x) => Number.isFinite(x) && x >= 0, 'a finite number ≥ 0');
    this.cooldown = checkNumber(where, 'cooldown', cooldown, countInteger, 'an integer ≥ 0');
    this.eps = checkNumber(where, 'eps', eps, (x) => Number.isFinite(x) && x >= 0, 'a finite number ≥ 0');
    const n = optimizer.paramGroups.length;
    const mins = Array.isArray(minLr) ? minLr : new Array<unknown>(n).fill(minLr);
    if (mins.length !== n) throw new GradlabError(`${where}: minLr must be one number or one per group (${n}), got ${describeValue(minLr)}`);
    this.minLrs = mins.map((x, i) => checkNumber(where, `minLr[${i}]`, x, (y) => Number.isFinite(y) && y >= 0, 'a finite number ≥ 0'));
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  /** One epoch's metric (a loss in 'min' mode, an accuracy in 'max' mode). NaN is refused. */
  step(metric: number): void {
    checkNumber('ReduceLROnPlateau.step', 'metric', metric, () => true, 'a number');
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((group, g) => {
        const old = group.lr;
        const next = Math.max(old * this.factor, this.minLrs[g]);
        if (old - next > this.eps) group.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** JSON-ready: `best` is null before the first step (JSON has no ±Infinity). */
  stateDict(): { lastEpoch: number; best: number | null; numBadEpochs: number; cooldownCounter: number } {
    return { lastEpoch: this.lastEpoch, best: Number.isFinite(this.best) ? this.best : null, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }

  loadStateDict(dict: { lastEpoch: number; best: number | null; numBadEpochs: number; cooldownCounter: number }): void {
    const where = 'ReduceLROnPlateau.loadStateDict';
    if (!isRecord(dict)) throw new GradlabError(`${where}: expected { lastEpoch, best, numBadEpochs, cooldownCounter }, got ${describeValue(dict)}`);
    const count = (name: string) => checkNumber(where, name, dict[name as keyof typeof dict], countInteger, 'an integer ≥ 0');
    const lastEpoch = count('lastEpoch');
    const numBadEpochs = count('numBadEpochs');
    const cooldownCounter = count('cooldownCounter');
    const best = dict.best === null ? (this.mode === 'min' ? Infinity : -Infinity) : checkNumber(where, 'best', dict.best, Number.isFinite, 'a finite number or null');
    Object.assign(this, { lastEpoch, numBadEpochs, cooldownCounter, best });
  }
}
