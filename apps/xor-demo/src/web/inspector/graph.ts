// One training step of the current network as a graph: forward, loss and backward for one sample,
// with the tensors named as in the lab (x, z1, a1, W1, …, ŷ, y, loss). Built in the page from
// the worker's weights; pure (no DOM), so it is tested in Node.
import {
  backwardSteps,
  formatShape,
  formatValues,
  localDerivatives,
  nodeLabel,
  tensor,
  trace,
  type BackwardStep,
  type NodeInfo,
  type Tensor,
} from '@gradlab/core';
import { bceLoss, Dense, moduleFromConfig, mseLoss, Sequential, type ModuleConfig, type StateDict } from '@gradlab/nn';
import type { LossName } from '../../lab/config.ts';

export interface Sample {
  index: number;
  x: readonly [number, number];
  y: number;
}

export interface NamedParameter {
  /** W1, b1, W2, … (layer k's weight and bias). */
  name: string;
  tensor: Tensor;
}

export interface StepGraph {
  sample: Sample;
  loss: Tensor;
  prediction: number;
  /** Every node, inputs before the nodes that use them. */
  nodes: NodeInfo[];
  byId: Map<number, NodeInfo>;
  parameters: NamedParameter[];
  /** The backward walk, node by node, in reverse topological order. */
  steps: BackwardStep[];
}

/**
 * Rebuilds the network from its architecture and weights, runs one sample forward, computes the
 * loss, and runs backward keeping every node's gradient.
 */
export function buildStepGraph(architecture: ModuleConfig, weights: StateDict, loss: LossName, sample: Sample): StepGraph {
  const model = moduleFromConfig(architecture, 'architecture');
  if (!(model instanceof Sequential)) throw new Error('inspector: expected a Sequential network');
  model.loadStateDict(weights);
  const parameters = nameParameters(model);

  const x = tensor([sample.x[0], sample.x[1]], { shape: [1, 2], name: 'x' });
  const y = tensor([sample.y], { shape: [1, 1], name: 'y' });
  const pred = forwardNamed(model, x);
  const root = (loss === 'bce' ? bceLoss : mseLoss)(pred, y);
  root.name = 'loss';
  root.backward(undefined, { retainGrads: true });

  const nodes = trace(root);
  return {
    sample,
    loss: root,
    prediction: pred.data[0],
    nodes,
    byId: new Map(nodes.map((n) => [n.id, n])),
    parameters,
    steps: backwardSteps(root),
  };
}

/** Layer k's parameters are W{k} and b{k}, as the lab calls them. */
function nameParameters(model: Sequential): NamedParameter[] {
  const out: NamedParameter[] = [];
  let layer = 0;
  for (const m of model.layers) {
    if (!(m instanceof Dense)) continue;
    layer++;
    m.weight.name = `W${layer}`;
    out.push({ name: m.weight.name, tensor: m.weight });
    if (m.bias) {
      m.bias.name = `b${layer}`;
      out.push({ name: m.bias.name, tensor: m.bias });
    }
  }
  return out;
}

/** The forward pass, naming each layer's output: z{k} = a{k−1}·W{k} (+ b{k}), a{k} = f(z{k}), ŷ. */
function forwardNamed(model: Sequential, x: Tensor): Tensor {
  let z = x;
  let layer = 0;
  for (const m of model.layers) {
    const out = m.forward(z);
    if (m instanceof Dense) out.name = `z${++layer}`;
    else if (out !== z) out.name = `a${layer}`;
    z = out;
  }
  z.name = 'ŷ';
  return z;
}

/** What a node is, in the inspector's words. */
export type NodeKind = 'parameter' | 'input' | 'constant' | 'operation';

export function nodeKind(info: NodeInfo): NodeKind {
  if (!info.isLeaf) return 'operation';
  if (info.requiresGrad) return 'parameter';
  return info.tensor.name ? 'input' : 'constant';
}

export interface LocalDerivativeView {
  /** The op's name for the input (`a`, `b`, `x`) and what is plugged in there. */
  input: string;
  inputLabel: string;
  formula: string;
  /** The derivative's numbers, when the rule has them elementwise (else null). */
  numbers: string | null;
}

export interface NodeDetails {
  id: number;
  label: string;
  kind: NodeKind;
  /** The op with its attributes (`pow(2)`), or null for a leaf. */
  op: string | null;
  shape: string;
  value: string;
  /** ∂loss/∂node, or null where no gradient flows (inputs, constants). */
  grad: string | null;
  locals: LocalDerivativeView[];
}

/** The details card shows small tensors whole (a [16,16] weight is cut short). */
const VALUES = { precision: 6, maxElements: 64 };

export function nodeDetails(info: NodeInfo): NodeDetails {
  const t = info.tensor;
  return {
    id: info.id,
    label: info.label,
    kind: nodeKind(info),
    op: t.op ? t.op.label(t.attrs) : null,
    shape: formatShape(t.shape),
    value: formatValues(t, VALUES),
    grad: t.grad ? formatValues(t.grad, VALUES) : null,
    locals: localDerivatives(t).map((d, i) => ({
      input: d.input,
      inputLabel: info.inputs[i] ? nodeLabel(info.inputs[i]) : '?',
      formula: d.formula,
      numbers: d.value ? formatValues(d.value, VALUES) : null,
    })),
  };
}
