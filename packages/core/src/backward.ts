// Reverse-mode autodiff: the chain rule walked over the graph, outputs to inputs.
import { firstNonFinite, describeInputs, isAnomalyDetectionEnabled, setAnomalyDetection, withGradEnabled } from './op.ts';
import { formatShape, sameShape } from './shape.ts';
import { ones, toTensor, type Tensor, type TensorLike } from './tensor.ts';
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

/**
 * The nodes that require grad (or, with `includeConstants`, all nodes) reachable from `roots`,
 * each after all of its inputs (an iterative depth-first search: a chain of any length fits).
 */
export function topologicalOrder(roots: readonly Tensor[], includeConstants = false): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const nodes: Tensor[] = [];
  const next: number[] = [];
  for (const root of roots) {
    if (visited.has(root) || !(root.requiresGrad || includeConstants)) continue;
    visited.add(root);
    nodes.push(root);
    next.push(0);
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const node = nodes[top];
      const i = next[top];
      if (i < node.inputs.length) {
        next[top] = i + 1;
        const input = node.inputs[i];
        if ((input.requiresGrad || includeConstants) && !visited.has(input)) {
          visited.add(input);
          nodes.push(input);
          next.push(0);
        }
      } else {
        nodes.pop();
        next.pop();
        order.push(node);
      }
    }
  }
  return order;
}

/** ∂L/∂(input i of node), from ∂L/∂node, by the op's rule; summed back to the input's shape. */
export function inputGradient(node: Tensor, i: number, grad: Tensor): Tensor {
  const op = node.op!;
  const input = node.inputs[i];
  const rule = op.derivativeRule(i);
  const ctx = op.context(node, grad);
  // In anomaly mode the rule's own ops are not checked one by one: a bad value is reported
  // once, below, as the backward of the op the user wrote.
  const checking = isAnomalyDetectionEnabled();
  if (checking) setAnomalyDetection(false);
  let g: Tensor;
  try {
    g = rule.vjp ? rule.vjp(ctx) : mul(grad, rule.partial!(ctx));
  } finally {
    if (checking) setAnomalyDetection(true);
  }
  if (!sameShape(g.shape, input.shape)) {
    const fits = g.rank >= input.rank && input.shape.every((d, k) => d === 1 || d === g.shape[g.rank - input.rank + k]);
    if (!fits) {
      throw new Error(
        `${op.name}: the rule for input '${op.inputNames[i]}' gave a gradient of shape ${formatShape(g.shape)}, ` +
          `but the input has shape ${formatShape(input.shape)}`,
      );
    }
    g = sumTo(g, input.shape); // undo broadcasting, once, here
  }
  if (checking) {
    const bad = firstNonFinite(g.data);
    if (bad >= 0) {
      throw new Error(
        `detectAnomaly: ${op.label(node.attrs)} backward produced ${g.data[bad]} in the gradient for input ` +
          `'${op.inputNames[i]}' ${formatShape(input.shape)} (inputs ${describeInputs(op.inputNames, node.inputs)})`,
      );
    }
  }
  return g;
}

/**
 * The backward walk. Seeds ∂L/∂root, then visits nodes in reverse topological order; each node
 * hands its gradient to its inputs through its op's local-derivative rules, and an input that
 * fans out to several nodes adds up their contributions (∂L/∂x = Σ paths).
 * Only nodes that lead to a wanted tensor are visited. Returns ∂L/∂node for every visited node.
 */
export function propagate(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  wanted: ReadonlySet<Tensor> | null,
  createGraph: boolean,
): Map<Tensor, Tensor> {
  const order = topologicalOrder(roots);
  let leads: Set<Tensor> | null = null;
  if (wanted) {
    leads = new Set();
    for (const node of order) {
      if (wanted.has(node) || node.inputs.some((x) => leads!.has(x))) leads.add(node);
    }
  }
  const grads = new Map<Tensor, Tensor>();
  return withGradEnabled(createGraph, () => {
    roots.forEach((root, k) => {
      const prev = grads.get(root);
      grads.set(root, prev ? add(prev, seeds[k]) : seeds[k]);
    });
    for (let n = order.length - 1; n >= 0; n--) {
      const node = order[n];
      const grad = grads.get(node);
      if (!grad || !node.op) continue;
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i];
        if (!input.requiresGrad || (leads && !leads.has(input)) || !node.op.isDifferentiable(i)) continue;
        const g = inputGradient(node, i, grad);
        const prev = grads.get(input);
        grads.set(input, prev ? add(prev, g) : g);
      }
    }
    return grads;
  });
}

function resolveSeed(where: string, output: Tensor, seed: TensorLike | undefined): Tensor {
  if (seed === undefined) {
    if (output.size !== 1) {
      throw new Error(
        `${where}: the output has shape ${formatShape(output.shape)}; a non-scalar output needs an explicit seed ` +
          `(∂L/∂output) of that shape`,
      );
    }
    return ones(output.shape);
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
  const createGraph = options?.createGraph ?? false;
  const grads = propagate([root], [resolveSeed('backward', root, seed)], null, createGraph);
  withGradEnabled(createGraph, () => {
    for (const [node, g] of grads) {
      if (node.op && !node.retainsGrad && !options?.retainGrads) continue;
      if (node.grad) node.grad = add(node.grad, g);
      else node.grad = createGraph ? g : g.clone();
    }
  });
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
  const grads = propagate(outs, seeds, new Set(ins), options?.createGraph ?? false);
  return ins.map((x, k) => {
    const g = grads.get(x);
    // without createGraph, every result is a tensor of its own (a gradient may be a seed or shared)
    if (g) return options?.createGraph ? g : g.clone();
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
