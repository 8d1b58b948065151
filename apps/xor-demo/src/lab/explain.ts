// Backpropagation on the student's own network, worked: one weight element's gradient as the sum
// over the graph's paths of the products of local derivatives, beside `.grad` from backward and
// beside the lab's own hand formula (dW = Zᵀ·dz, np.kron(Z.T, dz) for one sample), computed here
// from plain arrays with no graph. The report, `pnpm demo explain` and the web inspector show it.
import { explainGradient, formatIndex, nodeLabel, noGrad, tensor } from '@gradlab/core';
import type { Dataset } from '@gradlab/data';
import { moduleFromConfig, type ModuleConfig, type StateDict } from '@gradlab/nn';
import type { LabConfig, LossName } from './config.ts';
import { buildStepGraph, sampleOf, type Sample, type StepGraph } from './graph.ts';
import { lossDerivative, lossFormula, rowLoss } from './loss.ts';
import type { WeightSnapshot } from './trainer.ts';

/** Paths listed in full; the rest are counted (their products are still in the sum). */
export const MAX_LISTED_PATHS = 40;

export interface FactorView {
  /** `∂z3/∂a2[0,1]`. */
  derivative: string;
  formula: string;
  local: number;
}

export interface PathView {
  /** `loss ← ŷ[0,0] ← … ← W1[0,0]`. */
  chain: string;
  factors: FactorView[];
  product: number;
}

export interface ExplanationView {
  /** `W1[0,0]`. */
  element: string;
  paths: PathView[];
  pathCount: number;
  /** Σ of the path products. */
  sum: number;
  /** The same element of the weight's `.grad`, as the backward pass left it. */
  grad: number;
  difference: number;
  /** Every path has a factor 0 (an input of 0, a ReLU that is off, …). */
  allPathsZero: boolean;
  /** The loss's own nodes (sub, pow, sum, mean; clamp, log, … for BCE) are one factor ∂loss/∂ŷ. */
  folded: boolean;
}

/**
 * The chain rule for element `index` (flat) of the parameter `name`: every path from the loss down
 * to it with its local derivatives and their product, their sum, and `.grad`. With `foldLoss`, the
 * steps inside the loss (from the loss down to ŷ) are one factor ∂loss/∂ŷ, with the loss's formula.
 */
export function explainWeight(graph: StepGraph, name: string, index: number, options: { foldLoss?: boolean; loss?: LossName; maxPaths?: number } = {}): ExplanationView {
  const parameter = graph.parameters.find((p) => p.name === name);
  if (!parameter) throw new Error(`no parameter named ${name} (the network has ${graph.parameters.map((p) => p.name).join(', ')})`);
  const w = parameter.tensor;
  const x = explainGradient(graph.loss, w, index, { maxPaths: options.maxPaths ?? MAX_LISTED_PATHS });
  const element = `${name}${x.indexText}`;
  const rootName = nodeLabel(graph.loss);
  const fold = options.foldLoss === true;
  const lossFactor = fold ? lossDerivative(options.loss ?? 'mse').formula : '';
  const paths = x.paths.map((p): PathView => {
    let steps = p.steps;
    const factors: FactorView[] = [];
    if (fold) {
      const at = steps.findIndex((s) => s.node === graph.output);
      if (at >= 0) {
        const local = steps.slice(0, at + 1).reduce((prod, s) => prod * s.local, 1);
        factors.push({ derivative: `∂${rootName}/∂ŷ`, formula: lossFactor, local });
        steps = steps.slice(at + 1);
      }
    }
    for (const s of steps) factors.push({ derivative: `∂${nodeLabel(s.from)}/∂${s.label}${s.indexText}`, formula: s.formula, local: s.local });
    const shown = fold ? p.steps.filter((s) => !isInsideLoss(p.steps, s, graph)) : p.steps;
    return {
      chain: [rootName, ...shown.map((s) => `${s.label}${s.indexText}`)].join(' ← '),
      factors,
      product: p.product,
    };
  });
  const grad = w.grad ? w.grad.data[index] : 0;
  return {
    element,
    paths,
    pathCount: x.pathCount,
    sum: x.sum,
    grad,
    difference: Math.abs(x.sum - grad),
    allPathsZero: x.pathCount > 0 && x.paths.length === x.pathCount && x.paths.every((p) => p.steps.some((s) => s.local === 0)),
    folded: fold,
  };
}

