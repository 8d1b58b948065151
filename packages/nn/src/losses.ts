// Losses, built from core ops (their gradients come from the graph), with PyTorch's names,
// arguments and reductions. Each takes (input, target, options) and checks its arguments first:
// a wrong type or shape is a GradlabError naming the loss, the argument and the shapes.
import { eq, formatShape, GradlabError, logSoftmax, peek, tensor, where, type FloatArray, type Tensor } from '@gradlab/core';
import { describeValue, expectNumber, expectTensor } from './check.ts';

/** How the per-element (or per-sample) losses become the result: their mean (default), their sum, or all of them. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}

/** ε of `bceLoss`: predictions are clamped into [ε, 1 − ε] so that log never sees 0. */
export const BCE_EPSILON = 1e-12;

function reductionOf(fn: string, options: LossOptions | undefined): Reduction {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new GradlabError(`${fn}: options must be an object, got ${describeValue(options)}`);
  }
  const reduction = options?.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new GradlabError(`${fn}: reduction must be 'mean', 'sum' or 'none', got ${describeValue(reduction)}`);
  }
  return reduction;
}

function reduce(losses: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? losses.mean() : reduction === 'sum' ? losses.sum() : losses;
}

/** Both arguments tensors of one shape (the elementwise losses do not broadcast). */
function checkPair(fn: string, input: unknown, target: unknown): [Tensor, Tensor] {
  const x = expectTensor(fn, 'input', input);
  const y = expectTensor(fn, 'target', target);
  const same = x.rank === y.rank && x.shape.every((d, i) => d === y.shape[i]);
  if (!same) {
    throw new GradlabError(
      `${fn}: input of shape ${formatShape(x.shape)} and target of shape ${formatShape(y.shape)} differ ` +
        `(the loss does not broadcast; reshape one of them)`,
    );
  }
  return [x, y];
}

/** (input − target)², then reduced.      ∂/∂input = 2(input − target) (/N for the mean) */
export function mseLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionOf('mseLoss', options);
  const [x, y] = checkPair('mseLoss', input, target);
  return reduce(x.sub(y).pow(2), reduction);
}

/** |input − target|, then reduced.      ∂/∂input = sign(input − target) (0 at 0) */
export function l1Loss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionOf('l1Loss', options);
  const [x, y] = checkPair('l1Loss', input, target);
  return reduce(x.sub(y).abs(), reduction);
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1), > 0. */
  delta?: number;
}

/**
 * With d = input − target: ½d² where |d| < δ, δ(|d| − ½δ) elsewhere; then reduced.
 * ∂/∂input = d where |d| < δ, δ·sign(d) elsewhere (continuous at |d| = δ).
 */
export function huberLoss(input: Tensor, target: Tensor, options?: HuberOptions): Tensor {
  const reduction = reductionOf('huberLoss', options);
  const delta = expectNumber('huberLoss', 'delta', options?.delta ?? 1, (v) => v > 0, 'a finite number > 0');
  const [x, y] = checkPair('huberLoss', input, target);
  const d = x.sub(y);
  const a = d.abs();
  return reduce(where(a.lt(delta), d.square().mul(0.5), a.sub(0.5 * delta).mul(delta)), reduction);
}

let warnedBceInput = false;

/** The first element outside [0, 1] (NaN included), or −1. */
function outsideUnit(values: FloatArray): number {
  for (let i = 0; i < values.length; i++) if (!(values[i] >= 0 && values[i] <= 1)) return i;
  return -1;
}

export interface BCEOptions extends LossOptions {
  /** A rescaling weight per element, broadcast against the input. */
  weight?: Tensor;
}

/**
 * Binary cross-entropy of probabilities p (the input) against targets y in [0, 1]:
 *   ℓ = −(y·ln p + (1 − y)·ln(1 − p)),      ∂ℓ/∂p = (p − y) / (p(1 − p))
 * p is first clamped into [ε, 1 − ε] (ε = 1e-12) so ℓ stays finite at p = 0 or 1 (at most
 * −ln ε ≈ 27.6 per element); where p was clamped the gradient is 0, as clamp's derivative is.
 * A target outside [0, 1] is an error. An input outside [0, 1] is most likely a logit: it is
 * clamped, and a warning (once per process) points to `bceWithLogitsLoss`.
 */
