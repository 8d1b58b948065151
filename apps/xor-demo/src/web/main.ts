// The page: controls → worker messages; worker progress → status line, live charts; the
// inspector redrawn from the worker's weights whenever training pauses, steps or stops.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { LAB_PRESET } from '../lab/config.ts';
import { LiveCharts } from './charts.ts';
import { byId, setOptions } from './dom.ts';
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
const BOUNDARY_SIZE = 360;
const lossWidth = Math.max(420, Math.min(1000, byId('charts').clientWidth - BOUNDARY_SIZE - 40));
const charts = new LiveCharts(
  { loss: byId('loss-chart'), boundary: byId('boundary-chart'), comparison: byId('comparison-chart') },
  { loss: { width: lossWidth, height: 330 }, boundary: BOUNDARY_SIZE, comparison: 330 },
);
const inspector = new InspectorView(() => requestWeights());

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

form.addEventListener('change', applyForm);
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
speedSelect.addEventListener('change', () => send({ type: 'speed', speed: speedFromText(speedSelect.value) }));
logScale.addEventListener('change', () => {
  charts.logScale = logScale.checked;
  drawNow();
});

// ---- worker messages ------------------------------------------------------------------------------

function requestWeights(): void {
  send({ type: 'weights', requestId: ++weightsRequest });
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
    inspector.setRun(msg.run);
    runDescription.textContent = msg.run.description;
    requestWeights();
  } else if (msg.type === 'progress') {
    scheduleDraw();
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

function drawNow(): void {
  drawPending = false;
  if (!state.progress || !state.run) return;
  charts.update(state.progress, state.grid);
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

fillChoices();
writeForm(formFromConfig(LAB_PRESET));
renderStatus();
send({ type: 'configure', config: { ...LAB_PRESET, hidden: [...LAB_PRESET.hidden] } });
