// The computational graph of one training step, with the tensors named as the lab names them:
// x, W1, z1 = x·W1 (+ b1), a1 = σ(z1), W2, z2, a2, …, ŷ, y, loss. One naming scheme for every
// picture of it: graph.svg, the report's worked example and the web inspector.
import { backwardSteps, tensor, trace, type BackwardStep, type NodeInfo, type Tensor } from '@gradlab/core';
import type { Dataset } from '@gradlab/data';
import { Dense, moduleFromConfig, Sequential, type ModuleConfig, type StateDict } from '@gradlab/nn';
import type { LossName } from './config.ts';
import { lossFunction } from './loss.ts';

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
  /** The network's output ŷ (the loss's input). */
  output: Tensor;
  prediction: number;
  /** Every node, inputs before the nodes that use them. */
  nodes: NodeInfo[];
  byId: Map<number, NodeInfo>;
  parameters: NamedParameter[];
  /** The layers' outputs in order: z1, a1, z2, a2, …, ŷ (ŷ is the last activation's output). */
  layers: Tensor[];
  /** The backward walk, node by node, in reverse topological order. */
  steps: BackwardStep[];
}

/** Sample `index` of a data set, checked. */
export function sampleOf(data: Dataset, index: number): Sample {
  const n = data.labels.size;
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new Error(`sample ${index} is outside the data (0..${n - 1})`);
  }
  return { index, x: [data.inputs.data[2 * index], data.inputs.data[2 * index + 1]], y: data.labels.data[index] };
}

/**
 * Rebuilds the network from its architecture and weights (a fresh copy: the caller's model is not
 * touched), runs one sample forward, computes the loss, and runs backward keeping every node's
 * gradient.
 */
export function buildStepGraph(architecture: ModuleConfig, weights: StateDict, loss: LossName, sample: Sample): StepGraph {
  const model = moduleFromConfig(architecture, 'architecture');
  if (!(model instanceof Sequential)) throw new Error('step graph: expected a Sequential network');
  model.loadStateDict(weights);
  const parameters = nameParameters(model);

  const x = tensor([sample.x[0], sample.x[1]], { shape: [1, 2], name: 'x' });
  // a class index [1] for cross-entropy, a target [1, 1] for the one-output losses
  const y = tensor([sample.y], { shape: loss === 'ce' ? [1] : [1, 1], name: 'y' });
  const layers = forwardNamed(model, x);
  const pred = layers[layers.length - 1];
  const root = lossFunction(loss)(pred, y);
  root.name = 'loss';
  root.backward(undefined, { retainGrads: true });

  const nodes = trace(root);
  return {
    sample,
    loss: root,
    output: pred,
    prediction: pred.data[0],
    nodes,
    byId: new Map(nodes.map((n) => [n.id, n])),
    parameters,
    layers,
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
function forwardNamed(model: Sequential, x: Tensor): Tensor[] {
  let z = x;
  let layer = 0;
  const layers: Tensor[] = [];
  for (const m of model.layers) {
    const out = m.forward(z);
    if (m instanceof Dense) out.name = `z${++layer}`;
    else if (out !== z) out.name = `a${layer}`;
    if (out !== z) layers.push(out);
    z = out;
  }
  z.name = 'ŷ';
  return layers;
}