export function bceLoss(input: Tensor, target: Tensor, options?: BCEOptions): Tensor {
  const reduction = reductionOf('bceLoss', options);
  const [x, y] = checkPair('bceLoss', input, target);
  // checks only (peek: allowed while compile records; they run on its recording and checking runs)
  const targets = peek(y);
  const bad = outsideUnit(targets);
  if (bad >= 0) {
    throw new GradlabError(`bceLoss: target of shape ${formatShape(y.shape)} holds ${targets[bad]} at element ${bad}; targets must be in [0, 1]`);
  }
  if (!warnedBceInput) {
    const values = peek(x);
    const i = outsideUnit(values);
    if (i >= 0) {
      warnedBceInput = true;
      console.warn(
        `bceLoss: input of shape ${formatShape(x.shape)} holds ${values[i]} at element ${i}, outside [0, 1]: bceLoss takes probabilities ` +
          `(clamped into [1e-12, 1 − 1e-12] here). For logits (before a sigmoid) use bceWithLogitsLoss. (This warning is shown once.)`,
      );
    }
  }
  const p = x.clamp(BCE_EPSILON, 1 - BCE_EPSILON);
  let losses = y.mul(p.log()).add(y.neg().add(1).mul(p.neg().add(1).log())).neg();
  if (options?.weight !== undefined) losses = losses.mul(expectTensor('bceLoss', 'options.weight', options.weight));
  return reduce(losses, reduction);
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** The weight p of positive examples, broadcast against the classes (last axis). */
  posWeight?: Tensor;
}

/**
 * Binary cross-entropy on logits x (sigmoid and BCE in one), with targets y:
 *   ℓ = p·y·softplus(−x) + (1 − y)·softplus(x)      (= −p·y·ln σ(x) − (1 − y)·ln(1 − σ(x)); p = posWeight, default 1)
 *   ∂ℓ/∂x = σ(x) − y  (for p = 1)
 * softplus is exact for every x, so the loss and its gradient are finite and accurate at
 * logits of ±1000 (no ln 0, no cancellation for targets of 0 and 1).
 */
export function bceWithLogitsLoss(input: Tensor, target: Tensor, options?: BCEWithLogitsOptions): Tensor {
  const reduction = reductionOf('bceWithLogitsLoss', options);
  const [x, y] = checkPair('bceWithLogitsLoss', input, target);
  let positive = y.mul(x.neg().softplus());
  if (options?.posWeight !== undefined) positive = positive.mul(expectTensor('bceWithLogitsLoss', 'options.posWeight', options.posWeight));
  let losses = positive.add(y.neg().add(1).mul(x.softplus()));
  if (options?.weight !== undefined) losses = losses.mul(expectTensor('bceWithLogitsLoss', 'options.weight', options.weight));
  return reduce(losses, reduction);
}

export interface NLLOptions extends LossOptions {
  /** A weight per class, shape [C]: sample n counts w[yₙ] (and the mean divides by Σₙ w[yₙ]). */
  weight?: Tensor;
  /** A target value that is skipped: it adds nothing and does not count in the mean (default −100). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NLLOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·(the given target) + ε/C for every class (default 0). */
  labelSmoothing?: number;
}

/** The classes 0…C−1 as a row [1, C], what class indices are compared with to make one-hot rows. */
function classRow(C: number): Tensor {
  return tensor(Array.from({ length: C }, (_, i) => i), { shape: [1, C] });
}

