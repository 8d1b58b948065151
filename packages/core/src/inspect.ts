// Inspection, the teaching core: see every node, its local derivatives, and the chain rule.
import { GradlabError } from './errors.ts';
import { grad, topologicalOrder, walk } from './autograd.ts';
import { noGrad } from './modes.ts';
import type { JacobianEntry, LocalDerivative } from './op.ts';
import { sumTo } from './ops/broadcastTo.ts';
import { broadcastIndex, formatShape, stridesOf } from './shape.ts';
import { ones, zeros, type Tensor } from './tensor.ts';

export interface NodeInfo {
  id: number;
  tensor: Tensor;
  /** The op's name, or null for a leaf. */
  op: string | null;
  /** What to call the node: its name, or its op with attributes, or `input`/`constant`. */
  label: string;
  shape: readonly number[];
  value: Tensor;
  grad: Tensor | null;
  inputs: Tensor[];
  isLeaf: boolean;
  requiresGrad: boolean;
}

/** What a node is called in pictures and explanations. */
export function nodeLabel(t: Tensor): string {
  if (t.name) return t.name;
  if (t.op) return t.op.label(t.attrs);
  if (t.requiresGrad) return `leaf#${t.id}`;
  return t.size === 1 && t.rank === 0 ? String(t.data[0]) : `const#${t.id}`;
}

/** Every node that `root` depends on (constants included), inputs before the nodes using them. */
export function trace(root: Tensor): NodeInfo[] {
  return topologicalOrder([root], true).map((t) => ({
    id: t.id,
    tensor: t,
    op: t.op?.name ?? null,
    label: nodeLabel(t),
    shape: t.shape,
    value: t,
    grad: t.grad,
    inputs: [...t.inputs],
    isLeaf: t.op === null,
    requiresGrad: t.requiresGrad,
  }));
}

/** The local derivative of `node` with respect to each of its inputs: formula and numbers. */
export function localDerivatives(node: Tensor): LocalDerivative[] {
  const op = node.op;
  if (!op) return [];
  return noGrad(() => node.inputs.map((_, i) => op.localDerivative(node, i)));
}

/**
 * Element-level local derivatives of one edge: (result element, input element, value).
 * Elementwise rules give them directly (broadcasting decides which input element each result
 * element reads); ops may list them (matmul); otherwise `vjp` is probed with one-hot gradients.
 */
export function edgeJacobian(node: Tensor, i: number): JacobianEntry[] {
  const op = node.op;
  if (!op) return [];
  const input = node.inputs[i];
  if (!op.isDifferentiable(i)) return [];
  return noGrad(() => {
    const rule = op.derivativeRule(i);
    const ctx = op.context(node, null);
    if (rule.jacobian) return rule.jacobian(ctx);
    if (rule.partial) {
      const partial = rule.partial(ctx);
      const p = broadcastIndex(partial.shape, node.shape);
      const x = broadcastIndex(input.shape, node.shape);
      const entries: JacobianEntry[] = [];
      for (let o = 0; o < node.size; o++) entries.push([o, x[o], partial.data[p[o]]]);
      return entries;
    }
    const entries: JacobianEntry[] = [];
    for (let o = 0; o < node.size; o++) {
      const oneHot = zeros(node.shape);
      oneHot.data[o] = 1;
      const g = sumTo(rule.vjp!(op.context(node, oneHot)), input.shape);
      for (let j = 0; j < g.size; j++) if (g.data[j] !== 0) entries.push([o, j, g.data[j]]);
    }
    return entries;
  });
}

// ---- formatting ---------------------------------------------------------------------------

