// The inspector's model: one training step as a named graph, node details, the chain rule for a
// weight, and the backward walk step by step.
import { describe, expect, it } from 'vitest';
import { LAB_PRESET, type LabConfig, type LossName } from '../src/lab/config.ts';
import { LabTrainer } from '../src/lab/trainer.ts';
import { explainWeight } from '../src/lab/explain.ts';
import { elementChoices, handOnRule, productText, stepView } from '../src/web/inspector/chain.ts';
import { buildStepGraph, type Sample } from '../src/lab/graph.ts';
import { nodeDetails, nodeKind } from '../src/web/inspector/graph.ts';

const SAMPLE_1: Sample = { index: 1, x: [0, 1], y: 1 };

function graphOf(over: Partial<LabConfig> = {}, sample: Sample = SAMPLE_1, loss: LossName = over.loss ?? 'mse') {
  const t = new LabTrainer({ ...LAB_PRESET, hidden: [...LAB_PRESET.hidden], ...over });
  return { graph: buildStepGraph(t.model.config(), t.model.stateDict(), loss, sample), trainer: t };
}

const labels = (g: ReturnType<typeof graphOf>['graph']) => g.nodes.map((n) => n.label);

describe('buildStepGraph', () => {
  it("names the lab's network as the lab does", () => {
    const { graph } = graphOf();
    expect(labels(graph)).toEqual(['x', 'W1', 'z1', 'a1', 'W2', 'z2', 'a2', 'W3', 'z3', 'ŷ', 'y', 'sub', 'pow(2)', 'sum', '1', 'loss']);
    expect(graph.parameters.map((p) => p.name)).toEqual(['W1', 'W2', 'W3']);
    expect(graph.parameters.map((p) => p.tensor.shape)).toEqual([[2, 3], [3, 3], [3, 1]]);
  });

  it('uses the worker’s weights: the prediction is the trainer’s', () => {
    const { graph, trainer } = graphOf();
    expect(graph.prediction).toBeCloseTo(trainer.predict()[1], 12);
    expect(graph.loss.item()).toBeCloseTo((graph.prediction - 1) ** 2, 12);
  });

  it('keeps every gradient of the step, intermediates included', () => {
    const { graph } = graphOf();
    for (const n of graph.nodes) expect(n.tensor.grad !== null).toBe(n.requiresGrad);
    // x = (0, 1): W1's first row multiplies x₁ = 0 and gets no gradient from this sample
    expect(Array.from(graph.parameters[0].tensor.grad!.data.slice(0, 3))).toEqual([0, 0, 0]);
  });

  it('names biases b1, b2, … and skips the identity activation', () => {
    const { graph } = graphOf({ bias: true, activation: 'none' });
    expect(graph.parameters.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    expect(labels(graph)).toContain('z2');
    expect(labels(graph)).not.toContain('a1');
  });

  it('rejects weights that do not fit the architecture', () => {
    const t = new LabTrainer({ ...LAB_PRESET, hidden: [3, 3] });
    const other = new LabTrainer({ ...LAB_PRESET, hidden: [4] });
    expect(() => buildStepGraph(t.model.config(), other.model.stateDict(), 'mse', SAMPLE_1)).toThrow(/missing: 4.weight/);
  });
});

describe('nodeDetails', () => {
  it('shows an op node with its local derivative per input', () => {
    const { graph } = graphOf();
    const z2 = graph.nodes.find((n) => n.label === 'z2')!;
    const d = nodeDetails(z2);
    expect(d).toMatchObject({ label: 'z2', kind: 'operation', op: 'matmul', shape: '[1,3]' });
    expect(d.locals.map((l) => [l.input, l.inputLabel])).toEqual([
      ['a', 'a1'],
      ['b', 'W2'],
    ]);
    expect(d.locals[0].formula).toContain('∂');
    expect(d.grad).toMatch(/^\[\[/);
  });

  it('tells parameters, inputs and constants apart', () => {
    const { graph } = graphOf();
    const kind = (label: string) => nodeKind(graph.nodes.find((n) => n.label === label)!);
    expect(kind('W1')).toBe('parameter');
    expect(kind('x')).toBe('input');
    expect(kind('1')).toBe('constant');
    expect(nodeDetails(graph.nodes.find((n) => n.label === 'x')!)).toMatchObject({ grad: null, locals: [] });
  });
});

describe('explainWeight', () => {
  it('sums the path products to the gradient backward gave', () => {
    const { graph } = graphOf();
    const x = explainWeight(graph, 'W1', 3); // W1[1,0]
    expect(x.element).toBe('W1[1,0]');
    expect(x.pathCount).toBe(3);
    expect(x.paths).toHaveLength(3);
    expect(x.grad).toBe(graph.parameters[0].tensor.grad!.data[3]);
    expect(x.grad).not.toBe(0);
    expect(x.sum).toBeCloseTo(x.grad, 14);
    expect(x.difference).toBeLessThan(1e-15);
    expect(x.paths.reduce((s, p) => s + p.product, 0)).toBeCloseTo(x.sum, 14);
    expect(x.paths[0].chain).toMatch(/^loss ← .* ← W1\[1,0\]$/);
    expect(x.paths[0].factors.at(-1)).toMatchObject({ derivative: '∂z1/∂W1[1,0]', local: 1 }); // x₁ = 1
    expect(x.allPathsZero).toBe(false);
  });

  it('says so when a sample gives a weight no gradient', () => {
    const { graph } = graphOf({}, { index: 0, x: [0, 0], y: 0 });
    const x = explainWeight(graph, 'W1', 0);
    expect(x.sum).toBe(0);
    expect(x.grad).toBe(0);
    expect(x.allPathsZero).toBe(true);
  });

  it('explains the output layer’s weights through one path each', () => {
    const { graph } = graphOf();
    const x = explainWeight(graph, 'W3', 2);
    expect(x.pathCount).toBe(1);
    expect(x.sum).toBeCloseTo(x.grad, 14);
    expect(productText(x.paths[0])).toMatch(/^1 × 1 × .* = -?\d/);
  });

  it('lists the elements of a weight for the picker', () => {
    const { graph } = graphOf();
    expect(elementChoices(graph.parameters[0].tensor).map((c) => c.text)).toEqual(['[0,0]', '[0,1]', '[0,2]', '[1,0]', '[1,1]', '[1,2]']);
    expect(() => explainWeight(graph, 'W9', 0)).toThrow('no parameter named W9');
  });
});

describe('stepView', () => {
  it('walks from the loss to the first layer’s weights, in reverse topological order', () => {
    const { graph } = graphOf();
    const order = graph.steps.map((_, k) => stepView(graph.steps, k).label);
    expect(order).toEqual(['loss', 'sum', 'pow(2)', 'sub', 'ŷ', 'z3', 'W3', 'a2', 'z2', 'W2', 'a1', 'z1', 'W1']);
    const first = stepView(graph.steps, 0);
    expect(first).toMatchObject({ position: 1, total: 13, grad: '1', isLeaf: false });
    const last = stepView(graph.steps, 12);
    expect(last).toMatchObject({ label: 'W1', isLeaf: true, contributions: [] });
    expect(last.doneIds).toHaveLength(13);
  });

  it('shows what each node hands to its inputs', () => {
    const { graph } = graphOf();
    const z3 = stepView(graph.steps, 5);
    expect(z3.label).toBe('z3');
    expect(z3.contributions.map((c) => [c.to, c.slot, c.fansOut])).toEqual([
      ['a2', 'a', false],
      ['W3', 'b', false],
    ]);
    expect(z3.targetIds).toHaveLength(2);
  });

  it('adds up the contributions where a value fans out (BCE uses the clamped prediction twice)', () => {
    const { graph } = graphOf({ loss: 'bce' });
    const views = graph.steps.map((_, k) => stepView(graph.steps, k));
    const fan = views.flatMap((v) => v.contributions).find((c) => c.fansOut);
    expect(fan).toBeDefined();
    expect(fan!.parts.length).toBe(2);
    expect(views.at(-1)!.label).toBe('W1');
  });

  it('refuses a step outside the walk', () => {
    const { graph } = graphOf();
    expect(() => stepView(graph.steps, 13)).toThrow('outside 0..12');
  });
});

describe('handOnRule', () => {
  it('writes matmul in matrix form with the lab’s names, the rest elementwise', () => {
    const { graph } = graphOf();
    const z2 = graph.nodes.find((n) => n.label === 'z2')!.tensor;
    expect(handOnRule(z2, 'a', z2.inputs[0])).toBe('∂loss/∂a1 = ∂loss/∂z2 · W2ᵀ');
    expect(handOnRule(z2, 'b', z2.inputs[1])).toBe('∂loss/∂W2 = a1ᵀ · ∂loss/∂z2');
    const a1 = graph.nodes.find((n) => n.label === 'a1')!.tensor;
    expect(handOnRule(a1, 'x', a1.inputs[0])).toBe('∂loss/∂z1 = ∂loss/∂a1 ⊙ ∂a1/∂z1');
  });
});