/** The input as [N, C] (an unbatched [C] becomes [1, C]), checked. */
function batchedInput(fn: string, input: unknown): { x: Tensor; unbatched: boolean } {
  const x = expectTensor(fn, 'input', input);
  if (x.rank !== 1 && x.rank !== 2) {
    throw new GradlabError(`${fn}: input of shape ${formatShape(x.shape)} must be [N, C] (a batch of C class scores) or [C]`);
  }
  if (x.shape[x.rank - 1] === 0) throw new GradlabError(`${fn}: input of shape ${formatShape(x.shape)} has no classes`);
  return x.rank === 1 ? { x: x.reshape([1, x.shape[0]]), unbatched: true } : { x, unbatched: false };
}

/** Class-index targets checked (integers in [0, C) or ignoreIndex), as [N]. */
function classTargets(fn: string, target: Tensor, N: number, C: number, ignoreIndex: number): Tensor {
  const t = peek(target); // a check only (allowed while compile records)
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (v === ignoreIndex) continue;
    if (!Number.isInteger(v) || v < 0 || v >= C) {
      throw new GradlabError(
        `${fn}: target of shape ${formatShape(target.shape)} holds ${v} at element ${i}; class indices must be integers in [0, ${C}) ` +
          `(or ignoreIndex, ${ignoreIndex})`,
      );
    }
  }
  return target.reshape([N]);
}

function checkClassWeight(fn: string, weight: unknown, C: number): Tensor | null {
  if (weight === undefined) return null;
  const w = expectTensor(fn, 'options.weight', weight);
  if (w.rank !== 1 || w.shape[0] !== C) throw new GradlabError(`${fn}: options.weight of shape ${formatShape(w.shape)} must be [${C}], one weight per class`);
  return w;
}

/** −Σ_c w_c·logp[n, c]·onehot[n, c] per sample, and the per-sample weights w[yₙ] (0 for ignored samples). */
function nllParts(logp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): { losses: Tensor; weights: Tensor; oneHot: Tensor } {
  const [N, C] = logp.shape;
  let oneHot = eq(target.reshape([N, 1]), classRow(C));
  // an ignored sample gets a row of 0s (an ignoreIndex outside [0, C) already matches no class)
  if (ignoreIndex >= 0 && ignoreIndex < C) oneHot = oneHot.mul(eq(target.reshape([N, 1]), ignoreIndex).neg().add(1));
  const picked = weight ? oneHot.mul(weight) : oneHot;
  return { losses: logp.mul(picked).sum(1).neg(), weights: picked.sum(1), oneHot };
}

function reduceWeighted(losses: Tensor, weights: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? losses.sum().div(weights.sum()) : reduction === 'sum' ? losses.sum() : losses;
}

/**
 * The negative log-likelihood of log-probabilities (e.g. `logSoftmax(x, 1)`) [N, C] (or [C]) with
 * class indices [N] (or []): ℓₙ = −w[yₙ]·input[n, yₙ]; the mean is Σ ℓₙ / Σ w[yₙ].
 */
export function nllLoss(input: Tensor, target: Tensor, options?: NLLOptions): Tensor {
  const fn = 'nllLoss';
  const reduction = reductionOf(fn, options);
  const { x, unbatched } = batchedInput(fn, input);
  const [N, C] = x.shape;
  const y = expectTensor(fn, 'target', target);
  if (y.size !== N || y.rank !== (unbatched ? 0 : 1)) {
    throw new GradlabError(`${fn}: target of shape ${formatShape(y.shape)} does not fit input of shape ${formatShape(input.shape)} (expected ${unbatched ? '[]' : `[${N}]`} class indices)`);
  }
  const ignoreIndex = expectNumber(fn, 'ignoreIndex', options?.ignoreIndex ?? -100, Number.isInteger, 'an integer');
  const weight = checkClassWeight(fn, options?.weight, C);
  const { losses, weights } = nllParts(x, classTargets(fn, y, N, C, ignoreIndex), weight, ignoreIndex);
  const out = reduceWeighted(losses, weights, reduction);
  return unbatched && reduction === 'none' ? out.reshape([]) : out;
}

