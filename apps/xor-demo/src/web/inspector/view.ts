// The graph inspector in the page: the graph picture (Graphviz), a clicked node's details, a
// weight's gradient path by path, and the backward walk step by step.
import { toDot } from '@gradlab/core';
import type { ModuleConfig, StateDict } from '@gradlab/nn';
import { renderGraphSvg, svgForInline } from '@gradlab/viz';
import { byId, h, present, setOptions } from '../dom.ts';
import { num } from '../format.ts';
import type { RunData } from '../protocol.ts';
import { explainWeight, type ExplanationView } from '../../lab/explain.ts';
import { elementChoices, productText, stepView } from './chain.ts';
import { buildStepGraph, type StepGraph } from '../../lab/graph.ts';
import { nodeDetails } from './graph.ts';

export interface Weights {
  epoch: number;
  architecture: ModuleConfig;
  parameters: StateDict;
}

/** Digits for the sum-vs-grad comparison: enough that equal means equal. */
const EXACT = 12;

export class InspectorView {
  private graph: StepGraph | null = null;
  private run: RunData | null = null;
  private selectedId: number | null = null;
  /** Backward step shown (0-based), or -1 before the walk starts. */
  private step = -1;
  /** Bumped by every show(), so a slow render of old weights never overwrites newer ones. */
  private generation = 0;

  private readonly el = {
    sample: byId('sample', HTMLSelectElement),
    caption: byId('inspector-caption'),
    graph: byId('graph'),
    node: byId('node-details'),
    weight: byId('explain-weight', HTMLSelectElement),
    element: byId('explain-element', HTMLSelectElement),
    explanation: byId('explanation'),
    stepFirst: byId('step-first', HTMLButtonElement),
    stepBack: byId('step-back', HTMLButtonElement),
    stepNext: byId('step-next', HTMLButtonElement),
    stepLast: byId('step-last', HTMLButtonElement),
    stepPosition: byId('step-position'),
    stepBody: byId('step-body'),
  };

  constructor(private readonly onSampleChange: () => void) {
    this.el.sample.addEventListener('change', () => this.onSampleChange());
    this.el.weight.addEventListener('change', () => {
      this.fillElements();
      this.showExplanation();
    });
    this.el.element.addEventListener('change', () => this.showExplanation());
    this.el.stepFirst.addEventListener('click', () => this.goToStep(0));
    this.el.stepBack.addEventListener('click', () => this.goToStep(this.step - 1));
    this.el.stepNext.addEventListener('click', () => this.goToStep(this.step + 1));
    this.el.stepLast.addEventListener('click', () => this.goToStep((this.graph?.steps.length ?? 0) - 1));
    this.el.graph.addEventListener('click', (event) => {
      const id = nodeIdAt(event.target);
      if (id !== null) this.select(id);
    });
  }

  /** A new run: the sample picker lists its points; the old graph is cleared. */
  setRun(run: RunData): void {
    this.run = run;
    this.graph = null;
    this.generation++; // a graph of the old run still rendering is dropped
    setOptions(
      this.el.sample,
      run.points.map((p, i) => ({ value: String(i), label: `#${i}: (${num(p[0], 3)}, ${num(p[1], 3)}) → ${run.labels[i]}` })),
      '0',
    );
    this.el.graph.replaceChildren(h('p', { class: 'hint' }, 'building the graph…'));
  }

  get sampleIndex(): number {
    return Number(this.el.sample.value) || 0;
  }

  /** Builds and draws the graph of one training step with these weights on the chosen sample. */
  async show(weights: Weights): Promise<void> {
    const run = this.run;
    if (!run) return;
    const generation = ++this.generation;
    const index = Math.min(this.sampleIndex, run.points.length - 1);
    const point = run.points[index];
    let graph: StepGraph;
    try {
      graph = buildStepGraph(weights.architecture, weights.parameters, run.config.loss, {
        index,
        x: [point[0], point[1]],
        y: run.labels[index],
      });
    } catch (error) {
      this.showError(`cannot build the graph: ${(error as Error).message}`);
      return;
    }
    const svg = await renderGraphSvg(toDot(graph.loss, { precision: 3, maxElements: 3, rankdir: 'TB' }));
    if (generation !== this.generation) return;

    const previous = this.graph;
    this.graph = graph;
    this.el.caption.textContent =
      `Weights at epoch ${weights.epoch.toLocaleString('en-US')}, sample #${index}: x = (${num(point[0])}, ${num(point[1])}), ` +
      `y = ${run.labels[index]}, ŷ = ${num(graph.prediction)}, loss = ${num(graph.loss.item())}`;
    this.el.graph.innerHTML = svgForInline(svg);

    // keep the user's choices when the same network is redrawn (new weights or sample)
    const keepWeight = previous?.parameters.some((p) => p.name === this.el.weight.value) ? this.el.weight.value : undefined;
    const keepElement = keepWeight ? this.el.element.value : undefined;
    setOptions(this.el.weight, graph.parameters.map((p) => ({ value: p.name, label: p.name })), keepWeight);
    this.fillElements(keepElement);
    this.showExplanation();

    const selected = previous && this.selectedId !== null ? labelIn(previous, this.selectedId) : 'loss';
    const again = graph.nodes.find((n) => n.label === selected) ?? graph.nodes[graph.nodes.length - 1];
    this.select(again.id);
    this.goToStep(previous ? Math.min(this.step, graph.steps.length - 1) : -1);
  }

