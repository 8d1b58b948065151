// The step graph as a picture's data: nodes (with their lines of text) and edges (with the local
// derivative each carries), the loss's helper nodes folded into one `loss = mean((ŷ−y)²)` node when
// asked, and the Graphviz DOT of it. graph.svg, the report and the web inspector draw from it, so
// every picture names and folds the same way. Edges and nodes have stable ids (`n12`, `e12-15`)
// for highlighting.
import { explainGradient, formatShape, formatValues, localDerivatives, nodeLabel, type Tensor } from '@gradlab/core';
import type { LossName } from './config.ts';
import type { StepGraph } from './graph.ts';
import { lossDerivative, lossFormula } from './loss.ts';

export type ViewNodeKind = 'parameter' | 'input' | 'constant' | 'operation' | 'loss';

export interface ViewNode {
  /** `n12`: the tensor's id (the folded loss keeps the loss tensor's). */
  id: string;
  tensor: Tensor;
  /** `W1`, `z1`, `loss`. */
  label: string;
  kind: ViewNodeKind;
  /** `z1 = matmul`, `W1`, `loss = mean((ŷ−y)²)`. */
  title: string;
  shape: string;
  value: string;
  grad: string | null;
  /** Helper nodes folded into this one (the folded loss), else empty. */
  folded: Tensor[];
}

export interface ViewEdge {
  /** `e3-7`: from input node 3 to its user 7. */
  id: string;
  from: string;
  to: string;
  /** `∂z1/∂W1`: what the edge carries, short. */
  short: string;
  /** The rule's formula. */
  formula: string;
  /** The local derivative's numbers (elementwise rules), or null (matmul: the other operand). */
  numbers: string | null;
  /** Whether a gradient flows along it (false for data and constants). */
  carriesGradient: boolean;
}

export interface GraphView {
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Whether the loss's helper nodes are folded into its node. */
  foldedLoss: boolean;
}

export interface GraphViewOptions {
  /** Fold the nodes between ŷ, y and the loss into one node (default true). */
  foldLoss?: boolean;
  loss: LossName;
  /** Tensors up to this many elements are written out whole (default 12). */
  maxElements?: number;
  /** Significant digits (default 4). */
  precision?: number;
}

/** The tensors inside the loss (between ŷ, y and the loss node): sub, pow, sum, constants, clamp, log, … */
export function lossHelpers(graph: StepGraph): Set<Tensor> {
  const below = new Set<Tensor>();
  const stack: Tensor[] = [graph.output];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (below.has(t)) continue;
    below.add(t);
    stack.push(...t.inputs);
  }
  const helpers = new Set<Tensor>();
  for (const n of graph.nodes) {
    const t = n.tensor;
    if (below.has(t) || t === graph.loss || t.name === 'y') continue;
    helpers.add(t);
  }
  return helpers;
}

const id = (t: Tensor) => `n${t.id}`;

export function graphView(graph: StepGraph, options: GraphViewOptions): GraphView {
  const fold = options.foldLoss ?? true;
  const fmt = { precision: options.precision ?? 4, maxElements: options.maxElements ?? 12 };
  const helpers = fold ? lossHelpers(graph) : new Set<Tensor>();
  const nodes: ViewNode[] = [];
  const edges: ViewEdge[] = [];
  for (const info of graph.nodes) {
    const t = info.tensor;
    if (helpers.has(t)) continue;
    const isLoss = t === graph.loss && fold;
    const kind: ViewNodeKind = isLoss ? 'loss' : info.op ? 'operation' : t.requiresGrad ? 'parameter' : t.name ? 'input' : 'constant';
    const title = isLoss ? lossFormula(options.loss) : info.op ? (t.name ? `${t.name} = ${t.op!.label(t.attrs)}` : info.label) : info.label;
    nodes.push({
      id: id(t),
      tensor: t,
      label: info.label,
      kind,
      title,
      shape: formatShape(t.shape),
      value: formatValues(t, fmt),
      grad: t.grad ? formatValues(t.grad, fmt) : null,
      folded: isLoss ? [...helpers] : [],
    });
  }
  for (const info of graph.nodes) {
    const t = info.tensor;
    if (!t.op || helpers.has(t)) continue;
    if (t === graph.loss && fold) {
      // the folded loss: its inputs are ŷ (∂loss/∂ŷ, which backward left in ŷ.grad) and y
      const d = lossDerivative(options.loss);
      const yHat = graph.output;
      edges.push({
        id: `e${yHat.id}-${t.id}`,
        from: id(yHat),
        to: id(t),
        short: `∂loss/∂ŷ`,
        formula: d.formula,
        numbers: yHat.grad ? formatValues(yHat.grad, fmt) : null,
        carriesGradient: true,
      });
      const y = graph.nodes.find((n) => n.tensor.name === 'y' && n.isLeaf)?.tensor;
      if (y) edges.push({ id: `e${y.id}-${t.id}`, from: id(y), to: id(t), short: '', formula: 'y: a label, no gradient', numbers: null, carriesGradient: false });
      continue;
    }
    localDerivatives(t).forEach((d, i) => {
      const input = t.inputs[i];
      edges.push({
        id: `e${input.id}-${t.id}`,
        from: id(input),
        to: id(t),
        short: `∂${nodeLabel(t)}/∂${nodeLabel(input)}`,
        formula: d.formula,
        numbers: d.value ? formatValues(d.value, fmt) : null,
        carriesGradient: input.requiresGrad,
      });
    });
  }
  return { nodes, edges, foldedLoss: fold };
}

