// The architecture part of core's bench: a [784,128,10] MLP step at batch 64 with softmax
// cross-entropy, and a 3×3 conv2d layer step on a [64,1,8,8] batch with 8 and 16 filters, each
// eager and compiled, beside the same step in numpy float64 on one thread (bench/ref/*.py, run
// with OPENBLAS_NUM_THREADS=1 when python3 with numpy is available; skipped, saying so, when not).
//
// Both sides start from the same numbers (wave() below and in ref/common.py), so the loss after
// three steps is printed from each as a check that they run the same step. gradlab runs on one
// thread here too (no matmul workers); each ratio is given in wall time and in CPU time (each
// process's own), the steadier measure when other jobs share the machine.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compile, conv2d, getNumThreads, logSoftmax, setNumThreads, tensor, type FusableOptimizer, type Tensor } from '../src/index.ts';
import { matmulStrided } from '../src/ops/matmulKernel.ts';
import { fmt, median, options } from './harness.ts';

const LR = 0.1;

/** scale·sin(freq·i + phase) for i = 0 … n−1, as a tensor of `shape` (ref/common.py: wave()). */
function wave(shape: number[], scale: number, freq: number, phase = 0, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = scale * Math.sin(i * freq + phase);
  return tensor(data, { shape, requiresGrad });
}

/** W ← W − lr·∂L/∂W as an optimizer hands it to compile. */
function sgd(params: readonly Tensor[]): FusableOptimizer {
  return {
    parameterUpdate: () => ({
      name: 'SGD',
      params,
      state: [],
      scalars: ['lr'],
      rules: [{ target: 'value', args: ['value', 'grad', 'lr'], f: (p, g, rate) => p - rate * g }],
      stateOf: () => [],
      prepare: (_i, out) => {
        out[0] = LR;
      },
    }),
  };
}

/** The eager update: W ← W − lr·∂L/∂W, then the gradients cleared. */
function update(params: readonly Tensor[]): void {
  for (const p of params) {
    const values = p.data;
    const g = p.grad!.data;
    for (let k = 0; k < values.length; k++) values[k] -= LR * g[k];
    p.grad = null;
  }
}

interface ModelCase {
  name: string;
  /** One training step; returns the loss. */
  step: () => number;
}

interface Model {
  title: string;
  /** The numpy reference: script and arguments. */
  ref: string[];
  cases: () => ModelCase[];
  /** Extra timed lines (not steps): name and function. */
  parts?: () => ModelCase[];
}

// ---- the MLP: [784,128,10], ReLU, bias, softmax cross-entropy, batch 64 --------------------------

const N = 64;
const D = 784;
const H = 128;
const K = 10;

function mlpSetup() {
  const x = wave([N, D], 1, 0.37);
  // the one-hot mask of labels (7n mod 10), made by hand
  const onehot = new Float64Array(N * K);
  for (let n = 0; n < N; n++) onehot[n * K + ((n * 7) % K)] = 1;
  const y = tensor(onehot, { shape: [N, K] });
  const params = [wave([D, H], 0.05, 0.11, 1, true), wave([H], 0, 0, 0, true), wave([H, K], 0.1, 0.23, 2, true), wave([K], 0, 0, 0, true)];
  return { x, y, params };
}

/** −(1/N)·Σ onehot ⊙ logSoftmax(relu(x·W1 + b1)·W2 + b2). */
function mlpLoss([W1, b1, W2, b2]: readonly Tensor[], x: Tensor, y: Tensor): Tensor {
  const h = x.matmul(W1).add(b1).relu();
  const z = h.matmul(W2).add(b2);
  return logSoftmax(z, 1).mul(y).sum().mul(-1 / N);
}