  private showError(message: string): void {
    this.graph = null;
    this.el.graph.replaceChildren(h('p', { class: 'error' }, message));
    this.el.node.replaceChildren();
    this.el.explanation.replaceChildren();
    this.el.stepBody.replaceChildren();
  }

  private fillElements(keep?: string): void {
    const p = this.graph?.parameters.find((q) => q.name === this.el.weight.value);
    if (!p) return;
    setOptions(this.el.element, elementChoices(p.tensor).map((c) => ({ value: String(c.index), label: `${p.name}${c.text}` })), keep);
  }

  // ---- a node's details ------------------------------------------------------------------------

  private select(id: number): void {
    const info = this.graph?.byId.get(id);
    if (!info) return;
    this.selectedId = id;
    for (const g of this.el.graph.querySelectorAll('g.node')) g.classList.toggle('is-selected', nodeIdOf(g) === id);
    const d = nodeDetails(info);
    const kindText = {
      parameter: 'parameter (a leaf the optimiser updates)',
      input: 'input (a leaf; no gradient is needed)',
      constant: 'constant',
      operation: 'operation',
    }[d.kind];
    const rows: [string, string, string?][] = [
      ['kind', kindText],
      ['op', d.op ?? '–'],
      ['shape', d.shape],
      ['value', d.value, 'node-value'],
      ['grad ∂loss/∂' + d.label, d.grad ?? '– (no gradient flows here)', 'node-grad'],
    ];
    this.el.node.replaceChildren(
      h('h4', { 'data-testid': 'node-label' }, d.label),
      h('dl', {}, ...rows.flatMap(([k, v, testid]) => [h('dt', {}, k), h('dd', testid ? { 'data-testid': testid } : {}, v)])),
      d.locals.length
        ? h(
            'div',
            {},
            h('h4', {}, 'Local derivative per input'),
            h(
              'table',
              { class: 'locals' },
              h('tr', {}, h('th', {}, 'input'), h('th', {}, 'formula'), h('th', {}, 'numbers')),
              ...d.locals.map((l) =>
                h('tr', {}, h('td', {}, `${l.input} = ${l.inputLabel}`), h('td', {}, l.formula), h('td', { class: 'mono' }, l.numbers ?? '(see formula)')),
              ),
            ),
          )
        : h('p', { class: 'hint' }, 'A leaf: nothing below it, so no local derivatives.'),
    );
    const param = this.graph?.parameters.find((p) => p.tensor.id === id);
    if (param && this.el.weight.value !== param.name) {
      this.el.weight.value = param.name;
      this.fillElements();
      this.showExplanation();
    }
  }

  // ---- a weight's gradient, path by path ---------------------------------------------------------

  private showExplanation(): void {
    const graph = this.graph;
    if (!graph) return;
    let x: ExplanationView;
    try {
      x = explainWeight(graph, this.el.weight.value, Number(this.el.element.value) || 0);
    } catch (error) {
      this.el.explanation.replaceChildren(h('p', { class: 'error' }, (error as Error).message));
      return;
    }
    const listed = x.paths.length;
    this.el.explanation.replaceChildren(
      ...present<Node>(
      h(
        'div',
        { class: 'sum-vs-grad' },
        h('div', {}, h('span', {}, `Σ over ${x.pathCount} path${x.pathCount === 1 ? '' : 's'} of the products`), h('b', { 'data-testid': 'path-sum', class: 'mono' }, num(x.sum, EXACT))),
        h('div', {}, h('span', {}, `${x.element}.grad from backward`), h('b', { 'data-testid': 'weight-grad', class: 'mono' }, num(x.grad, EXACT))),
        h('div', { class: 'diff' }, h('span', {}, 'difference'), h('span', { class: 'mono' }, num(x.difference, 3))),
      ),
      x.allPathsZero
        ? h('p', { class: 'hint' }, 'Every path has a factor 0 (an input of 0, or an activation with slope 0), so this sample gives this weight no gradient. Pick another sample or weight.')
        : null,
      h(
        'ol',
        { class: 'paths' },
        ...x.paths.map((p) =>
          h(
            'li',
            {},
            h('div', { class: 'chain' }, p.chain),
            h('div', { class: 'product mono' }, `product = ${productText(p)}`),
            h(
              'details',
              {},
              h('summary', {}, 'factors'),
              h('table', { class: 'factors' }, ...p.factors.map((f) => h('tr', {}, h('td', {}, f.derivative), h('td', { class: 'mono' }, num(f.local)), h('td', { class: 'formula' }, f.formula)))),
            ),
          ),
        ),
      ),
      listed < x.pathCount ? h('p', { class: 'hint' }, `… ${x.pathCount - listed} more paths not listed (their products are in the sum).`) : null,
      ),
    );
  }

