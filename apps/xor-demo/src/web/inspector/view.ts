// The graph inspector in the page: the graph picture (Graphviz), a clicked node's or edge's
// details, a weight's gradient path by path (its paths highlighted on the graph), and the backward
// walk step by step (the edges carrying the gradient highlighted). Lecture mode draws the graph
// for a projector: fitted to the width, large fonts, short edge labels (formula on click), zoom
// and pan. The graph, its names, the folding of the loss and the example's rule are the lab's.
import { tensor } from '@gradlab/core';
import type { ModuleConfig, StateDict } from '@gradlab/nn';
import { renderGraphSvg, svgForInline } from '@gradlab/viz';
import { checkElement, chooseExample, explainWeight, parseElement, type ElementRef, type ExplanationView } from '../../lab/explain.ts';
import { buildStepGraph, type StepGraph } from '../../lab/graph.ts';
import { graphView, pathHighlight, viewDot, viewEdgeOf, viewNodeOf, type GraphView, type ViewEdge } from '../../lab/graphView.ts';
import { byId, h, present, setOptions } from '../dom.ts';
import { num } from '../format.ts';
import type { RunData } from '../protocol.ts';
import type { ViewState } from '../url.ts';
import { elementChoices, productText, stepView } from './chain.ts';
import { nodeDetails } from './graph.ts';

export interface Weights {
  epoch: number;
  /** Whether these are the weights now (not a kept epoch). */
  current: boolean;
  architecture: ModuleConfig;
  parameters: StateDict;
}

/** Digits for the sum-vs-grad comparison: enough that equal means equal. */
const EXACT = 12;
/**
 * Lecture mode's fonts, in Graphviz points (an SVG unit each): at zoom z a point is 4/3·z CSS px,
 * so with zoom ≥ LECTURE_MIN_ZOOM node text is ≥ 16.2 px and edge labels ≥ 14.2 px.
 */
const LECTURE_FONTS = { node: 12.2, edge: 10.7 };
export const LECTURE_MIN_ZOOM = 1;
const MAX_ZOOM = 3;

export class InspectorView {
  private graph: StepGraph | null = null;
  private view: GraphView | null = null;
  private run: RunData | null = null;
  private selectedId: string | null = null;
  /** The node the user clicked last (a second click on the loss folds or unfolds it). */
  private clickedId: string | null = null;
  /** Backward step shown (0-based), or -1 before the walk starts. */
  private step = -1;
  /** Bumped by every show(), so a slow render of old weights never overwrites newer ones. */
  private generation = 0;
  /** The first graph of a run opens on the rule's example (unless the URL named one). */
  private pendingChoice: Partial<ViewState> | null = null;
  private lastWeights: Weights | null = null;
  private zoom = 1;
  /** The SVG's size in its own units (Graphviz points). */
  private natural = { width: 0, height: 0 };
  lecture = false;
  foldLoss = true;
  /** The weights shown: a kept epoch, or null for the current ones. */
  epochChoice: number | null = null;

  private readonly el = {
    inspector: byId('inspector'),
    sample: byId('sample', HTMLSelectElement),
    epoch: byId('epoch', HTMLSelectElement),
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
    lecture: byId('lecture', HTMLButtonElement),
    fit: byId('zoom-fit', HTMLButtonElement),
    zoomIn: byId('zoom-in', HTMLButtonElement),
    zoomOut: byId('zoom-out', HTMLButtonElement),
    fold: byId('fold-loss', HTMLButtonElement),
  };