/** Whether a step of a path lies strictly inside the loss (between the loss and ŷ). */
function isInsideLoss(steps: readonly { node: unknown }[], step: { node: unknown }, graph: StepGraph): boolean {
  const at = steps.findIndex((s) => s.node === graph.output);
  const k = steps.indexOf(step);
  return at >= 0 && k < at;
}

// ---- naming an element ---------------------------------------------------------------------------

export interface ElementRef {
  /** `W1`, `b2`. */
  name: string;
  /** The multi-index, `[1, 0]`. */
  index: number[];
}

/** `W1[1,0]` → { name: 'W1', index: [1, 0] }; `b2[0]` too. Throws a message naming the text. */
export function parseElement(text: string): ElementRef {
  const m = /^\s*([Wb])(\d+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*$/.exec(text);
  if (!m) throw new Error(`expected a weight element such as W1[1,0] or b2[0], got '${text}'`);
  const index = [Number(m[3]), ...(m[4] === undefined ? [] : [Number(m[4])])];
  return { name: `${m[1]}${m[2]}`, index };
}

/** The shape of each parameter of [2, ...hidden, 1] by its lab name: W1 [2,h1], b1 [h1], … */
export function parameterShapes(config: Pick<LabConfig, 'hidden' | 'bias'>): Map<string, number[]> {
  const dims = [2, ...config.hidden, 1];
  const shapes = new Map<string, number[]>();
  for (let k = 1; k < dims.length; k++) {
    shapes.set(`W${k}`, [dims[k - 1], dims[k]]);
    if (config.bias) shapes.set(`b${k}`, [dims[k]]);
  }
  return shapes;
}

/** The flat index of `ref` in the network `config` describes; throws a message if it is not there. */
export function checkElement(ref: ElementRef, config: Pick<LabConfig, 'hidden' | 'bias'>): number {
  const shapes = parameterShapes(config);
  const shape = shapes.get(ref.name);
  const text = `${ref.name}[${ref.index.join(',')}]`;
  if (!shape) throw new Error(`${text}: the network has no ${ref.name} (it has ${[...shapes.keys()].join(', ')})`);
  if (ref.index.length !== shape.length || ref.index.some((i, ax) => i >= shape[ax])) {
    throw new Error(`${text} is outside ${ref.name}, whose shape is [${shape.join(',')}]`);
  }
  return shape.length === 1 ? ref.index[0] : ref.index[0] * shape[1] + ref.index[1];
}

// ---- the lab's hand formula ----------------------------------------------------------------------

type Activation = LabConfig['activation'];

function activate(name: Activation, z: number): number {
  switch (name) {
    case 'sigmoid':
      return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    case 'tanh':
      return Math.tanh(z);
    case 'relu':
      return z > 0 ? z : 0;
    case 'leaky-relu':
      return z > 0 ? z : 0.01 * z;
    case 'none':
      return z;
  }
}

/** f′ as the lab writes it: σ′ = a(1 − a), tanh′ = 1 − a², relu′ = [z > 0], leaky′ = 1 or 0.01. */
function activationDerivative(name: Activation, z: number, a: number): number {
  switch (name) {
    case 'sigmoid':
      return a * (1 - a);
    case 'tanh':
      return 1 - a * a;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leaky-relu':
      return z > 0 ? 1 : 0.01;
    case 'none':
      return 1;
  }
}

/** f′(z) in the lab's words, for the layer whose pre-activation is `z` and output `a`. */
function derivativeText(name: Activation, z: string, a: string): string {
  switch (name) {
    case 'sigmoid':
      return `σ′(${z}) = ${a}(1 − ${a})`;
    case 'tanh':
      return `tanh′(${z}) = 1 − ${a}²`;
    case 'relu':
      return `relu′(${z}) = [${z} > 0]`;
    case 'leaky-relu':
      return `leaky′(${z}) = 1 if ${z} > 0, else 0.01`;
    case 'none':
      return `f′(${z}) = 1 (no activation)`;
  }
}

export interface HandStep {
  /** `dz3`, `da2`, `dW3`. */
  name: string;
  /** How the lab computes it: `dz3 = dŷ ⊙ σ′(z3)`, `dW3 = np.kron(a2.T, dz3)`. */
  formula: string;
  /** A row vector (one row) or a matrix. */
  values: number[][];
}

export interface HandGradient {
  /** Forward values by hand: x, z1, a1, …, ŷ (rows of one sample). */
  forward: { name: string; values: number[] }[];
  /** dŷ, then per layer from the last: dz, dW (and db), da of the layer below. */
  steps: HandStep[];
  /** dW (or db) of every parameter, by its lab name. */
  gradients: Map<string, number[][]>;
}

/**
 * Backpropagation as the lab derives it by hand, for one sample, with plain arrays (no graph):
 *   dŷ = ∂loss/∂ŷ;  dz_L = dŷ ⊙ f′(z_L);  for k = L … 1:  dW_k = np.kron(a_{k−1}.T, dz_k)
 *   (= a_{k−1}ᵀ·dz_k, the outer product for one sample),  db_k = dz_k,
 *   da_{k−1} = dz_k·W_kᵀ,  dz_{k−1} = da_{k−1} ⊙ f′(z_{k−1}).
 */
export function handGradient(config: Pick<LabConfig, 'hidden' | 'bias' | 'activation' | 'outputActivation' | 'loss'>, weights: StateDict, sample: Sample): HandGradient {
  const dims = [2, ...config.hidden, 1];
  const L = dims.length - 1;
  const W: number[][][] = [];
  const b: (number[] | null)[] = [];
  for (let k = 1; k <= L; k++) {
    const w = weights[`${2 * (k - 1)}.weight`];
    if (!w) throw new Error(`handGradient: no weights for layer ${k}`);
    W.push(Array.from({ length: dims[k - 1] }, (_, i) => w.data.slice(i * dims[k], (i + 1) * dims[k])));
    const bias = weights[`${2 * (k - 1)}.bias`];
    b.push(config.bias && bias ? [...bias.data] : null);
  }
  const act = (k: number) => (k === L ? config.outputActivation : config.activation);
  // forward, by hand
  const a: number[][] = [[sample.x[0], sample.x[1]]];
  const z: number[][] = [[]];
  const forward = [{ name: 'x', values: a[0] }];
  for (let k = 1; k <= L; k++) {
    const zk = Array.from({ length: dims[k] }, (_, j) => a[k - 1].reduce((s, v, i) => s + v * W[k - 1][i][j], b[k - 1]?.[j] ?? 0));
    const ak = zk.map((v) => activate(act(k), v));
    z.push(zk);
    a.push(ak);
    forward.push({ name: `z${k}`, values: zk });
    if (act(k) !== 'none') forward.push({ name: k === L ? 'ŷ' : `a${k}`, values: ak });
  }
  const yHat = a[L][0];
  const d = lossDerivative(config.loss);
  const steps: HandStep[] = [{ name: 'dŷ', formula: d.formula.replace('∂loss/∂ŷ', 'dŷ'), values: [[d.value(yHat, sample.y)]] }];
  const gradients = new Map<string, number[][]>();
  let dz = [d.value(yHat, sample.y) * activationDerivative(act(L), z[L][0], a[L][0])];
  steps.push({ name: `dz${L}`, formula: `dz${L} = dŷ ⊙ f′(z${L}), ${derivativeText(act(L), `z${L}`, 'ŷ')}`, values: [dz] });
  for (let k = L; k >= 1; k--) {
    const below = k === 1 ? 'x' : `a${k - 1}`;
    const dW = a[k - 1].map((ai) => dz.map((dj) => ai * dj)); // np.kron(Z.T, dz): column ⊗ row
    gradients.set(`W${k}`, dW);
    steps.push({ name: `dW${k}`, formula: `dW${k} = np.kron(${below}.T, dz${k}) = ${below}ᵀ·dz${k}`, values: dW });
    if (b[k - 1]) {
      gradients.set(`b${k}`, [dz]);
      steps.push({ name: `db${k}`, formula: `db${k} = dz${k}`, values: [dz] });
    }
    if (k === 1) break;
    const da = a[k - 1].map((_, i) => dz.reduce((s, dj, j) => s + dj * W[k - 1][i][j], 0));
    steps.push({ name: `da${k - 1}`, formula: `da${k - 1} = dz${k}·W${k}ᵀ`, values: [da] });
    dz = da.map((v, i) => v * activationDerivative(act(k - 1), z[k - 1][i], a[k - 1][i]));
    steps.push({
      name: `dz${k - 1}`,
      formula: `dz${k - 1} = da${k - 1} ⊙ f′(z${k - 1}), ${derivativeText(act(k - 1), `z${k - 1}`, `a${k - 1}`)}`,
      values: [dz],
    });
  }
  return { forward, steps, gradients };
}

// ---- choosing the example and putting it together ------------------------------------------------

/** Per-sample losses of the network with these weights (one batched forward, no graph). */
export function sampleLosses(architecture: ModuleConfig, weights: StateDict, loss: LossName, data: Dataset): number[] {
  const model = moduleFromConfig(architecture, 'architecture');
  model.loadStateDict(weights);
  const out = noGrad(() => model.forward(tensor(data.inputs.data, { shape: data.inputs.shape })).data);
  const n = data.labels.size;
  const k = out.length / n; // outputs per sample: 1, or one per class with 'ce'
  return Array.from({ length: n }, (_, i) => rowLoss(loss, out, i * k, k, data.labels.data[i]));
}

export interface ExampleChoice {
  sample: number;
  /** The parameter and the flat index of its element. */
  name: string;
  index: number;
  /** How it was chosen, in one sentence. */
  why: string;
}

/**
 * The example a student can read: the sample with the largest loss at these weights, and the
 * element of W1 (the first layer's weight: its gradient sums the most paths) with the largest
 * |gradient| for that sample; if every element of W1 is 0 there, the largest |gradient| of any
 * weight. So the gradient shown is never 0 unless every gradient of the step is. `sample` or
 * `element` given by the user are taken as they are.
 */
export function chooseExample(
  config: LabConfig,
  architecture: ModuleConfig,
  weights: StateDict,
  data: Dataset,
  given: { sample?: number; element?: ElementRef } = {},
): ExampleChoice {
  let sample = given.sample;
  let why: string[] = [];
  if (sample === undefined) {
    const losses = sampleLosses(architecture, weights, config.loss, data);
    sample = losses.reduce((best, l, i) => (l > losses[best] ? i : best), 0);
    why.push(`sample #${sample} has the largest loss (${shortNumber(losses[sample])})`);
  } else sampleOf(data, sample);
  if (given.element) {
    return { sample, name: given.element.name, index: checkElement(given.element, config), why: why.join('; ') };
  }
  const graph = buildStepGraph(architecture, weights, config.loss, sampleOf(data, sample));
  const largest = (t: StepGraph['parameters'][number]) => {
    const g = t.tensor.grad?.data ?? new Float64Array(t.tensor.size);
    let best = 0;
    for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[best])) best = i;
    return { index: best, value: Math.abs(g[best] ?? 0) };
  };
  const w1 = graph.parameters[0];
  let pick = { name: w1.name, ...largest(w1) };
  if (pick.value === 0) {
    for (const p of graph.parameters) {
      const l = largest(p);
      if (l.value > pick.value) pick = { name: p.name, ...l };
    }
    why.push(`every element of ${w1.name} has gradient 0 here, so the largest |gradient| of any weight: ${pick.name}${formatIndex(graph.parameters.find((p) => p.name === pick.name)!.tensor.shape, pick.index)}`);
  } else {
    why.push(`${w1.name}${formatIndex(w1.tensor.shape, pick.index)} has the largest |gradient| of ${w1.name} for it`);
  }
  why = why.filter((s) => s !== '');
  return { sample, name: pick.name, index: pick.index, why: why.join('; ') };
}