  // ---- backward, one node at a time --------------------------------------------------------------

  private goToStep(k: number): void {
    const steps = this.graph?.steps ?? [];
    this.step = Math.max(-1, Math.min(k, steps.length - 1));
    const at = this.step;
    this.el.stepFirst.disabled = steps.length === 0 || at === 0;
    this.el.stepBack.disabled = at <= 0;
    this.el.stepNext.disabled = at >= steps.length - 1;
    this.el.stepLast.disabled = steps.length === 0 || at === steps.length - 1;
    const nodes = this.el.graph.querySelectorAll('g.node');
    if (at < 0) {
      for (const g of nodes) g.classList.remove('bw-done', 'bw-current', 'bw-target');
      this.el.stepPosition.textContent = `${steps.length} steps`;
      this.el.stepBody.replaceChildren(
        h('p', { class: 'hint' }, 'Press Next to walk the backward pass from the loss (its gradient is 1) down to the leaves, in reverse topological order.'),
      );
      return;
    }
    const v = stepView(steps, at);
    for (const g of nodes) {
      const id = nodeIdOf(g);
      g.classList.toggle('bw-current', id === v.nodeId);
      g.classList.toggle('bw-done', id !== null && v.doneIds.includes(id) && id !== v.nodeId);
      g.classList.toggle('bw-target', id !== null && v.targetIds.includes(id));
    }
    const current = [...nodes].find((g) => nodeIdOf(g) === v.nodeId);
    if (current) reveal(this.el.graph, current);
    this.el.stepPosition.textContent = `step ${v.position} of ${v.total}`;
    this.el.stepBody.replaceChildren(
      h('p', {}, h('b', { 'data-testid': 'step-node' }, v.label), v.isLeaf ? h('span', { class: 'tag', 'data-testid': 'step-leaf' }, 'leaf') : null),
      h('p', {}, `incoming gradient ∂loss/∂${v.label} = `, h('span', { class: 'mono' }, v.grad)),
      v.contributions.length
        ? h(
            'ul',
            { class: 'contributions' },
            ...v.contributions.map((c) =>
              h(
                'li',
                {},
                `hands to ${c.to} (input ${c.slot}): ∂loss/∂${v.label} · ∂${v.label}/∂${c.slot} = `,
                h('span', { class: 'mono' }, c.value),
                c.fansOut
                  ? h('div', { class: 'fanout' }, `${c.to} fans out: its gradient adds up its users' shares: `, h('span', { class: 'mono' }, `${c.parts.join(' + ')} = ${c.accumulated}`))
                  : null,
              ),
            ),
          )
        : h(
            'p',
            { class: 'hint' },
            v.isLeaf
              ? `${v.label} is a leaf: its gradient is complete.` +
                (v.position === v.total ? ' The walk has reached the inputs of the graph (the data x and y need no gradient, so it ends at the weights).' : '')
              : 'No input of this node needs a gradient.',
          ),
    );
  }
}

function nodeIdOf(g: Element): number | null {
  const title = g.querySelector('title')?.textContent ?? '';
  const m = /^n(\d+)$/.exec(title.trim());
  return m ? Number(m[1]) : null;
}

/** The graph node under a click (Graphviz: `<g class="node"><title>n12</title>…`). */
function nodeIdAt(target: EventTarget | null): number | null {
  const g = target instanceof Element ? target.closest('g.node') : null;
  return g ? nodeIdOf(g) : null;
}

/** Scrolls the graph's box (not the page) so that `el` is in view, centred if it was not. */
function reveal(box: HTMLElement, el: Element): void {
  const b = box.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - (b.height - r.height) / 2;
  if (r.left < b.left || r.right > b.right) box.scrollLeft += r.left - b.left - (b.width - r.width) / 2;
}

function labelIn(graph: StepGraph, id: number): string | undefined {
  return graph.byId.get(id)?.label;
}