  constructor(
    private readonly onWeightsWanted: () => void,
    private readonly onStateChange: () => void,
  ) {
    this.el.sample.addEventListener('change', () => {
      this.onWeightsWanted();
      this.onStateChange();
    });
    this.el.epoch.addEventListener('change', () => {
      this.epochChoice = this.el.epoch.value === 'now' ? null : Number(this.el.epoch.value);
      this.onWeightsWanted();
      this.onStateChange();
    });
    this.el.weight.addEventListener('change', () => {
      this.fillElements();
      this.showExplanation();
      this.onStateChange();
    });
    this.el.element.addEventListener('change', () => {
      this.showExplanation();
      this.onStateChange();
    });
    this.el.stepFirst.addEventListener('click', () => this.goToStep(0));
    this.el.stepBack.addEventListener('click', () => this.goToStep(this.step - 1));
    this.el.stepNext.addEventListener('click', () => this.goToStep(this.step + 1));
    this.el.stepLast.addEventListener('click', () => this.goToStep((this.graph?.steps.length ?? 0) - 1));
    this.el.graph.addEventListener('click', (event) => this.clicked(event.target));
    this.el.graph.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      const g = event.target instanceof Element ? event.target.closest('g.node') : null;
      if (!g) return;
      event.preventDefault();
      this.clicked(g);
    });
    this.el.lecture.addEventListener('click', () => this.setLecture(!this.lecture));
    this.el.fit.addEventListener('click', () => this.fit());
    this.el.zoomIn.addEventListener('click', () => this.setZoom(this.zoom * 1.25));
    this.el.zoomOut.addEventListener('click', () => this.setZoom(this.zoom / 1.25));
    this.el.fold.addEventListener('click', () => this.setFold(!this.foldLoss));
    this.el.graph.addEventListener(
      'wheel',
      (event) => {
        if (!event.ctrlKey) return; // ctrl + wheel (or a pinch) zooms; the wheel alone scrolls
        event.preventDefault();
        this.setZoom(this.zoom * (event.deltaY < 0 ? 1.1 : 1 / 1.1));
      },
      { passive: false },
    );
    this.enablePanning();
  }

  /** The inspector's part of the page state (for the URL). */
  state(): ViewState {
    const element = this.graph ? this.elementText() : null;
    return {
      sample: this.run ? this.sampleIndex : null,
      weight: element,
      epoch: this.epochChoice,
      lecture: this.lecture,
      foldLoss: this.foldLoss,
    };
  }

  /** A new run: the sample picker lists its points; the first graph opens on `choice` or the rule's example. */
  setRun(run: RunData, choice: Partial<ViewState> = {}): void {
    this.run = run;
    this.graph = null;
    this.view = null;
    this.generation++; // a graph of the old run still rendering is dropped
    this.pendingChoice = choice;
    this.epochChoice = choice.epoch ?? null;
    setOptions(
      this.el.sample,
      run.points.map((p, i) => ({ value: String(i), label: `#${i}: (${num(p[0], 3)}, ${num(p[1], 3)}) → ${run.labels[i]}` })),
      String(choice.sample ?? 0),
    );
    this.setEpochs([0]);
    this.el.graph.replaceChildren(h('p', { class: 'hint' }, 'building the graph…'));
  }

  /** The kept epochs the worker offers (progress.snapshots). */
  setEpochs(epochs: readonly number[]): void {
    const options = [
      { value: 'now', label: 'now (current weights)' },
      ...epochs.map((e) => ({ value: String(e), label: e === 0 ? 'epoch 0 (initial weights)' : `epoch ${e.toLocaleString('en-US')}` })),
    ];
    if (options.length === this.el.epoch.options.length && options.every((o, i) => this.el.epoch.options[i].value === o.value)) return;
    setOptions(this.el.epoch, options, this.epochChoice === null ? 'now' : String(this.epochChoice));
  }

  get sampleIndex(): number {
    return Number(this.el.sample.value) || 0;
  }

  /** Builds and draws the graph of one training step with these weights on the chosen sample. */
  async show(weights: Weights): Promise<void> {
    const run = this.run;
    if (!run) return;
    const generation = ++this.generation;
    this.lastWeights = weights;
    const choice = this.pendingChoice;
    if (choice) this.applyChoice(run, weights, choice);
    const index = Math.min(this.sampleIndex, run.points.length - 1);
    const point = run.points[index];
    let graph: StepGraph;
    try {
      graph = buildStepGraph(weights.architecture, weights.parameters, run.config.loss, { index, x: [point[0], point[1]], y: run.labels[index] });
    } catch (error) {
      this.showError(`cannot build the graph: ${(error as Error).message}`);
      return;
    }
    const view = graphView(graph, { loss: run.config.loss, foldLoss: this.foldLoss, precision: this.lecture ? 3 : 4 });
    const svg = await renderGraphSvg(
      viewDot(
        view,
        this.lecture
          ? { rankdir: 'TB', edgeLabels: 'short', matrixRows: false, compact: true, nodeFontSize: LECTURE_FONTS.node, edgeFontSize: LECTURE_FONTS.edge }
          : { rankdir: 'TB', edgeLabels: 'full' },
      ),
    );
    if (generation !== this.generation) return;

    const previous = this.graph;
    this.graph = graph;
    this.view = view;
    this.el.caption.textContent =
      `Weights at epoch ${weights.epoch.toLocaleString('en-US')}${weights.current ? '' : ' (kept)'}, sample #${index}: x = (${num(point[0])}, ${num(point[1])}), ` +
      `y = ${run.labels[index]}, ŷ = ${num(graph.prediction)}, loss = ${num(graph.loss.item())}`;
    this.el.graph.innerHTML = svgForInline(svg);
    this.prepareSvg(view);

    // keep the user's choices when the same network is redrawn (new weights or sample)
    if (!choice) {
      const keepWeight = previous?.parameters.some((p) => p.name === this.el.weight.value) ? this.el.weight.value : undefined;
      const keepElement = keepWeight ? this.el.element.value : undefined;
      setOptions(this.el.weight, graph.parameters.map((p) => ({ value: p.name, label: p.name })), keepWeight);
      this.fillElements(keepElement);
    }
    this.pendingChoice = null;
    this.showExplanation();

    const selected = this.selectedId !== null && view.nodes.some((n) => n.id === this.selectedId) ? this.selectedId : view.nodes[view.nodes.length - 1].id;
    this.select(selected, false);
    this.goToStep(previous ? Math.min(this.step, graph.steps.length - 1) : -1);
    if (this.lecture) this.fit();
    this.onStateChange();
  }

  /** Sample and element from the URL, or the rule's example (the largest loss, W1's largest |gradient|). */
  private applyChoice(run: RunData, weights: Weights, choice: Partial<ViewState>): void {
    let element: ElementRef | null;
    try {
      element = choice.weight ? parseElement(choice.weight) : null;
      if (element) checkElement(element, run.config);
    } catch {
      element = null; // a URL naming an element this network has not: the rule's choice instead
    }
    const sample = choice.sample !== null && choice.sample !== undefined && choice.sample < run.points.length ? choice.sample : undefined;
    const n = run.points.length;
    const data = {
      name: run.config.dataset,
      inputs: tensor(run.points.flat(), { shape: [n, 2] }),
      labels: tensor(run.labels, { shape: [n, 1] }),
    };
    const picked = chooseExample(run.config, weights.architecture, weights.parameters, data, { sample, element: element ?? undefined });
    this.el.sample.value = String(picked.sample);
    const model = buildStepGraph(weights.architecture, weights.parameters, run.config.loss, {
      index: picked.sample,
      x: [run.points[picked.sample][0], run.points[picked.sample][1]],
      y: run.labels[picked.sample],
    });
    setOptions(this.el.weight, model.parameters.map((p) => ({ value: p.name, label: p.name })), picked.name);
    const param = model.parameters.find((p) => p.name === picked.name)!;
    setOptions(this.el.element, elementChoices(param.tensor).map((c) => ({ value: String(c.index), label: `${param.name}${c.text}` })), String(picked.index));
  }

  private elementText(): string | null {
    const option = this.el.element.selectedOptions[0];
    return option ? option.textContent : null;
  }

  private showError(message: string): void {
    this.graph = null;
    this.view = null;
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

  // ---- the picture: accessibility, zoom, pan, lecture -------------------------------------------

  /** Names every node for screen readers and the keyboard, and gives the SVG a short name. */
  private prepareSvg(view: GraphView): void {
    const svg = this.el.graph.querySelector('svg');
    if (!svg) return;
    this.natural = { width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height };
    svg.setAttribute('role', 'group');
    svg.setAttribute('aria-label', `Computational graph of one training step: ${view.nodes.length} nodes, ${view.edges.length} edges. Tab to a node, Enter to open it.`);
    svg.querySelector(':scope > g > title')?.remove();
    for (const g of svg.querySelectorAll<SVGGElement>('g.node')) {
      const node = view.nodes.find((n) => n.id === g.id);
      g.querySelector('title')?.remove();
      if (!node) continue;
      // a button named by its own text (title, value, grad), so what is read is what is seen
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
    }
    for (const g of svg.querySelectorAll<SVGGElement>('g.edge')) g.querySelector('title')?.remove();
    // Graphviz wraps tooltips in links; they are not links for a reader
    for (const a of svg.querySelectorAll('a')) {
      a.removeAttribute('xlink:title');
      a.removeAttribute('title');
    }
    if (!this.lecture) {
      svg.style.removeProperty('width');
      svg.style.removeProperty('height');
    }
  }

  setLecture(on: boolean, render = true): void {
    this.lecture = on;
    document.body.classList.toggle('lecture', on);
    this.el.lecture.setAttribute('aria-pressed', String(on));
    this.el.lecture.textContent = on ? 'Exit lecture' : 'Lecture mode';
    if (render && this.lastWeights) void this.show(this.lastWeights);
    this.onStateChange();
  }

  setFold(on: boolean, render = true): void {
    this.foldLoss = on;
    this.el.fold.textContent = on ? 'Unfold loss' : 'Fold loss';
    this.el.fold.setAttribute('aria-pressed', String(!on));
    if (render && this.lastWeights) void this.show(this.lastWeights);
    this.onStateChange();
  }

  /** Fits the whole graph into its box (in lecture mode never below the zoom that keeps fonts large). */
  fit(): void {
    const box = this.el.graph;
    if (!this.natural.width) return;
    const z = Math.min((box.clientWidth - 16) / (this.natural.width * (4 / 3)), (box.clientHeight - 16) / (this.natural.height * (4 / 3)));
    this.setZoom(this.lecture ? Math.max(LECTURE_MIN_ZOOM, Math.min(z, 1.6)) : Math.min(z, 1));
    box.scrollTop = 0;
  }

  setZoom(z: number): void {
    const svg = this.el.graph.querySelector('svg');
    if (!svg || !this.natural.width) return;
    this.zoom = Math.max(this.lecture ? LECTURE_MIN_ZOOM : 0.2, Math.min(MAX_ZOOM, z));
    svg.style.maxWidth = 'none';
    svg.style.width = `${this.natural.width * (4 / 3) * this.zoom}px`;
    svg.style.height = `${this.natural.height * (4 / 3) * this.zoom}px`;
    this.el.graph.dataset.zoom = this.zoom.toFixed(3);
  }

  /** Dragging the picture pans it (the box scrolls); a click that does not move still selects. */
  private enablePanning(): void {
    const box = this.el.graph;
    let drag: { x: number; y: number; left: number; top: number; moved: boolean } | null = null;
    box.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, left: box.scrollLeft, top: box.scrollTop, moved: false };
    });
    box.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 5) return;
      drag.moved = true;
      box.classList.add('panning');
      box.scrollLeft = drag.left - dx;
      box.scrollTop = drag.top - dy;
    });
    const end = () => {
      if (drag?.moved) box.dataset.justPanned = '1';
      drag = null;
      box.classList.remove('panning');
    };
    box.addEventListener('pointerup', end);
    box.addEventListener('pointerleave', end);
  }

  // ---- a node's or an edge's details -------------------------------------------------------------

  private clicked(target: EventTarget | null): void {
    if (this.el.graph.dataset.justPanned) {
      delete this.el.graph.dataset.justPanned;
      return;
    }
    if (!(target instanceof Element)) return;
    const node = target.closest('g.node');
    if (node) {
      const view = this.view?.nodes.find((n) => n.id === node.id);
      if (view?.kind === 'loss' || (view && !this.foldLoss && view.tensor === this.graph?.loss)) {
        if (this.clickedId === view.id) {
          this.clickedId = null;
          this.setFold(!this.foldLoss); // a second click on the loss folds or unfolds it
          return;
        }
      }
      this.clickedId = node.id;
      this.select(node.id);
      return;
    }
    const edge = target.closest('g.edge');
    if (edge) this.showEdge(edge.id);
  }

  private select(id: string, fromUser = true): void {
    const view = this.view?.nodes.find((n) => n.id === id);
    const info = view ? this.graph?.byId.get(view.tensor.id) : undefined;
    if (!view || !info) return;
    this.selectedId = id;
    for (const g of this.el.graph.querySelectorAll('g.node')) g.classList.toggle('is-selected', g.id === id);
    const d = nodeDetails(info);
    const kindText = {
      parameter: 'parameter (a leaf the optimiser updates)',
      input: 'input (a leaf; no gradient is needed)',
      constant: 'constant',
      operation: 'operation',
    }[d.kind];
    const rows: [string, string, string?][] = [
      ['kind', view.kind === 'loss' ? `the loss, folded: ${view.folded.length} helper nodes inside (click it again to unfold)` : kindText],
      ['op', view.kind === 'loss' ? view.title : (d.op ?? '–')],
      ['shape', d.shape],
      ['value', d.value, 'node-value'],
      ['grad ∂loss/∂' + d.label, d.grad ?? '– (no gradient flows here)', 'node-grad'],
    ];
    this.el.node.replaceChildren(
      ...present<Node>(
      h('h4', { 'data-testid': 'node-label' }, d.label),
      h('dl', {}, ...rows.flatMap(([k, v, testid]) => [h('dt', {}, k), h('dd', testid ? { 'data-testid': testid } : {}, v)])),
      d.locals.length && view.kind !== 'loss'
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
        : null,
      d.locals.length === 0 ? h('p', { class: 'hint' }, 'A leaf: nothing below it, so no local derivatives.') : null,
      ),
    );
    const param = this.graph?.parameters.find((p) => `n${p.tensor.id}` === id);
    if (fromUser && param && this.el.weight.value !== param.name) {
      this.el.weight.value = param.name;
      this.fillElements();
      this.showExplanation();
      this.onStateChange();
    }
  }

  /** An edge's local derivative in full (lecture mode labels edges short). */
  private showEdge(id: string): void {
    const edge: ViewEdge | undefined = this.view?.edges.find((e) => e.id === id);
    if (!edge) return;
    for (const g of this.el.graph.querySelectorAll('g.edge')) g.classList.toggle('is-selected', g.id === id);
    this.el.node.replaceChildren(
      h('h4', { 'data-testid': 'edge-label' }, edge.short || 'an edge without gradient'),
      h(
        'dl',
        {},
        h('dt', {}, 'rule'),
        h('dd', { 'data-testid': 'edge-formula' }, edge.formula),
        h('dt', {}, 'numbers'),
        h('dd', {}, edge.numbers ?? (edge.carriesGradient ? '(matmul: the other operand, see the formula)' : '–')),
      ),
    );
  }

  // ---- a weight's gradient, path by path ---------------------------------------------------------

  private showExplanation(): void {
    const graph = this.graph;
    const run = this.run;
    if (!graph || !run) return;
    let x: ExplanationView;
    const index = Number(this.el.element.value) || 0;
    try {
      x = explainWeight(graph, this.el.weight.value, index, { foldLoss: this.foldLoss, loss: run.config.loss });
    } catch (error) {
      this.el.explanation.replaceChildren(h('p', { class: 'error' }, (error as Error).message));
      return;
    }
    if (this.view) {
      const lit = pathHighlight(this.view, graph, this.el.weight.value, index);
      for (const g of this.el.graph.querySelectorAll('g.node')) g.classList.toggle('on-path', lit.nodes.has(g.id));
      for (const g of this.el.graph.querySelectorAll('g.edge')) g.classList.toggle('on-path', lit.edges.has(g.id));
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
        h('p', { class: 'hint' }, `Its paths are outlined on the graph.${x.folded ? " The loss's own nodes are one factor ∂loss/∂ŷ." : ''}`),
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
    const edges = this.el.graph.querySelectorAll('g.edge');
    if (at < 0 || !this.view) {
      for (const g of nodes) g.classList.remove('bw-done', 'bw-current', 'bw-target');
      for (const g of edges) g.classList.remove('bw-edge');
      this.el.stepPosition.textContent = `${steps.length} steps`;
      this.el.stepBody.replaceChildren(
        h('p', { class: 'hint' }, 'Press Next to walk the backward pass from the loss (its gradient is 1) down to the leaves, in reverse topological order.'),
      );
      return;
    }
    const view = this.view;
    const v = stepView(steps, at);
    const step = steps[at];
    const current = viewNodeOf(view, step.node);
    const done = new Set(steps.slice(0, at + 1).map((s) => viewNodeOf(view, s.node)));
    const targets = new Set(step.contributions.map((c) => viewNodeOf(view, c.input)));
    const handing = new Set(step.contributions.map((c) => viewEdgeOf(view, c.input, step.node)).filter((e): e is string => e !== null));
    for (const g of nodes) {
      g.classList.toggle('bw-current', g.id === current);
      g.classList.toggle('bw-done', done.has(g.id) && g.id !== current);
      g.classList.toggle('bw-target', targets.has(g.id) && g.id !== current);
    }
    for (const g of edges) g.classList.toggle('bw-edge', handing.has(g.id));
    const currentEl = [...nodes].find((g) => g.id === current);
    if (currentEl) reveal(this.el.graph, currentEl);
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
                `hands to ${c.to} (input ${c.slot}): `,
                h('span', { class: 'rule', 'data-testid': 'step-rule' }, c.rule),
                ' = ',
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

/** Scrolls the graph's box (not the page) so that `el` is in view, centred if it was not. */
function reveal(box: HTMLElement, el: Element): void {
  const b = box.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - (b.height - r.height) / 2;
  if (r.left < b.left || r.right > b.right) box.scrollLeft += r.left - b.left - (b.width - r.width) / 2;
}