export interface WorkedExample {
  epoch: number;
  sample: Sample;
  /** Why this sample and element (the rule, or "as asked"). */
  why: string;
  lossName: LossName;
  lossFormula: string;
  /** The weights at this epoch, by their lab names, as rows. */
  weights: { name: string; shape: readonly number[]; rows: number[][] }[];
  /** The forward values of the graph: x, z1, a1, …, ŷ, and the loss. */
  forward: { name: string; formula: string; values: number[] }[];
  explanation: ExplanationView;
  /** The parameter and flat index explained. */
  name: string;
  index: number;
  hand: HandGradient;
  /** The same element of the hand formula's dW. */
  handValue: number;
  /** The step graph the example was worked on (for its picture). */
  graph: StepGraph;
}

/** The whole example: the forward values, the paths (loss folded), the sum, `.grad` and the hand formula. */
export function workedExample(
  config: LabConfig,
  architecture: ModuleConfig,
  snapshot: WeightSnapshot,
  data: Dataset,
  given: { sample?: number; element?: ElementRef } = {},
): WorkedExample {
  const choice = chooseExample(config, architecture, snapshot.parameters, data, given);
  const sample = sampleOf(data, choice.sample);
  const graph = buildStepGraph(architecture, snapshot.parameters, config.loss, sample);
  const explanation = explainWeight(graph, choice.name, choice.index, { foldLoss: true, loss: config.loss });
  const hand = handGradient(config, snapshot.parameters, sample);
  const dW = hand.gradients.get(choice.name)!;
  const cols = dW[0].length;
  const handValue = choice.name.startsWith('b') ? dW[0][choice.index] : dW[Math.floor(choice.index / cols)][choice.index % cols];
  const forward = forwardFormulas(graph, config.bias);
  forward.unshift({ name: 'x', formula: `x = (x₁, x₂) of sample #${sample.index}`, values: [...sample.x] });
  forward.push({ name: 'loss', formula: `${lossFormula(config.loss)}, y = ${sample.y}`, values: [graph.loss.item()] });
  return {
    epoch: snapshot.epoch,
    sample,
    why: choice.why || 'as asked',
    lossName: config.loss,
    lossFormula: lossFormula(config.loss),
    weights: graph.parameters.map((p) => ({
      name: p.name,
      shape: p.tensor.shape,
      rows: p.tensor.rank === 1 ? [Array.from(p.tensor.data)] : Array.from({ length: p.tensor.shape[0] }, (_, i) => Array.from(p.tensor.data.slice(i * p.tensor.shape[1], (i + 1) * p.tensor.shape[1]))),
    })),
    forward,
    explanation,
    name: choice.name,
    index: choice.index,
    hand,
    handValue,
    graph,
  };
}

const ACTIVATION_SYMBOL: Record<string, string> = { sigmoid: 'σ', tanh: 'tanh', relu: 'relu', leakyRelu: 'leaky' };

/** Each layer's output with its formula: `z2 = a1·W2`, `a2 = σ(z2)`, `ŷ = σ(z3)`. */
function forwardFormulas(graph: StepGraph, bias: boolean): { name: string; formula: string; values: number[] }[] {
  let below = 'x';
  let lastZ = 'x';
  let k = 0;
  return graph.layers.map((t) => {
    const name = t.name ?? '';
    const op = t.op?.name ?? '';
    let formula: string;
    if (op === 'matmul' || op === 'add') {
      k++;
      formula = `${name} = ${below}·W${k}${bias ? ` + b${k}` : ''}`;
      lastZ = name === 'ŷ' ? `z${k}` : name;
    } else {
      formula = `${name} = ${ACTIVATION_SYMBOL[op] ?? op}(${lastZ})`;
      below = name;
    }
    return { name, formula, values: Array.from(t.data) };
  });
}

function shortNumber(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
