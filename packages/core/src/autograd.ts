// Reverse-mode autodiff: the chain rule walked over the graph, outputs to inputs.
import { GradlabError } from './errors.ts';
import { describeInputs, firstNonFinite, currentResultHook, freshResults, withResultHook, type GradientContext, type ResultHook } from './op.ts';
import { isAnomalyDetectionEnabled, withMode } from './modes.ts';
import { add } from './ops/add.ts';
import { sumTo } from './ops/broadcastTo.ts';
import { cast } from './ops/cast.ts';
import { mul } from './ops/mul.ts';
import { formatShape, sameShape, type Shape } from './shape.ts';
import { allocate, lastTensorId, renewTensor, Tensor, toTensor, walkMark, walkNext, type DType, type TensorLike } from './tensor.ts';

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

/** What the walk tells an observer as it goes (the inspector's step-through is one). */
export interface WalkObserver {
  /** The walk reached `node`: `grad` is ∂L/∂node, complete (every user of the node has given its part). */
  reached?(node: Tensor, grad: Tensor): void;
  /** `node` gave its input i `value` = ∂L/∂node · ∂node/∂input; the input's gradient so far is `total`. */
  gave?(node: Tensor, i: number, value: Tensor, total: Tensor): void;
}

export interface WalkOptions {
  /** Visit only the nodes that lead to these tensors (the others' gradients are not needed). */
  wanted?: readonly Tensor[];
  createGraph?: boolean;
  observer?: WalkObserver;
}

/** The result of a backward walk: the nodes in topological order, and ∂L/∂node for each. */
export interface Walk {
  order: Tensor[];
  /** By position in `order`; undefined where no gradient reached. */
  grads: (Tensor | undefined)[];
  /** The position in `order` of each wanted tensor (-1 if the roots do not depend on it). */
  wantedAt: number[];
}

// ---- the order ------------------------------------------------------------------------------

type Stamped = Tensor & Record<symbol, number>;
const MARK: symbol = walkMark;
const NEXT: symbol = walkNext;
let searches = 0;

/** A graph in topological order, and where each node's inputs sit in it (-1: not in the order). */
interface Ordered {
  order: Tensor[];
  /** The positions of node k's inputs are inputAt[firstInput[k] …]. */
  inputAt: number[];
  firstInput: number[];
}

/**
 * The nodes that require grad (or, with `includeConstants`, all nodes) reachable from `roots`,
 * each after all of its inputs: an iterative depth-first search, so a chain of any length fits.
 * A node is marked with the search's number when first seen; while it is on the stack its NEXT
 * slot is the next input to visit, and once placed, its position in the order.
 */
function search(roots: readonly Tensor[], includeConstants: boolean): Ordered {
  const id = ++searches;
  const order: Tensor[] = [];
  const inputAt: number[] = [];
  const firstInput: number[] = [];
  const stack: Stamped[] = [];
  for (let r = 0; r < roots.length; r++) {
    visit(roots[r] as Stamped, id, includeConstants, stack);
    while (stack.length > 0) {
      const node = stack[stack.length - 1];
      const inputs = node.inputs as readonly Stamped[];
      const i = node[NEXT];
      if (i < inputs.length) {
        node[NEXT] = i + 1;
        visit(inputs[i], id, includeConstants, stack);
      } else {
        // every input is placed by now: note where, then place the node
        stack.pop();
        firstInput.push(inputAt.length);
        for (let j = 0; j < inputs.length; j++) {
          const x = inputs[j];
          inputAt.push(x[MARK] === id ? x[NEXT] : -1);
        }
        node[NEXT] = order.length;
        order.push(node);
      }
    }
  }
  firstInput.push(inputAt.length);
  return { order, inputAt, firstInput };
}

/** Puts `t` on the search's stack, unless it was seen already or is a constant not asked for. */
function visit(t: Stamped, id: number, includeConstants: boolean, stack: Stamped[]): void {
  if (t[MARK] === id || !(t.requiresGrad || includeConstants)) return;
  t[MARK] = id;
  t[NEXT] = 0;
  stack.push(t);
}

/** The nodes reachable from `roots`, each after all of its inputs (see `search`). */
export function topologicalOrder(roots: readonly Tensor[], includeConstants = false): Tensor[] {
  return search(roots, includeConstants).order;
}

