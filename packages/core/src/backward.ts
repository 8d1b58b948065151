// Reverse-mode autodiff: the chain rule walked over the graph, outputs to inputs.
import {
  beginScratch, describeInputs, endScratch, firstNonFinite, handingOut, isAnomalyDetectionEnabled, isGradEnabled, isRecording,
  setAnomalyDetection, setGradEnabled,
} from './op.ts';
import { formatShape, sameShape } from './shape.ts';
import { ones, Tensor, toTensor, type TensorLike } from './tensor.ts';
import { add } from './ops/add.ts';
import { mul } from './ops/mul.ts';
import { sumTo } from './ops/broadcastTo.ts';

export interface BackwardOptions {
  /** Record the backward pass itself as a graph, for higher-order derivatives. */
  createGraph?: boolean;
  /** Keep `.grad` on every intermediate node too (for inspection), not only on leaves. */
  retainGrads?: boolean;
}

export interface GradOptions {
  createGraph?: boolean;
  /** ∂L/∂output for each output; defaults to 1 for scalar outputs. */
  seeds?: readonly TensorLike[];
  /** Return zeros for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

let walks = 0;
// The depth-first search's stack, kept between walks (a walk runs no rule while ordering).
const searchStack: Tensor[] = [];

/**
 * The nodes that require grad (or, with `includeConstants`, all nodes) reachable from `roots`,
 * each after all of its inputs (an iterative depth-first search: a chain of any length fits).
 * Each node is stamped with this walk's number (visited) and its position in the order (while
 * it is on the search's stack, `walkIndex` is the next of its inputs to visit).
 */
export function topologicalOrder(roots: readonly Tensor[], includeConstants = false): Tensor[] {
  const walk = ++walks;
  const order: Tensor[] = [];
  const stack = searchStack;
  for (const root of roots) {
    if (root.walkMark === walk || !(root.requiresGrad || includeConstants)) continue;
    root.walkMark = walk;
    root.walkIndex = 0;
    stack.push(root);
    while (stack.length > 0) {
      const node = stack[stack.length - 1];
      const i = node.walkIndex;
      if (i < node.inputs.length) {
        node.walkIndex = i + 1;
        const input = node.inputs[i];
        if ((input.requiresGrad || includeConstants) && input.walkMark !== walk) {
          input.walkMark = walk;
          input.walkIndex = 0;
          stack.push(input);
        }
      } else {
        stack.pop();
        node.walkIndex = order.length;
        order.push(node);
      }
    }
  }
  return order;
}

/** ∂L/∂(input i of node), from ∂L/∂node, by the op's rule; summed back to the input's shape. */
export function inputGradient(node: Tensor, i: number, grad: Tensor): Tensor {
  if (isAnomalyDetectionEnabled()) return checkedInputGradient(node, i, grad);
  const op = node.op!;
  const rule = op.derivativeRule(i);
  const ctx = op.context(node, grad);
  const g = rule.vjp ? rule.vjp(ctx) : mul(grad, rule.partial!(ctx));
  const input = node.inputs[i];
  return g.shape === input.shape || sameShape(g.shape, input.shape) ? g : summedBack(g, node, i);
}

/** A rule's gradient of a broadcast shape, summed back to the input's (undoing broadcasting, once, here). */
function summedBack(g: Tensor, node: Tensor, i: number): Tensor {
  const op = node.op!;
  const input = node.inputs[i];
  const fits = g.rank >= input.rank && input.shape.every((d, k) => d === 1 || d === g.shape[g.rank - input.rank + k]);
  if (!fits) {
    throw new Error(
      `${op.name}: the rule for input '${op.inputNames[i]}' gave a gradient of shape ${formatShape(g.shape)}, ` +
        `but the input has shape ${formatShape(input.shape)}`,
    );
  }
  return sumTo(g, input.shape);
}

/**
 * inputGradient in anomaly mode. The rule's own ops are not checked one by one: a bad value is
 * reported once, as the backward of the op the user wrote.
 */
function checkedInputGradient(node: Tensor, i: number, grad: Tensor): Tensor {
  let g: Tensor;
  setAnomalyDetection(false);
  try {
    g = inputGradient(node, i, grad);
  } finally {
    setAnomalyDetection(true);
  }
  const bad = firstNonFinite(g.data);
  if (bad >= 0) {
    const op = node.op!;
    throw new Error(
      `detectAnomaly: ${op.label(node.attrs)} backward produced ${g.data[bad]} in the gradient for input ` +
        `'${op.inputNames[i]}' ${formatShape(node.inputs[i].shape)} (inputs ${describeInputs(op.inputNames, node.inputs)})`,
    );
  }
  return g;
}

/** Where `x` sits in the order of walk number `walk`, or -1 if that walk did not visit it. */
function positionIn(walk: number, x: Tensor): number {
  return x.walkMark === walk ? x.walkIndex : -1;
}

/** Stamps the nodes of `order` again with walk number `walk` (after a rule ran a walk of its own). */
function restamp(order: readonly Tensor[], walk: number): void {
  for (let k = 0; k < order.length; k++) {
    order[k].walkMark = walk;
    order[k].walkIndex = k;
  }
}

/** The result of a backward walk: the nodes in topological order, and ∂L/∂node for each. */
export interface Walk {
  order: Tensor[];
  /** By position in `order`; undefined where no gradient reached. */
  grads: (Tensor | undefined)[];
  /** The position in `order` of each wanted tensor (-1 if the roots do not depend on it). */
  wantedAt: number[];
}

/**
 * The backward walk. Seeds ∂L/∂root, then visits nodes in reverse topological order; each node
 * hands its gradient to its inputs through its op's local-derivative rules, and an input that
 * fans out to several nodes adds up their contributions (∂L/∂x = Σ paths).
 * With `wanted`, only nodes that lead to a wanted tensor are visited.
 */
export function propagate(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  wanted: readonly Tensor[] | null,
  createGraph: boolean,
): Walk {
  const order = topologicalOrder(roots);
  const walk = walks;
  const wantedAt = wanted ? wanted.map((x) => positionIn(walk, x)) : [];
  let leads: Uint8Array | null = null;
  if (wanted) {
    leads = new Uint8Array(order.length);
    for (const p of wantedAt) if (p >= 0) leads[p] = 1;
    for (let k = 0; k < order.length; k++) {
      for (const x of order[k].inputs) if (x.walkMark === walk && leads[x.walkIndex]) leads[k] = 1;
    }
  }
  const grads = new Array<Tensor | undefined>(order.length);
  let walksSeen = walk; // a rule may walk a graph of its own, which stamps nodes anew
  const previous = isGradEnabled();
  setGradEnabled(createGraph);
  try {
    for (let k = 0; k < roots.length; k++) {
      const p = positionIn(walk, roots[k]);
      const prev = grads[p];
      grads[p] = prev ? add(prev, seeds[k]) : seeds[k];
    }
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k];
      const grad = grads[k];
      if (!grad || !node.op) continue;
      const inputs = node.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i];
        if (input.walkMark !== walk || (leads && !leads[input.walkIndex]) || !node.op.isDifferentiable(i)) continue;
        const g = inputGradient(node, i, grad);
        if (walks !== walksSeen) {
          restamp(order, walk);
          walksSeen = walks;
        }
        const p = input.walkIndex;
        const prev = grads[p];
        grads[p] = prev ? add(prev, g) : g;
      }
    }
  } finally {
    setGradEnabled(previous);
  }
  return { order, grads, wantedAt };
}