/** A short text for a tensor's values: `0.25`, `[0.1, 0.2]`, `[[1, 2], [3, 4]]`, or `[3,3] [0.1, …]`. */
export function formatValues(t: Tensor, options?: { precision?: number; maxElements?: number }): string {
  const precision = options?.precision ?? 4;
  const maxElements = options?.maxElements ?? 9;
  const num = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(precision)).toString());
  if (t.rank === 0) return num(t.data[0]);
  if (t.size > maxElements) {
    const head = Array.from(t.data.subarray(0, Math.min(3, t.size)), num).join(', ');
    return `${formatShape(t.shape)} [${head}, …]`;
  }
  const strides = stridesOf(t.shape);
  const build = (axis: number, offset: number): string => {
    if (axis === t.rank) return num(t.data[offset]);
    const parts: string[] = [];
    for (let i = 0; i < t.shape[axis]; i++) parts.push(build(axis + 1, offset + i * strides[axis]));
    return `[${parts.join(', ')}]`;
  };
  return build(0, 0);
}

/** A flat index as a multi-index: `[0,2]`. */
export function formatIndex(shape: readonly number[], flat: number): string {
  if (shape.length === 0) return '';
  const strides = stridesOf(shape);
  return `[${shape.map((_, ax) => Math.floor(flat / strides[ax]) % shape[ax]).join(',')}]`;
}

// ---- Graphviz -----------------------------------------------------------------------------