/** Which nodes lead to a wanted position (a node leads if it is wanted or one of its inputs leads). */
function leadingTo(wantedAt: readonly number[], { order, inputAt, firstInput }: Ordered): Uint8Array {
  const leads = new Uint8Array(order.length);
  for (const p of wantedAt) if (p >= 0) leads[p] = 1;
  for (let k = 0; k < order.length; k++) {
    for (let e = firstInput[k]; e < firstInput[k + 1]; e++) if (inputAt[e] >= 0 && leads[inputAt[e]]) leads[k] = 1;
  }
  return leads;
}

// ---- one step of the chain rule ----------------------------------------------------------------

/** ∂L/∂(input i of node), from ∂L/∂node, by the op's rule; summed back to the input's shape. */
export function inputGradient(node: Tensor, i: number, grad: Tensor, context?: GradientContext<string, unknown>): Tensor {
  const op = node.op!;
  const rule = op.derivativeRule(i);
  const ctx = context ?? op.context(node, grad);
  const vjp = op.fastVjp(i) ?? rule.vjp;
  const g = vjp ? vjp(ctx) : mul(grad, rule.partial!(ctx));
  const input = node.inputs[i];
  const summed = g.shape === input.shape || sameShape(g.shape, input.shape) ? g : summedBack(g, node, i);
  // a gradient has its input's dtype (a float32 input of a promoted float64 op gets float32)
  return summed.dtype === input.dtype ? summed : cast(summed, input.dtype);
}

/** A rule's gradient of a broadcast shape, summed back to the input's (undoing broadcasting, once, here). */
function summedBack(g: Tensor, node: Tensor, i: number): Tensor {
  const op = node.op!;
  const input = node.inputs[i];
  const fits = g.rank >= input.rank && input.shape.every((d, k) => d === 1 || d === g.shape[g.rank - input.rank + k]);
  if (!fits) {
    throw new GradlabError(
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
  const g = withMode('anomaly', false, () => inputGradient(node, i, grad));
  const bad = firstNonFinite(g.data);
  if (bad >= 0) {
    const op = node.op!;
    throw new GradlabError(
      `detectAnomaly: ${op.label(node.attrs)} backward produced ${g.data[bad]} in the gradient for input ` +
        `'${op.inputNames[i]}' ${formatShape(node.inputs[i].shape)} (inputs ${describeInputs(op.inputNames, node.inputs)})`,
    );
  }
  return g;
}

/** An op's rules read its inputs and result as they were: any changed in place since is an error. */
function checkUnchanged(node: Tensor): void {
  const versions = node.inputVersions;
  for (let i = 0; i < node.inputs.length; i++) {
    const x = node.inputs[i];
    if (x.version !== versions[i]) throw changedInPlace(node, `input '${node.op!.inputNames[i]}'`, x, versions[i]);
  }
  if (node.version !== 0) throw changedInPlace(node, 'the result', node, 0);
}

function changedInPlace(node: Tensor, what: string, t: Tensor, then: number): GradlabError {
  return new GradlabError(
    `backward: ${what} of ${node.op!.label(node.attrs)} ${formatShape(t.shape)}${t.name ? ` '${t.name}'` : ''} was changed in place ` +
      `(version ${t.version}, the graph saw version ${then}) after the op used it: its gradient would be wrong. ` +
      `Build the graph again after changing values in place`,
  );
}

// ---- the walk ---------------------------------------------------------------------------------

/**
 * The backward walk. Seeds ∂L/∂root, then visits the nodes in reverse topological order: each
 * node gives its inputs their part of the gradient through its op's rules, and an input used by
 * several nodes adds up their parts (∂L/∂x = Σ over paths).
 */
export function walk(roots: readonly Tensor[], seeds: readonly Tensor[], options: WalkOptions = {}): Walk {
  const { wanted, createGraph = false, observer } = options;
  const graph = search(roots, false);
  const { order, inputAt, firstInput } = graph;
  const wantedAt = wanted ? wanted.map((x) => positionOf(graph, x)) : [];
  const leads = wanted ? leadingTo(wantedAt, graph) : null;
  const grads = new Array<Tensor | undefined>(order.length);
  const anomaly = isAnomalyDetectionEnabled();
  withMode('grad', createGraph, () => {
    roots.forEach((root, k) => {
      const p = positionOf(graph, root);
      grads[p] = grads[p] ? add(grads[p], seeds[k]) : seeds[k];
    });
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k];
      const grad = grads[k];
      if (!grad) continue;
      observer?.reached?.(node, grad);
      if (!node.op) continue;
      checkUnchanged(node);
      // one named view of the node for all of its inputs' rules
      let ctx: GradientContext<string, unknown> | undefined;
      for (let i = 0; i < node.inputs.length; i++) {
        const p = inputAt[firstInput[k] + i];
        if (p < 0 || (leads && !leads[p]) || !node.op.isDifferentiable(i)) continue;
        const g = anomaly ? checkedInputGradient(node, i, grad) : inputGradient(node, i, grad, (ctx ??= node.op.context(node, grad)));
        const total = grads[p] ? add(grads[p], g) : g;
        grads[p] = total;
        observer?.gave?.(node, i, g, total);
      }
    }
  });
  return { order, grads, wantedAt };
}

