// The chain rule made visible: a weight's gradient as a sum over paths, and the backward walk
// one node at a time. View models only (plain data), so they are tested in Node.
// A weight's gradient path by path is the lab's (src/lab/explain.ts: explainWeight).
import { formatIndex, formatValues, nodeLabel, type BackwardStep, type Tensor } from '@gradlab/core';
import type { PathView } from '../../lab/explain.ts';
import { num } from '../format.ts';

/** The flat indices of a tensor with their `[i,j]` names, for an element picker. */
export function elementChoices(t: Tensor): { index: number; text: string }[] {
  return Array.from({ length: t.size }, (_, i) => ({ index: i, text: formatIndex(t.shape, i) }));
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
  /** The rule that hands it down, in matrix form for matmul: `∂loss/∂a1 = ∂loss/∂z2 · W2ᵀ`. */
  rule: string;
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
        rule: handOnRule(step.node, c.inputName, c.input),
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

/**
 * How a node hands its gradient to one input, as a formula: for matmul C = A·B the matrix form
 * (`∂loss/∂A = ∂loss/∂C · Bᵀ`, `∂loss/∂B = Aᵀ · ∂loss/∂C`) with the lab's names, otherwise the
 * elementwise product with the local derivative.
 */
export function handOnRule(node: Tensor, slot: string, input: Tensor): string {
  const c = nodeLabel(node);
  const x = nodeLabel(input);
  if (node.op?.name === 'matmul') {
    const [a, b] = node.inputs.map(nodeLabel);
    return slot === 'a' ? `∂loss/∂${a} = ∂loss/∂${c} · ${b}ᵀ` : `∂loss/∂${b} = ${a}ᵀ · ∂loss/∂${c}`;
  }
  return `∂loss/∂${x} = ∂loss/∂${c} ⊙ ∂${c}/∂${x}`;
}
