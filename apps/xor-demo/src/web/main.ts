// The page: controls → worker messages; worker progress → status line, live charts; the
// inspector redrawn from the worker's weights whenever training pauses, steps or stops.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { LAB_PRESET } from '../lab/config.ts';
import { LiveCharts } from './charts.ts';
import { byId, setOptions } from './dom.ts';
import { count, num } from './format.ts';
import { InspectorView } from './inspector/view.ts';
import { printout } from './printout.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import {
  CHOICES,
  choiceLabel,
  configFromForm,
  formFromConfig,
  SPEEDS,
  speedFromText,
  speedToText,
  type FormField,
  type FormValues,
} from './settings.ts';
import { INITIAL_STATE, reduce, statusParts, type PageState } from './state.ts';
import { decodeState, encodeState, type ViewState } from './url.ts';
import { download, graphPng, graphSvgText, lossCsv, reportHtml } from './downloads.ts';

const form = byId('settings', HTMLFormElement);
const settingsError = byId('settings-error');
const buttons = {
  play: byId('play', HTMLButtonElement),
  pause: byId('pause', HTMLButtonElement),
  step: byId('step', HTMLButtonElement),
  reset: byId('reset', HTMLButtonElement),
  preset: byId('preset', HTMLButtonElement),
  refresh: byId('refresh', HTMLButtonElement),
};
const speedSelect = byId('speed', HTMLSelectElement);
const logScale = byId('log-scale', HTMLInputElement);
const status = {
  epoch: byId('status-epoch'),
  passes: byId('status-passes'),
  loss: byId('status-loss'),
  accuracy: byId('status-accuracy'),
  phase: byId('status-phase'),
};
const runDescription = byId('run-description');
const inspectorNote = byId('inspector-note');

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker): void => worker.postMessage(message);

const printoutEl = byId('printout');
/** Figure sizes from the room there is: side by side on a wide screen, stacked on a phone. */
function chartSizes(width: number) {
  const narrow = width < 700;
  const boundary = Math.min(360, width - 24);
  const lossWidth = narrow ? width - 8 : Math.max(420, Math.min(1000, width - boundary - 40));
  return {
    loss: { width: lossWidth, height: narrow ? 260 : 330 },
    boundary,
    comparison: narrow ? Math.min(330, width - 24) : 330, // on a phone the two panels stack
  };
}
const charts = new LiveCharts(
  { loss: byId('loss-chart'), boundary: byId('boundary-chart'), comparison: byId('comparison-chart') },
  chartSizes(byId('charts').clientWidth),
);
const inspector = new InspectorView(
  () => requestWeights(),
  () => saveUrl(),
);
/** The inspector's part of the URL, for the first run only (a changed setting starts afresh). */
let firstView: Partial<ViewState> | null = null;

let state: PageState = INITIAL_STATE;
let weightsRequest = 0;
let drawPending = false;

// ---- the controls panel -------------------------------------------------------------------------

function field(name: FormField): HTMLInputElement | HTMLSelectElement {
  const el = form.elements.namedItem(name);
  if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) throw new Error(`page: no form field ${name}`);
  return el;
}

function readForm(): FormValues {
  const text = (name: FormField) => field(name).value;
  return {
    dataset: text('dataset'),
    classes: text('classes'),
    hidden: text('hidden'),
    activation: text('activation'),
    outputActivation: text('outputActivation'),
    bias: (field('bias') as HTMLInputElement).checked,
    loss: text('loss'),
    optimizer: text('optimizer'),
    lr: text('lr'),
    batchSize: text('batchSize'),
    seed: text('seed'),
  };
}

function writeForm(values: FormValues): void {
  for (const [name, value] of Object.entries(values) as [FormField, string | boolean][]) {
    const el = field(name);
    if (typeof value === 'boolean') (el as HTMLInputElement).checked = value;
    else el.value = value;
  }
}