export interface DotStyle {
  rankdir?: 'TB' | 'LR';
  /** A matrix's rows on lines of their own (narrower boxes, for the lecture view). */
  matrixRows?: boolean;
  /** 'full': formula and numbers on every edge (print); 'short': `∂z1/∂W1` only (lecture, formula on click). */
  edgeLabels?: 'full' | 'short';
  nodeFontSize?: number;
  edgeFontSize?: number;
  /**
   * A compact layout for a projector: shape beside the title, tight margins and rank gaps, and edge
   * labels placed after layout (Graphviz `xlabel`), so they take no rank of their own.
   */
  compact?: boolean;
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const FILL: Record<ViewNodeKind, string> = {
  operation: '#eef3fb',
  parameter: '#fde9d9',
  input: '#f2f2f2',
  constant: '#f2f2f2',
  loss: '#fff4d6',
};

/** Graphviz DOT of the view: node ids `n12`, edge ids `e3-7` (kept in the SVG for highlighting). */
export function viewDot(view: GraphView, style: DotStyle = {}): string {
  const lines = [
    'digraph gradlab {',
    `  rankdir=${style.rankdir ?? 'TB'};`,
    '  bgcolor="transparent";',
    `  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=${style.nodeFontSize ?? 11}];`,
    `  edge [fontname="Helvetica", fontsize=${style.edgeFontSize ?? 9}];`,
  ];
  if (style.compact) lines.push('  ranksep=0.22; nodesep=0.35; forcelabels=true;', '  node [margin="0.08,0.03"];');
  const values = (text: string) => (style.matrixRows ? text.replace(/\], \[/g, '],\n [') : text);
  for (const n of view.nodes) {
    const rows = style.compact ? [`${n.title}   ${n.shape}`, `value ${values(n.value)}`] : [n.title, `shape ${n.shape}`, `value ${values(n.value)}`];
    if (n.grad !== null) rows.push(`grad ${values(n.grad)}`);
    const tooltip = n.folded.length ? `folded: ${n.folded.map((t) => nodeLabel(t)).join(', ')}` : n.title;
    lines.push(`  ${n.id} [id=${dotString(n.id)}, class=${dotString(`kind-${n.kind}`)}, label=${dotString(rows.join('\n'))}, fillcolor="${FILL[n.kind]}", tooltip=${dotString(tooltip)}];`);
  }
  for (const e of view.edges) {
    // an edge that carries no gradient (data, constants) is drawn dashed and unlabelled
    const formula = e.formula.startsWith(`${e.short} `) ? e.formula : `${e.short}: ${e.formula}`;
    const full = e.short === '' || !e.carriesGradient ? '' : `${formula}${e.numbers === null ? '' : `\n= ${e.numbers}`}`;
    const label = !e.carriesGradient ? '' : style.edgeLabels === 'short' ? e.short : full;
    const attrs = [`id=${dotString(e.id)}`, `class=${dotString(e.carriesGradient ? 'grad' : 'data')}`, `${style.compact ? 'xlabel' : 'label'}=${dotString(label)}`];
    if (!e.carriesGradient) attrs.push('style=dashed', 'color="#8c959f"');
    if (e.formula) attrs.push(`tooltip=${dotString(`${e.short ? `${e.short}: ` : ''}${e.formula}${e.numbers === null ? '' : ` = ${e.numbers}`}`)}`);
    lines.push(`  ${e.from} -> ${e.to} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** Where a tensor of the graph is drawn: its own node, the folded loss node, or nowhere (hidden). */
export function viewNodeOf(view: GraphView, t: Tensor): string | null {
  const own = `n${t.id}`;
  if (view.nodes.some((n) => n.id === own)) return own;
  const loss = view.nodes.find((n) => n.kind === 'loss' && n.folded.includes(t));
  return loss ? loss.id : null;
}

/** The edge drawn for "`input` is used by `user`" (null when the picture hides it, or it is inside the folded loss). */
export function viewEdgeOf(view: GraphView, input: Tensor, user: Tensor): string | null {
  const from = viewNodeOf(view, input);
  const to = viewNodeOf(view, user);
  if (from === null || to === null || from === to) return null;
  const id = `e${from.slice(1)}-${to.slice(1)}`;
  return view.edges.some((e) => e.id === id) ? id : null;
}

/** Paths walked for highlighting at most: every tensor-level edge of an MLP is on the first few. */
export const HIGHLIGHT_PATHS = 2000;

/**
 * The nodes and edges on the paths from the loss down to element `index` of the parameter
 * `name`, as the view draws them. The picture's edges join tensors, not elements, so the first
 * HIGHLIGHT_PATHS paths cover them all in an MLP (each path passes one unit of each layer along
 * the same tensor edges); a [2,128,128,128,1] network's 16,384 paths are not all walked.
 */
export function pathHighlight(view: GraphView, graph: StepGraph, name: string, index: number): { nodes: Set<string>; edges: Set<string> } {
  const parameter = graph.parameters.find((p) => p.name === name);
  const nodes = new Set<string>();
  const edges = new Set<string>();
  if (!parameter) return { nodes, edges };
  const x = explainGradient(graph.loss, parameter.tensor, index, { maxPaths: HIGHLIGHT_PATHS });
  for (const p of x.paths) {
    for (const s of p.steps) {
      const edge = viewEdgeOf(view, s.node, s.from);
      if (edge) edges.add(edge);
      for (const t of [s.node, s.from]) {
        const id = viewNodeOf(view, t);
        if (id) nodes.add(id);
      }
    }
  }
  return { nodes, edges };
}