const mlp: Model = {
  title: `MLP step [${D},${H},${K}], batch ${N}: ReLU, bias, softmax cross-entropy (logSoftmax, one-hot mask), SGD lr ${LR}`,
  ref: ['mlp_step.py'],
  cases: () => {
    const eager = mlpSetup();
    const compiled = mlpSetup();
    const step = compile((x: Tensor, y: Tensor) => mlpLoss(compiled.params, x, y), { optimizer: sgd(compiled.params) });
    // the same, with compile re-reading the parameter list before every replay (options.parameters)
    const guardedSet = mlpSetup();
    const guarded = compile((x: Tensor, y: Tensor) => mlpLoss(guardedSet.params, x, y), {
      optimizer: sgd(guardedSet.params),
      parameters: () => guardedSet.params,
    });
    return [
      {
        name: 'gradlab eager (backward(), update loop)',
        step: () => {
          const loss = mlpLoss(eager.params, eager.x, eager.y);
          loss.backward();
          update(eager.params);
          return loss.item();
        },
      },
      { name: 'gradlab compiled (update in the program)', step: () => step.run(compiled.x, compiled.y).item() },
      { name: 'gradlab compiled, parameters guarded per run', step: () => guarded.run(guardedSet.x, guardedSet.y).item() },
    ];
  },
  // the step's five matmuls alone, through the kernel into buffers made once (as a compiled replay
  // runs them): forward x·W1, h·W2; backward hᵀ·g2, g2·W2ᵀ, xᵀ·gh
  parts: () => {
    const { x, params } = mlpSetup();
    const [W1, , W2] = params.map((p) => p.data);
    const X = x.data;
    const h = wave([N, H], 1, 0.3).data;
    const g2 = wave([N, K], 0.01, 0.7).data;
    const gh = wave([N, H], 0.01, 0.9).data;
    const [z1, z2, dW2, dh, dW1] = [N * H, N * K, H * K, N * H, D * H].map((n) => new Float64Array(n));
    return [
      {
        name: "the step's 5 matmuls alone (the kernel)",
        step: () => {
          matmulStrided(z1, X, W1, N, D, H, D, 1);
          matmulStrided(z2, h, W2, N, H, K, H, 1);
          matmulStrided(dW2, h, g2, H, N, K, 1, H);
          matmulStrided(dh, g2, W2, N, K, H, K, 1, 1, K);
          matmulStrided(dW1, X, gh, D, N, H, 1, D);
          return dW1[0];
        },
      },
    ];
  },
};

// ---- conv2d: [64,1,8,8] with O 3×3 filters, padding 1, bias; loss sum(y ⊙ r)/64 ------------------

function convModel(filters: number): Model {
  const setup = () => ({
    x: wave([N, 1, 8, 8], 1, 0.37),
    r: wave([N, filters, 8, 8], 1, 0.13),
    params: [wave([filters, 1, 3, 3], 0.3, 0.5, 1, true), tensor(Array.from({ length: filters }, (_, o) => 0.01 * o), { requiresGrad: true })],
  });
  const loss = ([w, b]: readonly Tensor[], x: Tensor, r: Tensor) => conv2d(x, w, b, { padding: 1 }).mul(r).sum().mul(1 / N);
  return {
    title: `conv2d step: x [${N},1,8,8], w [${filters},1,3,3], padding 1, bias; loss Σ(y⊙r)/${N}; ∂/∂w, ∂/∂b; SGD lr ${LR}`,
    ref: ['conv_step.py', String(filters)],
    cases: () => {
      const eager = setup();
      const compiled = setup();
      const step = compile((x: Tensor, r: Tensor) => loss(compiled.params, x, r), { optimizer: sgd(compiled.params) });
      return [
        {
          name: 'gradlab eager (backward(), update loop)',
          step: () => {
            const l = loss(eager.params, eager.x, eager.r);
            l.backward();
            update(eager.params);
            return l.item();
          },
        },
        { name: 'gradlab compiled (update in the program)', step: () => step.run(compiled.x, compiled.r).item() },
      ];
    },
  };
}

// ---- timing and the numpy reference ------------------------------------------------------------