function fillChoices(): void {
  for (const [name, values] of Object.entries(CHOICES) as [keyof typeof CHOICES, readonly string[]][]) {
    setOptions(field(name) as HTMLSelectElement, values.map((v) => ({ value: v, label: choiceLabel(name, v) })));
  }
  setOptions(speedSelect, SPEEDS.map((s) => ({ value: speedToText(s.value), label: s.label })), '1000');
}

/** Any change of a setting starts a new run with the form's settings (if they are valid). */
function applyForm(): void {
  // with ce the output layer gives logits (the softmax is in the loss): no output activation to choose
  field('outputActivation').disabled = field('loss').value === 'ce';
  const result = configFromForm(readForm());
  for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
  if (!result.ok) {
    field(result.field).classList.add('invalid');
    settingsError.textContent = result.message;
    return;
  }
  settingsError.textContent = '';
  send({ type: 'configure', config: result.config });
}

form.addEventListener('change', () => {
  applyForm();
  saveUrl();
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  applyForm();
});
buttons.preset.addEventListener('click', () => {
  writeForm(formFromConfig(LAB_PRESET));
  applyForm();
});
buttons.play.addEventListener('click', () => send({ type: 'play' }));
buttons.pause.addEventListener('click', () => send({ type: 'pause' }));
buttons.step.addEventListener('click', () => send({ type: 'step' }));
buttons.reset.addEventListener('click', () => send({ type: 'reset' }));
buttons.refresh.addEventListener('click', () => requestWeights());
speedSelect.addEventListener('change', () => {
  send({ type: 'speed', speed: speedFromText(speedSelect.value) });
  saveUrl();
});

// ---- downloads ------------------------------------------------------------------------------------

const graphSvg = () => document.querySelector<SVGSVGElement>('#graph svg');
byId('download-csv').addEventListener('click', () => {
  if (state.progress) download('loss.csv', new Blob([lossCsv(state.progress)], { type: 'text/csv' }));
});
byId('download-svg').addEventListener('click', () => {
  const svg = graphSvg();
  if (svg) download('graph.svg', new Blob([graphSvgText(svg)], { type: 'image/svg+xml' }));
});
byId('download-png').addEventListener('click', () => {
  const svg = graphSvg();
  if (svg) void graphPng(svg).then((png) => download('graph.png', png));
});
byId('download-report').addEventListener('click', () => {
  if (!state.run || !state.progress) return;
  const html = reportHtml(
    state.run,
    printout(state.run, state.progress),
    [
      { title: 'Learning curve', el: byId('loss-chart') },
      { title: 'Ground truth vs prediction', el: byId('comparison-chart') },
      { title: 'Decision boundary', el: byId('boundary-chart') },
    ],
    graphSvg(),
    byId('inspector-caption').textContent ?? '',
  );
  download('report.html', new Blob([html], { type: 'text/html' }));
});
logScale.addEventListener('change', () => {
  charts.logScale = logScale.checked;
  drawNow();
});

// ---- worker messages ------------------------------------------------------------------------------

function requestWeights(): void {
  send({ type: 'weights', requestId: ++weightsRequest, epoch: inspector.epochChoice });
}

// ---- the URL: settings, speed and the inspector's view, to share a prepared view ------------------

let urlReady = false;
function saveUrl(): void {
  if (!urlReady) return;
  const speed = speedSelect.value === '1000' ? null : speedSelect.value;
  const fragment = encodeState({ form: readForm(), speed, view: inspector.state() }, formFromConfig(LAB_PRESET));
  history.replaceState(null, '', fragment ? `#${fragment}` : location.pathname + location.search);
}

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const msg = event.data;
  if (msg.type === 'weights') {
    if (msg.requestId === weightsRequest) void inspector.show(msg).catch(showInspectorError);
    return;
  }
  const before = state;
  state = reduce(state, msg);
  if (msg.type === 'ready') {
    charts.start(msg.run, msg.progress, msg.progress.grid);
    drawNow();
    inspector.setRun(msg.run, firstView ?? {});
    firstView = null;
    inspector.setEpochs(msg.progress.snapshots);
    runDescription.textContent = msg.run.description;
    requestWeights();
  } else if (msg.type === 'progress') {
    scheduleDraw();
    inspector.setEpochs(msg.progress.snapshots);
    // the inspector follows the weights whenever they stand still: after a pause, a step, the end
    if (!msg.progress.running && (before.phase === 'running' || msg.progress.passes !== before.progress?.passes)) requestWeights();
  }
  renderStatus();
});