function positionOf({ order }: Ordered, x: Tensor): number {
  const p = (x as Stamped)[NEXT];
  return (x as Stamped)[MARK] === searches && order[p] === x ? p : -1;
}

// ---- scratch: the walk's own values, reused -------------------------------------------------------

/**
 * The gradients a walk passes from node to node are dead once it returns, except those it hands
 * out (which it gives away as they are, owned by the receiver from then on). They are kept, by
 * size, tensor and buffer, and made new (a fresh id, no history) for the rules' results in the
 * next walk: a training loop walks the same graph every step, so that walk asks for the same
 * sizes, and allocates nothing but what it hands out. Only small buffers are kept, and not too
 * many (a pool of large buffers would hold memory long after training). Values made inside a
 * rule and not returned by it are never reused, so a rule may keep them.
 */
const SCRATCH_MAX_SIZE = 4096;
const SCRATCH_MAX_VALUES = 1 << 18;
/** And not too many tensors (each keeps its object too: a chain of 100,000 scalars would fill the pool). */
const SCRATCH_MAX_TENSORS = 1 << 14;
/** What the walk writes in a gradient's MARK slot (gradients are made after the search, never searched). */
const HANDED_OUT = -1;
const RELEASED = -2;

class Scratch implements ResultHook {
  /** Dead gradients by size, whole, float64 and float32 apart: their tensors are made new again rather than allocated. */
  private readonly free: Tensor[][] = Array.from({ length: SCRATCH_MAX_SIZE + 1 }, () => []);
  private readonly free32: Tensor[][] = Array.from({ length: SCRATCH_MAX_SIZE + 1 }, () => []);
  private values = 0;
  private tensors = 0;

  result(shape: Shape, size: number, dtype: DType): Tensor {
    const dead = size <= SCRATCH_MAX_SIZE ? (dtype === 'float64' ? this.free : this.free32)[size].pop() : undefined;
    if (dead === undefined) return new Tensor(allocate(size, dtype), shape);
    this.values -= size;
    this.tensors--;
    return renewTensor(dead, shape);
  }

  /** Takes back the walk's gradients made after tensor `firstId`, except those handed out. */
  release(grads: readonly (Tensor | undefined)[], firstId: number): void {
    for (let k = 0; k < grads.length; k++) {
      const g = grads[k];
      if (g === undefined || g.id <= firstId || (g as Stamped)[MARK] < 0) continue;
      (g as Stamped)[MARK] = RELEASED; // a gradient may sit in several slots: released once
      const size = g.size;
      if (size === 0 || size > SCRATCH_MAX_SIZE || this.values + size > SCRATCH_MAX_VALUES || this.tensors === SCRATCH_MAX_TENSORS) continue;
      (g.dtype === 'float64' ? this.free : this.free32)[size].push(g);
      this.values += size;
      this.tensors++;
    }
  }
}

const scratch = new Scratch();

/**
 * A gradient leaving the walk, as a tensor of its own: the walk's own value (made after tensor
 * `firstId`) the first time, a copy otherwise (a seed, a value handed out already). With
 * createGraph the copy is made by an op, so it stays in the graph.
 */
function handOut(g: Tensor, firstId: number, createGraph: boolean): Tensor {
  if (g.id > firstId && (g as Stamped)[MARK] !== HANDED_OUT) {
    (g as Stamped)[MARK] = HANDED_OUT;
    return g;
  }
  return createGraph && g.requiresGrad ? mul(g, 1) : g.clone();
}

/**
 * Runs a walk without createGraph with results from the scratch pool (unless another hook is in
 * force: compile's recording), hands out what `keep` picks, and releases the rest.
 */
function pooledWalk<T>(roots: readonly Tensor[], seeds: readonly Tensor[], wanted: readonly Tensor[] | undefined, keep: (w: Walk, firstId: number) => T): T {
  const hook = currentResultHook();
  if (hook !== freshResults && hook !== scratch) return keep(walk(roots, seeds, { wanted }), lastTensorId());
  return withResultHook(scratch, () => {
    const firstId = lastTensorId();
    const w = walk(roots, seeds, { wanted });
    const kept = keep(w, firstId);
    scratch.release(w.grads, firstId);
    return kept;
  });
}