interface Calibration {
  msPerStep: number;
  partMs: number | null;
  checkLoss: number;
  numpy: string;
  blas: string;
}

interface RoundResult {
  msPerStep: number;
  /** The CPU time of the reference's process per step (absent from older scripts). */
  cpuMsPerStep?: number;
  partMs: number | null;
}

/** Runs a numpy reference script on one thread; its JSON line, or why it could not run. */
function python<T>(args: readonly string[]): T | string {
  const script = fileURLToPath(new URL(`./ref/${args[0]}`, import.meta.url));
  const threads = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const run = spawnSync('python3', [script, ...args.slice(1)], { env: { ...process.env, ...threads }, encoding: 'utf8', timeout: 120_000 });
  if (run.error) return `python3 not found (${run.error.message})`;
  if (run.status !== 0) return `python3 ${args[0]} failed: ${(run.stderr || '').trim().split('\n').pop() ?? ''}`;
  try {
    return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
  } catch {
    return `python3 ${args[0]} printed no result`;
  }
}

/** Calls to make a round last about `target` ms, given ms per call. */
const callsFor = (ms: number, target: number) => Math.max(3, Math.round(target / Math.max(ms, 1e-3)));

/**
 * Each case's ms per step, round by round: warm-up, then in every round each case for ~150 ms
 * in turn and then the numpy reference's round (a process of its own, timing its steps inside),
 * so a busy machine slows them alike. Without the reference, its rounds are empty.
 */
function timeRounds(cases: readonly ModelCase[], refArgs: readonly string[], calibration: Calibration | null) {
  const rounds = options.quick ? 3 : 7;
  const target = options.quick ? 50 : 150;
  const steps = cases.map((c) => {
    for (let s = 0; s < 3; s++) c.step();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 50) {
      c.step();
      n++;
    }
    return callsFor((performance.now() - t0) / n, target);
  });
  const refSteps = calibration && callsFor(calibration.msPerStep, target);
  const refPartSteps = calibration?.partMs != null ? callsFor(calibration.partMs, target) : null;
  const perRound = cases.map(() => [] as number[]);
  const cpuPerRound = cases.map(() => [] as number[]);
  const refRounds: RoundResult[] = [];
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, k) => {
      const t0 = performance.now();
      const c0 = cpuMs();
      for (let s = 0; s < steps[k]; s++) c.step();
      perRound[k].push((performance.now() - t0) / steps[k]);
      cpuPerRound[k].push((cpuMs() - c0) / steps[k]);
    });
    if (refSteps !== null) {
      const args = [...refArgs, '--steps', String(refSteps), ...(refPartSteps ? ['--part-steps', String(refPartSteps)] : [])];
      const result = python<RoundResult>(args);
      if (typeof result !== 'string') refRounds.push(result);
    }
  }
  return { perRound, cpuPerRound, refRounds };
}

/** The loss of the 4th step from fresh cases (3 steps before it), as the reference reports it. */
function checkLoss(model: Model, k: number): number {
  const c = model.cases()[k];
  for (let s = 0; s < 3; s++) c.step();
  return c.step();
}