worker.addEventListener('error', (event) => {
  state = { ...state, phase: 'error', error: event.message || 'the training worker failed to start' };
  renderStatus();
});

function showInspectorError(error: unknown): void {
  inspectorNote.textContent = `inspector: ${error instanceof Error ? error.message : String(error)}`;
}

function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(drawNow);
}

/** The charts' text alternatives: what each one shows now, in words. */
function describeCharts(progress: NonNullable<PageState['progress']>): void {
  const loss = progress.meanLoss === null ? 'no pass yet' : `mean loss ${num(progress.meanLoss, 4)} at epoch ${count(progress.epoch)} after ${count(progress.passes)} passes`;
  byId('loss-chart').setAttribute('aria-label', `Learning curve: ${loss}; the dots are the printed losses`);
  const accuracy = `${(100 * progress.accuracy).toFixed(2)}%`;
  byId('comparison-chart').setAttribute('aria-label', `Ground truth and predicted classes of every point: accuracy ${accuracy}`);
  byId('boundary-chart').setAttribute('aria-label', `Decision boundary: the network's output over the plane, accuracy ${accuracy}`);
}

function drawNow(): void {
  drawPending = false;
  if (!state.progress || !state.run) return;
  charts.update(state.progress, state.grid);
  describeCharts(state.progress);
  const text = printout(state.run, state.progress);
  if (printoutEl.textContent !== text) {
    const atEnd = printoutEl.scrollTop + printoutEl.clientHeight >= printoutEl.scrollHeight - 4;
    printoutEl.textContent = text;
    if (atEnd) printoutEl.scrollTop = printoutEl.scrollHeight; // follow the output, as a terminal does
  }
}

function renderStatus(): void {
  const parts = statusParts(state);
  for (const key of Object.keys(status) as (keyof typeof status)[]) status[key].textContent = parts[key];
  document.body.dataset.phase = state.phase;
  const { phase } = state;
  buttons.play.disabled = phase !== 'ready' && phase !== 'paused';
  buttons.pause.disabled = phase !== 'running';
  buttons.step.disabled = phase !== 'ready' && phase !== 'paused';
  buttons.reset.disabled = phase === 'starting';
  inspectorNote.textContent =
    phase === 'running' ? 'Training is running: the graph shows the weights of the epoch in its caption. Pause, or press Refresh.' : '';
}

// ---- start: the URL's state, else the lab's preset -------------------------------------------------

fillChoices();
const fromUrl = decodeState(location.hash);
writeForm({ ...formFromConfig(LAB_PRESET), ...fromUrl.form });
if (fromUrl.speed !== null && [...speedSelect.options].some((o) => o.value === fromUrl.speed)) speedSelect.value = fromUrl.speed;
firstView = fromUrl.view;
inspector.setFold(fromUrl.view.foldLoss, false);
inspector.setLecture(fromUrl.view.lecture, false);
renderStatus();
const initial = configFromForm(readForm());
if (initial.ok) {
  send({ type: 'configure', config: initial.config });
} else {
  // a shared link with a setting this page refuses: say so, and start from the preset
  field(initial.field).classList.add('invalid');
  settingsError.textContent = `${initial.message} (from the link; the lab preset is used)`;
  send({ type: 'configure', config: { ...LAB_PRESET, hidden: [...LAB_PRESET.hidden] } });
}
if (speedFromText(speedSelect.value) !== 1000) send({ type: 'speed', speed: speedFromText(speedSelect.value) });
urlReady = true;