export interface DotOptions {
  /** Significant digits for numbers (default 4). */
  precision?: number;
  /** Tensors with more elements show their shape and first values only (default 9). */
  maxElements?: number;
  /** Graph direction: 'LR' (default) or 'TB'. */
  rankdir?: 'LR' | 'TB';
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Graphviz DOT for the graph below `root`: each node shows its op (or name), shape, value and
 * grad; each edge, input → op, is labelled with the op's local derivative for that input
 * (formula, and numbers where small).
 */
export function toDot(root: Tensor, options?: DotOptions): string {
  const fmt = { precision: options?.precision ?? 4, maxElements: options?.maxElements ?? 9 };
  const lines = [
    'digraph gradlab {',
    `  rankdir=${options?.rankdir ?? 'LR'};`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const info of trace(root)) {
    const t = info.tensor;
    const title = info.op ? (t.name ? `${t.name} = ${t.op!.label(t.attrs)}` : info.label) : info.label;
    const rows = [title, `shape ${formatShape(t.shape)}`, `value ${formatValues(t, fmt)}`];
    if (t.grad) rows.push(`grad ${formatValues(t.grad, fmt)}`);
    const fill = info.op ? '#eef3fb' : t.requiresGrad ? '#fde9d9' : '#f2f2f2';
    lines.push(`  n${t.id} [label=${dotString(rows.join('\n'))}, fillcolor="${fill}"];`);
  }
  for (const info of trace(root)) {
    const t = info.tensor;
    if (!t.op) continue;
    localDerivatives(t).forEach((d, i) => {
      const input = t.inputs[i];
      const numbers = d.value ? `\n= ${formatValues(d.value, fmt)}` : '';
      const label = `${d.input}: ${d.formula}${numbers}`;
      lines.push(`  n${input.id} -> n${t.id} [label=${dotString(label)}];`);
    });
  }
  lines.push('}');
  return lines.join('\n');
}

// ---- the chain rule for one element ------------------------------------------------------------

export interface ChainStep {
  /** The node the gradient flows into at this step (from its user `from`). */
  node: Tensor;
  label: string;
  /** Element of `node` on the path (flat index and as `[i,j]`). */
  index: number;
  indexText: string;
  /** The op whose local derivative this factor is, and its formula. */
  from: Tensor;
  formula: string;
  /** ∂from[fromIndex]/∂node[index]. */
  local: number;
}

export interface ChainPath {
  steps: ChainStep[];
  /** The product of the local derivatives along the path. */
  product: number;
}

export interface GradientExplanation {
  root: Tensor;
  leaf: Tensor;
  index: number;
  indexText: string;
  /** Every path from the root to leaf[index] (up to `maxPaths`). */
  paths: ChainPath[];
  /** Number of paths in all (may exceed paths.length when truncated). */
  pathCount: number;
  truncated: boolean;
  /** Σ over all paths of their products. */
  sum: number;
  /** The gradient ∂root/∂leaf[index] computed by the backward walk, for comparison. */
  gradient: number;
  toString(): string;
}

/**
 * The chain rule for one element of one leaf: ∂root/∂leaf[index] = Σ over paths of the product
 * of the local derivatives along the path. `root` must be a single value (a loss).
 */
export function explainGradient(
  root: Tensor,
  leaf: Tensor,
  index: number | readonly number[] = 0,
  options?: { maxPaths?: number },
): GradientExplanation {
  if (root.size !== 1) throw new GradlabError(`explainGradient: the root must hold one value (a loss), got ${formatShape(root.shape)}`);
  const flat = typeof index === 'number' ? index : flatIndex(leaf.shape, index);
  if (!Number.isInteger(flat) || flat < 0 || flat >= leaf.size) {
    throw new GradlabError(`explainGradient: index ${JSON.stringify(index)} is outside the leaf of shape ${formatShape(leaf.shape)}`);
  }
  const maxPaths = options?.maxPaths ?? 1000;
  const order = topologicalOrder([root]);
  if (!order.includes(leaf)) throw new GradlabError('explainGradient: the root does not depend on that tensor');

  // 1. forward from leaf[flat]: which elements of which nodes depend on it, and the edges used
  const reached = new Map<Tensor, Set<number>>([[leaf, new Set([flat])]]);
  const edges: Edges = new Map();
  for (const node of order) {
    if (!node.op) continue;
    const used: { input: number; entries: JacobianEntry[] }[] = [];
    const mine = reached.get(node) ?? new Set<number>();
    node.inputs.forEach((input, i) => {
      const from = reached.get(input);
      if (!from) return;
      const entries = edgeJacobian(node, i).filter(([, j]) => from.has(j));
      if (entries.length === 0) return;
      used.push({ input: i, entries });
      for (const [o] of entries) mine.add(o);
    });
    if (used.length) {
      edges.set(node, used);
      reached.set(node, mine);
    }
  }

  // 2. the sum over all paths (and their number), by dynamic programming: S(node, e) = Σ local · S(input, j)
  const sums = sumOverPaths(order, edges, leaf, flat, (local) => local);
  const counts = sumOverPaths(order, edges, leaf, flat, () => 1);

  // 3. the paths themselves, depth first from the root (an explicit stack: any depth fits)
  const paths: ChainPath[] = [];
  const pathCount = root === leaf ? 1 : (counts.get(root)?.get(0) ?? 0);

  const stack: { node: Tensor; index: number; steps: ChainStep[]; product: number }[] = [
    { node: root, index: 0, steps: [], product: 1 },
  ];
  while (stack.length > 0 && paths.length < maxPaths) {
    const { node, index: e, steps, product } = stack.pop()!;
    if (node === leaf && e === flat) {
      paths.push({ steps, product });
      continue;
    }
    const used = edges.get(node);
    if (!used) continue;
    const derivs = localDerivatives(node);
    const next: typeof stack = [];
    for (const { input, entries } of used) {
      const child = node.inputs[input];
      for (const [o, j, v] of entries) {
        if (o !== e) continue;
        const step: ChainStep = {
          node: child,
          label: nodeLabel(child),
          index: j,
          indexText: formatIndex(child.shape, j),
          from: node,
          formula: derivs[input].formula,
          local: v,
        };
        next.push({ node: child, index: j, steps: [...steps, step], product: product * v });
      }
    }
    for (let k = next.length - 1; k >= 0; k--) stack.push(next[k]);
  }

  const sum = root === leaf ? 1 : (sums.get(root)?.get(0) ?? 0);
  const gradient = leafGradient(root, leaf, flat);
  const explanation: GradientExplanation = {
    root,
    leaf,
    index: flat,
    indexText: formatIndex(leaf.shape, flat),
    paths,
    pathCount,
    truncated: paths.length < pathCount,
    sum,
    gradient,
    toString: () => formatExplanation(explanation),
  };
  return explanation;
}

type Edges = Map<Tensor, { input: number; entries: JacobianEntry[] }[]>;

/** For every node element reached from leaf[flat]: Σ over the paths to it of Π weight(local). */
function sumOverPaths(order: Tensor[], edges: Edges, leaf: Tensor, flat: number, weight: (local: number) => number) {
  const totals = new Map<Tensor, Map<number, number>>([[leaf, new Map([[flat, 1]])]]);
  for (const node of order) {
    const used = edges.get(node);
    if (!used) continue;
    const s = totals.get(node) ?? new Map<number, number>();
    for (const { input, entries } of used) {
      const inner = totals.get(node.inputs[input])!;
      for (const [o, j, v] of entries) s.set(o, (s.get(o) ?? 0) + weight(v) * (inner.get(j) ?? 0));
    }
    totals.set(node, s);
  }
  return totals;
}

function leafGradient(root: Tensor, leaf: Tensor, flat: number): number {
  if (root === leaf) return 1;
  return grad(root, leaf)[0].data[flat];
}

function flatIndex(shape: readonly number[], index: readonly number[]): number {
  if (index.length !== shape.length) return NaN;
  const strides = stridesOf(shape);
  let f = 0;
  for (let i = 0; i < index.length; i++) {
    if (!Number.isInteger(index[i]) || index[i] < 0 || index[i] >= shape[i]) return NaN;
    f += index[i] * strides[i];
  }
  return f;
}

function num(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

function formatExplanation(x: GradientExplanation): string {
  const rootName = nodeLabel(x.root);
  const leafName = `${nodeLabel(x.leaf)}${x.indexText}`;
  const out = [
    `∂${rootName}/∂${leafName} by the chain rule: the sum over ${x.pathCount} path${x.pathCount === 1 ? '' : 's'} ` +
      `of the product of local derivatives along each path`,
  ];
  x.paths.forEach((p, k) => {
    out.push('', `path ${k + 1}: ${[rootName, ...p.steps.map((s) => `${s.label}${s.indexText}`)].join(' ← ')}`);
    for (const s of p.steps) {
      out.push(`  ∂${nodeLabel(s.from)}/∂${s.label}${s.indexText} = ${num(s.local)}    (${s.formula})`);
    }
    out.push(`  product = ${p.steps.map((s) => num(s.local)).join(' × ') || '1'} = ${num(p.product)}`);
  });
  if (x.truncated) out.push('', `… ${x.pathCount - x.paths.length} more paths not listed (their products are in the sum)`);
  out.push(
    '',
    `sum of path products = ${x.sum}`,
    `gradient from backward = ${x.gradient}`,
    `difference = ${Math.abs(x.sum - x.gradient).toExponential(2)}`,
  );
  return out.join('\n');
}

// ---- the backward pass, one node at a time -------------------------------------------------------

export interface BackwardContribution {
  /** The input that receives the gradient. */
  input: Tensor;
  inputName: string;
  /** ∂root/∂node · ∂node/∂input: what this node hands to that input. */
  value: Tensor;
  /** The input's gradient after adding this contribution (sums up where a value fans out). */
  accumulated: Tensor;
}

export interface BackwardStep {
  node: Tensor;
  label: string;
  /** ∂root/∂node, complete when the walk reaches the node (all its users are done). */
  grad: Tensor;
  contributions: BackwardContribution[];
}

/**
 * The backward walk from a scalar `root`, recorded step by step in reverse topological order:
 * for each node, its complete gradient and what it hands to each input. Nothing is written to
 * `.grad`. It is the walk `backward()` runs, watched: the steps are what that walk reports.
 */
export function backwardSteps(root: Tensor): BackwardStep[] {
  if (root.size !== 1) throw new GradlabError(`backwardSteps: the root must hold one value, got ${formatShape(root.shape)}`);
  const steps: BackwardStep[] = [];
  walk([root], [ones(root.shape)], {
    observer: {
      reached: (node, g) => steps.push({ node, label: nodeLabel(node), grad: g, contributions: [] }),
      gave: (node, i, value, total) =>
        steps[steps.length - 1].contributions.push({ input: node.inputs[i], inputName: node.op!.inputNames[i], value, accumulated: total }),
    },
  });
  return steps;
}