function resolveSeed(where: string, output: Tensor, seed: TensorLike | undefined): Tensor {
  if (seed === undefined) {
    if (output.size !== 1) {
      throw new Error(
        `${where}: the output has shape ${formatShape(output.shape)}; a non-scalar output needs an explicit seed ` +
          `(∂L/∂output) of that shape`,
      );
    }
    const one = new Float64Array(1);
    one[0] = 1;
    return new Tensor(one, output.shape);
  }
  const s = typeof seed === 'number' && output.size === 1 ? ones(output.shape).mul(seed) : toTensor(seed);
  if (!sameShape(s.shape, output.shape)) {
    throw new Error(`${where}: the seed has shape ${formatShape(s.shape)} but the output has shape ${formatShape(output.shape)}`);
  }
  return s;
}

/** `root.backward(seed)`: accumulates ∂root/∂leaf into `.grad` of every leaf that requires grad. */
export function backward(root: Tensor, seed?: TensorLike, options?: BackwardOptions): void {
  if (!root.requiresGrad) {
    throw new Error('backward: this tensor does not require grad (no tensor in its graph has requiresGrad: true)');
  }
  if (isRecording()) {
    throw new Error("backward: called inside compile()'s step function; return the loss instead (compile differentiates it)");
  }
  const createGraph = options?.createGraph ?? false;
  const retainGrads = options?.retainGrads ?? false;
  const begun = createGraph ? null : beginScratch();
  try {
    const { order, grads } = propagate([root], [resolveSeed('backward', root, seed)], null, createGraph);
    if (!createGraph) handingOut(); // the rules' tensors are scratch: .grad gets copies
    const previous = isGradEnabled();
    setGradEnabled(createGraph);
    try {
      for (let k = order.length - 1; k >= 0; k--) {
        const node = order[k];
        const g = grads[k];
        if (!g || (node.op && !node.retainsGrad && !retainGrads)) continue;
        if (node.grad) node.grad = add(node.grad, g);
        else node.grad = createGraph ? g : g.clone();
      }
    } finally {
      setGradEnabled(previous);
    }
  } finally {
    if (begun !== null) endScratch(begun);
  }
}

/** ∂(Σ outputs)/∂input for each input, without touching `.grad` (PyTorch's autograd.grad). */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options?: GradOptions,
): Tensor[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  outs.forEach((o, k) => {
    if (!o.requiresGrad) throw new Error(`grad: output ${k} does not require grad`);
  });
  ins.forEach((x, k) => {
    if (!x.requiresGrad) throw new Error(`grad: input ${k} (${formatShape(x.shape)}) does not require grad`);
  });
  const seeds = outs.map((o, k) => resolveSeed('grad', o, options?.seeds?.[k]));
  const createGraph = options?.createGraph ?? false;
  const begun = createGraph ? null : beginScratch();
  let found: (Tensor | null)[];
  try {
    const { grads, wantedAt } = propagate(outs, seeds, ins, createGraph);
    if (!createGraph) handingOut();
    // without createGraph, every result is a tensor of its own (a gradient may be a seed, shared, or scratch)
    found = wantedAt.map((at) => (at >= 0 && grads[at] ? (createGraph ? grads[at] : grads[at].clone()) : null));
  } finally {
    if (begun !== null) endScratch(begun);
  }
  return ins.map((x, k) => {
    const g = found[k];
    if (g) return g;
    if (options?.allowUnused) return ones(x.shape).mul(0);
    throw new Error(
      `grad: input ${k} (${formatShape(x.shape)}) is not reached from the outputs through differentiable inputs ` +
        `(pass allowUnused: true for zeros)`,
    );
  });
}

/** Clears `.grad` of every given tensor. */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) t.grad = null;
}