// ---- the public faces of the walk -----------------------------------------------------------------

function resolveSeed(where: string, output: Tensor, seed: TensorLike | undefined): Tensor {
  if (seed === undefined) {
    if (output.size !== 1) {
      throw new GradlabError(
        `${where}: the output has shape ${formatShape(output.shape)}; a non-scalar output needs an explicit seed ` +
          `(∂L/∂output) of that shape`,
      );
    }
    return new Tensor(allocate(1, output.dtype).fill(1), output.shape);
  }
  const s = typeof seed === 'number' && output.size === 1 ? new Tensor(allocate(1, output.dtype).fill(seed), output.shape) : toTensor(seed);
  if (!sameShape(s.shape, output.shape)) {
    throw new GradlabError(`${where}: the seed has shape ${formatShape(s.shape)} but the output has shape ${formatShape(output.shape)}`);
  }
  // the seed in the output's dtype
  return s.dtype === output.dtype ? s : cast(s, output.dtype);
}

/** `root.backward(seed)`: accumulates ∂root/∂leaf into `.grad` of every leaf that requires grad. */
export function backward(root: Tensor, seed?: TensorLike, options?: BackwardOptions): void {
  if (!root.requiresGrad) {
    throw new GradlabError('backward: this tensor does not require grad (no tensor in its graph has requiresGrad: true)');
  }
  if (currentResultHook().records) {
    throw new GradlabError("backward: called inside compile()'s step function; return the loss instead (compile differentiates it)");
  }
  const retainGrads = options?.retainGrads ?? false;
  const createGraph = options?.createGraph ?? false;
  const seeds = [resolveSeed('backward', root, seed)];
  if (createGraph) {
    const firstId = lastTensorId();
    storeGrads(walk([root], seeds, { createGraph }), firstId, true, retainGrads);
  } else {
    pooledWalk([root], seeds, undefined, (w, firstId) => storeGrads(w, firstId, false, retainGrads));
  }
}

/** Adds the walk's gradients to `.grad` of the leaves (and, if asked, of every node). */
function storeGrads(w: Walk, firstId: number, createGraph: boolean, retainGrads: boolean): void {
  withMode('grad', createGraph, () => {
    for (let k = w.order.length - 1; k >= 0; k--) {
      const node = w.order[k];
      const g = w.grads[k];
      if (!g || (node.op && !node.retainsGrad && !retainGrads)) continue;
      node.grad = node.grad ? add(node.grad, g) : handOut(g, firstId, createGraph);
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
    if (!(o instanceof Tensor)) throw new GradlabError(`grad: output ${k} is not a Tensor (got ${typeof o})`);
    if (!o.requiresGrad) throw new GradlabError(`grad: output ${k} does not require grad`);
  });
  ins.forEach((x, k) => {
    if (!(x instanceof Tensor)) throw new GradlabError(`grad: input ${k} is not a Tensor (got ${typeof x})`);
    if (!x.requiresGrad) throw new GradlabError(`grad: input ${k} (${formatShape(x.shape)}) does not require grad`);
  });
  const seeds = outs.map((o, k) => resolveSeed('grad', o, options?.seeds?.[k]));
  const createGraph = options?.createGraph ?? false;
  let found: (Tensor | null)[];
  if (createGraph) {
    const firstId = lastTensorId();
    found = pickWanted(walk(outs, seeds, { wanted: ins, createGraph }), firstId, true);
  } else {
    found = pooledWalk(outs, seeds, ins, (w, firstId) => pickWanted(w, firstId, false));
  }
  return ins.map((x, k) => {
    const g = found[k];
    if (g) return g;
    if (options?.allowUnused) return new Tensor(allocate(x.size, x.dtype), x.shape);
    throw new GradlabError(
      `grad: input ${k} (${formatShape(x.shape)}) is not reached from the outputs through differentiable inputs ` +
        `(pass allowUnused: true for zeros)`,
    );
  });
}

/** The gradients of the wanted tensors, handed out (null where none reached). */
function pickWanted(w: Walk, firstId: number, createGraph: boolean): (Tensor | null)[] {
  return w.wantedAt.map((at) => {
    const g = at >= 0 ? w.grads[at] : undefined;
    return g ? handOut(g, firstId, createGraph) : null;
  });
}

/** Clears `.grad` of every given tensor. */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) t.grad = null;
}
