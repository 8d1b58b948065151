// Backpropagation on the student's own network: the worked example's numbers (the graph's paths,
// .grad and the lab's hand formula agree), the rule that picks a readable example, weight
// snapshots, and the graph picture's folding.
import { describe, expect, it } from 'vitest';
import { LAB_PRESET, type LabConfig } from '../src/lab/config.ts';
import { checkElement, chooseExample, explainWeight, handGradient, parseElement, workedExample } from '../src/lab/explain.ts';
import { buildStepGraph, sampleOf } from '../src/lab/graph.ts';
import { graphView, lossHelpers, pathHighlight, viewDot, viewEdgeOf } from '../src/lab/graphView.ts';
import { LabTrainer } from '../src/lab/trainer.ts';

const trainerOf = (over: Partial<LabConfig> = {}, snapshotEpochs: number[] = []) =>
  new LabTrainer({ ...LAB_PRESET, hidden: [...LAB_PRESET.hidden], ...over }, { snapshotEpochs });

describe("the lab's hand formula (dW = np.kron(Z.T, dz)) gives the graph's gradients", () => {
  const configs: Partial<LabConfig>[] = [
    {},
    { activation: 'tanh', loss: 'bce', bias: true, hidden: [4, 2] },
    { activation: 'relu', outputActivation: 'sigmoid', hidden: [5] },
    { activation: 'leaky-relu', outputActivation: 'none', bias: true, dataset: 'moons', hidden: [3, 3, 3] },
  ];
  for (const over of configs) {
    it(JSON.stringify(over), () => {
      const t = trainerOf({ ...over, maxEpochs: 300 });
      t.run();
      for (const index of [0, 3, 7]) {
        const sample = sampleOf(t.data, index);
        const weights = t.model.stateDict();
        const graph = buildStepGraph(t.model.config(), weights, t.config.loss, sample);
        const hand = handGradient(t.config, weights, sample);
        expect(graph.prediction).toBeCloseTo(hand.forward.at(-1)!.values[0], 14);
        for (const p of graph.parameters) {
          const dW = hand.gradients.get(p.name)!.flat();
          const g = Array.from(p.tensor.grad!.data);
          expect(dW).toHaveLength(g.length);
          dW.forEach((v, i) => expect(Math.abs(v - g[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(g[i]))));
        }
      }
    });
  }
});

describe('the worked example', () => {
  it("at epoch 0 of the lab, picks the sample with the largest loss and W1's largest |gradient|: W1[1,0] on sample #1", () => {
    const t = trainerOf();
    const x = workedExample(t.config, t.model.config(), t.snapshots[0], t.data);
    expect(x.epoch).toBe(0);
    expect(x.sample.index).toBe(1);
    expect(x.explanation.element).toBe('W1[1,0]');
    expect(x.why).toMatch(/^sample #1 has the largest loss \(0\.8368\); W1\[1,0\] has the largest \|gradient\| of W1 for it$/);
    const e = x.explanation;
    expect(Math.abs(e.grad)).toBeGreaterThan(1e-3); // readable, not the 0 = 0 of sample (0,0)
    expect(e.pathCount).toBe(3);
    expect(Math.abs(e.sum - e.grad)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(x.handValue - e.grad)).toBeLessThanOrEqual(1e-15);
    // the loss's own nodes are one factor ∂loss/∂ŷ = 2(ŷ − y)
    for (const p of e.paths) {
      expect(p.factors[0]).toMatchObject({ derivative: '∂loss/∂ŷ', formula: '∂loss/∂ŷ = 2(ŷ − y)' });
      expect(p.factors[0].local).toBeCloseTo(2 * (x.graph.prediction - 1), 14);
      expect(p.factors.reduce((a, f) => a * f.local, 1)).toBeCloseTo(p.product, 15);
      expect(p.chain).toMatch(/^loss ← ŷ\[0,0\] ← z3\[0,0\] ← a2\[0,\d\] ← z2\[0,\d\] ← a1\[0,0\] ← z1\[0,0\] ← W1\[1,0\]$/);
    }
    expect(x.forward.map((f) => f.formula)).toEqual([
      'x = (x₁, x₂) of sample #1',
      'z1 = x·W1',
      'a1 = σ(z1)',
      'z2 = a1·W2',
      'a2 = σ(z2)',
      'z3 = a2·W3',
      'ŷ = σ(z3)',
      'loss = mean((ŷ−y)²), y = 1',
    ]);
    expect(x.hand.steps.map((s) => s.name)).toEqual(['dŷ', 'dz3', 'dW3', 'da2', 'dz2', 'dW2', 'da1', 'dz1', 'dW1']);
  });

  it('takes the element and sample the user names, checked against the network', () => {
    const t = trainerOf();
    const x = workedExample(t.config, t.model.config(), t.snapshots[0], t.data, { sample: 3, element: parseElement('W2[0, 1]') });
    expect(x.explanation.element).toBe('W2[0,1]');
    expect(x.sample.index).toBe(3);
    expect(x.why).toBe('as asked');
    expect(() => checkElement(parseElement('W4[0,0]'), t.config)).toThrow('W4[0,0]: the network has no W4 (it has W1, W2, W3)');
    expect(() => checkElement(parseElement('W1[2,0]'), t.config)).toThrow('W1[2,0] is outside W1, whose shape is [2,3]');
    expect(() => parseElement('weights')).toThrow("expected a weight element such as W1[1,0] or b2[0], got 'weights'");
    expect(checkElement(parseElement('b2[1]'), { hidden: [3, 3], bias: true })).toBe(1);
  });

  it('never explains a zero gradient when another weight has one: sample (0,0) gives W1 nothing, so W2 or W3', () => {
    const t = trainerOf();
    const c = chooseExample(t.config, t.model.config(), t.model.stateDict(), t.data, { sample: 0 });
    expect(c.name).not.toBe('W1');
    expect(c.why).toMatch(/^every element of W1 has gradient 0 here, so the largest \|gradient\| of any weight: W\d\[\d,\d\]$/);
    const x = workedExample(t.config, t.model.config(), t.snapshots[0], t.data, { sample: 0 });
    expect(Math.abs(x.explanation.grad)).toBeGreaterThan(1e-3);
  });
});

describe('weight snapshots', () => {
  it('keeps epoch 0 and each chosen epoch, without changing the run', () => {
    const a = trainerOf({ maxEpochs: 500 }, [100, 250]);
    const b = trainerOf({ maxEpochs: 500 });
    const initial = a.model.stateDict();
    a.run();
    b.run();
    expect(a.snapshots.map((s) => s.epoch)).toEqual([0, 100, 250]);
    expect(a.snapshots[0].parameters).toEqual(initial);
    expect(a.predict()).toEqual(b.predict()); // bit for bit
    const c = trainerOf({ maxEpochs: 100 });
    c.run();
    expect(a.snapshots[1].parameters).toEqual(c.model.stateDict());
  });

  it('with batches, the snapshot is taken at the first epoch that reaches the one asked', () => {
    const t = trainerOf({ batchSize: 4, maxEpochs: 100 }, [10]);
    t.run();
    expect(t.snapshots.map((s) => s.epoch)).toEqual([0, 12]);
  });
});

describe('the graph picture', () => {
  it("folds the loss's helper nodes into one node and keeps the lab's names", () => {
    const t = trainerOf();
    const graph = buildStepGraph(t.model.config(), t.model.stateDict(), 'mse', sampleOf(t.data, 1));
    expect([...lossHelpers(graph)].map((h) => h.op?.name ?? 'const')).toEqual(['sub', 'pow', 'sum', 'const', 'mul'].filter((n) => n !== 'mul'));
    const view = graphView(graph, { loss: 'mse' });
    expect(view.nodes.map((n) => n.label)).toEqual(['x', 'W1', 'z1', 'a1', 'W2', 'z2', 'a2', 'W3', 'z3', 'ŷ', 'y', 'loss']);
    const loss = view.nodes.at(-1)!;
    expect(loss).toMatchObject({ kind: 'loss', title: 'loss = mean((ŷ−y)²)' });
    const edge = view.edges.find((e) => e.to === loss.id && e.carriesGradient)!;
    expect(edge).toMatchObject({ short: '∂loss/∂ŷ', formula: '∂loss/∂ŷ = 2(ŷ − y)' });
    expect(Number(edge.numbers!.replace(/[[\]]/g, ''))).toBeCloseTo(2 * (graph.prediction - 1), 3);
    // tensors up to 12 elements are written out whole: W1's second row is there
    expect(view.nodes.find((n) => n.label === 'W1')!.value).toMatch(/^\[\[.*\], \[.*\]\]$/);
    const unfolded = graphView(graph, { loss: 'mse', foldLoss: false });
    expect(unfolded.nodes.map((n) => n.label)).toContain('pow(2)');
    const dot = viewDot(view, { edgeLabels: 'short' });
    expect(dot).toContain(`id="${edge.id}"`);
    expect(dot).toContain('rankdir=TB');
    expect(dot).toContain('label="∂z1/∂W1"');
  });

  it('folds the BCE loss too (clamp, log and constants gone)', () => {
    const t = trainerOf({ loss: 'bce' });
    const graph = buildStepGraph(t.model.config(), t.model.stateDict(), 'bce', sampleOf(t.data, 1));
    const view = graphView(graph, { loss: 'bce' });
    expect(view.nodes.map((n) => n.label).sort()).toEqual(['x', 'W1', 'z1', 'a1', 'W2', 'z2', 'a2', 'W3', 'z3', 'ŷ', 'y', 'loss'].sort());
    expect(view.nodes.at(-1)!.title).toBe('loss = −mean(y·ln ŷ + (1−y)·ln(1−ŷ))');
    const e = explainWeight(graph, 'W3', 0, { foldLoss: true, loss: 'bce' });
    expect(e.paths[0].factors[0].formula).toBe('∂loss/∂ŷ = (ŷ − y) / (ŷ(1 − ŷ))');
    expect(Math.abs(e.sum - e.grad)).toBeLessThanOrEqual(1e-15);
  });

  it("lights up exactly a weight's paths, as the picture draws them (the loss's inside as one edge)", () => {
    const t = trainerOf();
    const graph = buildStepGraph(t.model.config(), t.model.stateDict(), 'mse', sampleOf(t.data, 1));
    const view = graphView(graph, { loss: 'mse' });
    const name = (id: string) => view.nodes.find((n) => n.id === id)!.label;
    const edges = (w: string, i: number) =>
      [...pathHighlight(view, graph, w, i).edges].map((e) => {
        const [, a, b] = /^e(\d+)-(\d+)$/.exec(e)!;
        return `${name(`n${a}`)}→${name(`n${b}`)}`;
      });
    expect(edges('W1', 3).sort()).toEqual(['W1→z1', 'z1→a1', 'a1→z2', 'z2→a2', 'a2→z3', 'z3→ŷ', 'ŷ→loss'].sort());
    expect(edges('W3', 0).sort()).toEqual(['W3→z3', 'z3→ŷ', 'ŷ→loss'].sort());
    // unfolded, the loss's own edges are there instead
    const open = graphView(graph, { loss: 'mse', foldLoss: false });
    expect(pathHighlight(open, graph, 'W3', 0).edges.size).toBe(2 + 4); // W3→z3, z3→ŷ, then ŷ→sub→pow→sum→loss
    // a step inside the folded loss hands its gradient along the folded edge ŷ→loss
    const sub = graph.nodes.find((n) => n.op === 'sub')!.tensor;
    expect(viewEdgeOf(view, graph.output, sub)).toBe(`e${graph.output.id}-${graph.loss.id}`);
  });
});

