// A node of the step graph as the inspector shows it. The graph itself (built from the worker's
// weights, named as in the lab) is the lab's: src/lab/graph.ts. Pure (no DOM), so it is tested in Node.
import { formatShape, formatValues, localDerivatives, nodeLabel, type NodeInfo } from '@gradlab/core';


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