/**
 * Cross-entropy of logits (unnormalised class scores) [N, C] (or [C]) against either
 * - class indices [N] (or []): ℓₙ = −w[yₙ]·logp[n, yₙ], logp = logSoftmax(input, 1);
 *   with labelSmoothing ε: (1 − ε)·ℓₙ + (ε/C)·(−Σ_c w_c·logp[n, c]); the mean divides by Σ w[yₙ]
 *   (by N without weights), skipping ignoreIndex; or
 * - probabilities of the input's shape: ℓₙ = −Σ_c w_c·t[n, c]·logp[n, c], t smoothed to
 *   (1 − ε)·t + ε/C; the mean divides by N.
 * As PyTorch's cross_entropy. ∂ℓₙ/∂input[n, ·] = softmax − target (for one-hot targets).
 */
export function crossEntropyLoss(input: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor {
  const fn = 'crossEntropyLoss';
  const reduction = reductionOf(fn, options);
  const { x, unbatched } = batchedInput(fn, input);
  const [N, C] = x.shape;
  const y = expectTensor(fn, 'target', target);
  const epsilon = expectNumber(fn, 'labelSmoothing', options?.labelSmoothing ?? 0, (e) => e >= 0 && e <= 1, 'in [0, 1]');
  const ignoreIndex = expectNumber(fn, 'ignoreIndex', options?.ignoreIndex ?? -100, Number.isInteger, 'an integer');
  const weight = checkClassWeight(fn, options?.weight, C);
  const logp = logSoftmax(x, 1);
  const probabilities = y.rank === input.rank && y.shape.every((d, i) => d === input.shape[i]);
  let out: Tensor;
  if (probabilities) {
    let t = unbatched ? y.reshape([1, C]) : y;
    if (epsilon > 0) t = t.mul(1 - epsilon).add(epsilon / C);
    let terms = logp.mul(t);
    if (weight) terms = terms.mul(weight);
    const losses = terms.sum(1).neg();
    out = reduction === 'mean' ? losses.sum().div(N) : reduction === 'sum' ? losses.sum() : losses;
  } else {
    if (y.size !== N || y.rank !== (unbatched ? 0 : 1)) {
      throw new GradlabError(
        `${fn}: target of shape ${formatShape(y.shape)} does not fit input of shape ${formatShape(input.shape)}: ` +
          `class indices need shape ${unbatched ? '[]' : `[${N}]`}, probabilities ${formatShape(input.shape)}`,
      );
    }
    const { losses, weights, oneHot } = nllParts(logp, classTargets(fn, y, N, C, ignoreIndex), weight, ignoreIndex);
    out = reduceWeighted(losses, weights, reduction);
    if (epsilon > 0) {
      const valid = oneHot.sum(1); // 1, or 0 for an ignored sample
      const smooth = (weight ? logp.mul(weight) : logp).sum(1).neg().mul(valid);
      const denominator = weight ? weights.sum() : valid.sum();
      const smoothed = reduction === 'mean' ? smooth.sum().div(denominator) : reduction === 'sum' ? smooth.sum() : smooth;
      out = out.mul(1 - epsilon).add(smoothed.mul(epsilon / C));
    }
  }
  return unbatched && reduction === 'none' ? out.reshape([]) : out;
}

/** A loss function as an object, for code that passes a loss around: `new CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(x, y)`. */
abstract class LossModule<O extends LossOptions> {
  constructor(readonly options: O = {} as O) {}
  abstract forward(input: Tensor, target: Tensor): Tensor;
  describe(): string {
    return this.constructor.name;
  }
  toString(): string {
    return this.describe();
  }
}

export class MSELoss extends LossModule<LossOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

export class L1Loss extends LossModule<LossOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.options);
  }
}

export class HuberLoss extends LossModule<HuberOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, this.options);
  }
}

export class BCELoss extends LossModule<BCEOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return bceLoss(input, target, this.options);
  }
}

export class BCEWithLogitsLoss extends LossModule<BCEWithLogitsOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return bceWithLogitsLoss(input, target, this.options);
  }
}

export class NLLLoss extends LossModule<NLLOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.options);
  }
}

export class CrossEntropyLoss extends LossModule<CrossEntropyOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropyLoss(input, target, this.options);
  }
}