/** Prints a model's table; returns its medians and the median per-round ratios to numpy (NaN without numpy). */
function modelTable(model: Model): { ms: number[]; ratios: number[]; numpy: number | null; numpyPart: number | null } {
  const cases = [...model.cases(), ...(model.parts?.() ?? [])];
  const stepCases = cases.length - (model.parts ? 1 : 0);
  const calibration = python<Calibration>(model.ref);
  const ok = typeof calibration === 'string' ? null : calibration;
  const { perRound, cpuPerRound, refRounds } = timeRounds(cases, model.ref, ok);
  const ms = perRound.map(median);
  const haveRef = refRounds.length === perRound[0].length;
  const refMs = refRounds.map((r) => r.msPerStep);
  const numpy = haveRef ? median(refMs) : null;
  const ratios = perRound.map((figures, k) =>
    !haveRef ? NaN : median(figures.map((t, r) => t / (k < stepCases ? refRounds[r].msPerStep : (refRounds[r].partMs ?? NaN)))),
  );
  console.log(`\n${model.title}; ${perRound[0].length} rounds, gradlab and numpy on one thread`);
  console.log(`  case                                                    ms/step   × numpy: median (min–max of the rounds)`);
  if (typeof calibration === 'string') console.log(`  numpy float64, 1 thread: skipped: ${calibration}`);
  else if (!haveRef) console.log('  numpy float64, 1 thread: skipped: a round of the reference failed');
  else console.log(`  ${`numpy ${calibration.numpy} float64, 1 thread (${calibration.blas})`.padEnd(52)}${fmt(numpy!, 3)}${fmt(1, 2)}×`);
  cases.forEach((c, k) => {
    const perRoundRatios = perRound[k].map((t, r) => t / (k < stepCases ? refRounds[r]?.msPerStep : (refRounds[r]?.partMs ?? NaN)));
    const range = haveRef ? ` (${Math.min(...perRoundRatios).toFixed(2)}–${Math.max(...perRoundRatios).toFixed(2)})` : '';
    // the same in CPU time (steadier on a loaded machine): gradlab's process against the reference's
    const cpuRatios = k < stepCases && haveRef && refRounds.every((rr) => rr.cpuMsPerStep !== undefined)
      ? cpuPerRound[k].map((t, r) => t / refRounds[r].cpuMsPerStep!)
      : null;
    const cpu = cpuRatios ? `; CPU time ${median(cpuRatios).toFixed(2)}× (${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)})` : '';
    const ratio = haveRef ? `${fmt(ratios[k], 2)}×${range}${cpu}` : '';
    const numpyPart = k >= stepCases && haveRef ? `   (numpy ${median(refRounds.map((r) => r.partMs ?? NaN)).toFixed(3)} ms)` : '';
    console.log(`  ${c.name.padEnd(52)}${fmt(ms[k], 3)}${ratio}${numpyPart}`);
  });
  const eagerLoss = checkLoss(model, 0);
  const compiledLoss = checkLoss(model, 1);
  const vsNumpy = ok ? `, numpy ${ok.checkLoss} (relative difference ${(Math.abs(eagerLoss - ok.checkLoss) / Math.abs(ok.checkLoss)).toExponential(1)})` : '';
  console.log(`  check, loss of step 4: eager ${eagerLoss}, compiled ${Object.is(eagerLoss, compiledLoss) ? '(the same bits)' : compiledLoss}${vsNumpy}`);
  const numpyPart = haveRef && refRounds[0].partMs !== null ? median(refRounds.map((r) => r.partMs!)) : null;
  return { ms, ratios, numpy, numpyPart };
}

/** The MLP and conv tables; the MLP's target is at most 1.5× numpy on one thread. */
export function modelsBench(): void {
  // gradlab on one thread too (no matmul workers), as numpy
  const threads = getNumThreads();
  setNumThreads(1);
  try {
    modelsTables();
  } finally {
    setNumThreads(threads);
  }
}

function modelsTables(): void {
  const { ms, ratios, numpy, numpyPart } = modelTable(mlp);
  if (numpy !== null) {
    const best = Math.min(ratios[0], ratios[1]);
    const share = numpyPart === null ? '' : `, numpy's ${((numpyPart / numpy) * 100).toFixed(0)}% of its step`;
    console.log(
      `  target: the MLP step within 1.5× numpy on one thread: ${best <= 1.5 ? 'met' : 'NOT met'} (best ${best.toFixed(2)}×); ` +
        `the 5 matmuls alone take ${((ms[ms.length - 1] / ms[1]) * 100).toFixed(0)}% of the compiled step${share}`,
    );
  }
  modelTable(convModel(8));
  modelTable(convModel(16));
}
