// The chain rule made visible: a weight's gradient as a sum over paths, and the backward walk
// one node at a time. View models only (plain data), so they are tested in Node.
import { explainGradient, formatIndex, formatValues, nodeLabel, type BackwardStep, type Tensor } from '@gradlab/core';
import { num } from '../format.ts';
import type { StepGraph } from '../../lab/graph.ts';

/** Paths listed in full; the rest are counted (their products are still in the sum). */
export const MAX_LISTED_PATHS = 40;

export interface FactorView {
  /** `∂z3/∂a2[0,1]`. */
  derivative: string;
  formula: string;
  local: number;
}

export interface PathView {
  /** `loss ← … ← W1[0,0]`. */
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
}

/** The flat indices of a tensor with their `[i,j]` names, for an element picker. */
export function elementChoices(t: Tensor): { index: number; text: string }[] {
  return Array.from({ length: t.size }, (_, i) => ({ index: i, text: formatIndex(t.shape, i) }));
}

export function explainWeight(graph: StepGraph, name: string, index: number): ExplanationView {
  const parameter = graph.parameters.find((p) => p.name === name);
  if (!parameter) throw new Error(`inspector: no parameter named ${name}`);
  const w = parameter.tensor;
  const x = explainGradient(graph.loss, w, index, { maxPaths: MAX_LISTED_PATHS });
  const element = `${name}${x.indexText}`;
  const rootName = nodeLabel(graph.loss);
  const paths = x.paths.map(
    (p): PathView => ({
      chain: [rootName, ...p.steps.map((s) => `${s.label}${s.indexText}`)].join(' ← '),
      factors: p.steps.map((s) => ({ derivative: `∂${nodeLabel(s.from)}/∂${s.label}${s.indexText}`, formula: s.formula, local: s.local })),
      product: p.product,
    }),
  );
  const grad = w.grad ? w.grad.data[index] : 0;
  return {
    element,
    paths,
    pathCount: x.pathCount,
    sum: x.sum,
    grad,
    difference: Math.abs(x.sum - grad),
    allPathsZero: x.pathCount > 0 && x.paths.length === x.pathCount && x.paths.every((p) => p.steps.some((s) => s.local === 0)),
  };
}

/** `1 × -1.82695 × 0.0790373 = -0.144396`. */
export function productText(path: PathView): string {
  const factors = path.factors.map((f) => num(f.local)).join(' × ') || '1';
  return `${factors} = ${num(path.product)}`;
}

export interface ContributionView {
  /** The input receiving gradient, by its label. */
  to: string;
  /** The op's name for that input (`a`, `b`, `x`). */
  slot: string;
  /** ∂loss/∂node · ∂node/∂input: what this step hands down. */
  value: string;
  /** Every contribution that input has received so far (this one last), and their sum. */
  parts: string[];
  accumulated: string;
  /** The input now has gradient from more than one user (its value fans out). */
  fansOut: boolean;
}

export interface StepView {
  /** 1-based position and total. */
  position: number;
  total: number;
  nodeId: number;
  label: string;
  /** ∂loss/∂node, complete at this step. */
  grad: string;
  isLeaf: boolean;
  contributions: ContributionView[];
  /** Ids of nodes whose step is done (including this one), for highlighting. */
  doneIds: number[];
  /** Ids of the inputs receiving gradient at this step. */
  targetIds: number[];
}

const VALUES = { precision: 6, maxElements: 16 };

/** Step k (0-based) of the backward walk, with every input's contributions up to that step. */
export function stepView(steps: readonly BackwardStep[], k: number): StepView {
  if (k < 0 || k >= steps.length) throw new Error(`inspector: step ${k} is outside 0..${steps.length - 1}`);
  const received = new Map<Tensor, string[]>();
  for (let s = 0; s <= k; s++) {
    for (const c of steps[s].contributions) {
      const list = received.get(c.input) ?? [];
      list.push(formatValues(c.value, VALUES));
      received.set(c.input, list);
    }
  }
  const step = steps[k];
  return {
    position: k + 1,
    total: steps.length,
    nodeId: step.node.id,
    label: step.label,
    grad: formatValues(step.grad, VALUES),
    isLeaf: step.node.op === null,
    contributions: step.contributions.map((c) => {
      const parts = received.get(c.input) ?? [];
      return {
        to: nodeLabel(c.input),
        slot: c.inputName,
        value: formatValues(c.value, VALUES),
        parts,
        accumulated: formatValues(c.accumulated, VALUES),
        fansOut: parts.length > 1,
      };
    }),
    doneIds: steps.slice(0, k + 1).map((s) => s.node.id),
    targetIds: step.contributions.map((c) => c.input.id),
  };
}
