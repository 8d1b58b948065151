// Issue 14's two step targets beside PyTorch on one thread, in one process, interleaved rounds:
// - MLP [784,128,64,10], batch 64, no bias, ReLU, MSE, plain SGD (as bench/float32.ts of core);
// - batched [2,64,64,1], sigmoid, no bias, MSE, SGD lr 0.5, full batch of 4,096 (as batched.ts).
// gradlab eager and compiled, float64 and float32, one thread (setNumThreads(1)); PyTorch from
// packages/core/bench/ref/torch_steps.py (Debian's /usr/bin/python3, torch.set_num_threads(1)),
// one call per round after gradlab's cases. Figures: medians over the rounds (min–max) of wall and
// CPU ms per step; ratios: medians of the per-round ratios.
//
//   pnpm --filter @gradlab/nn exec tsx bench/vs-torch.ts [--rounds 5] [--steps 20]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compile, createRng, matmul, mean, rand, randn, relu, setNumThreads, sigmoid, square, sub, type DType, type Tensor } from '@gradlab/core';

const args = process.argv.slice(2);
const num = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const ROUNDS = num('--rounds', 5);
const STEPS = num('--steps', 20);
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../core/bench/ref/torch_steps.py', import.meta.url));

/** A no-bias network's step: forward with `act` between layers (and after the last if `last`), MSE, backward, SGD by hand. */
function netStep(dims: number[], batch: number, act: (t: Tensor) => Tensor, last: boolean, lr: number, dtype: DType, compiled: boolean): () => void {
  const rng = createRng(3);
  const params: Tensor[] = [];
  for (let l = 0; l + 1 < dims.length; l++) params.push(randn([dims[l], dims[l + 1]], rng, { dtype, std: Math.sqrt(2 / dims[l]), requiresGrad: true }));
  const x = dims[0] === 2 ? rand([batch, 2], rng, { dtype }) : randn([batch, dims[0]], rng, { dtype });
  const y = randn([batch, dims[dims.length - 1]], rng, { dtype });
  const loss = (input: Tensor, target: Tensor) => {
    let h = input;
    params.forEach((w, l) => {
      h = matmul(h, w);
      if (l + 1 < params.length || last) h = act(h);
    });
    return mean(square(sub(h, target)));
  };
  const sgd = () => {
    for (const p of params) {
      const g = p.grad!.data;
      const v = p.data;
      for (let i = 0; i < v.length; i++) v[i] -= lr * g[i];
      p.markChanged();
      p.grad = null;
    }
  };
  if (!compiled) {
    return () => {
      loss(x, y).backward();
      sgd();
    };
  }
  const step = compile(loss);
  return () => {
    step.run(x, y);
    sgd();
  };
}

const cases: Record<string, () => void> = {};
for (const dtype of ['float64', 'float32'] as const) {
  for (const compiled of [false, true]) {
    const engine = compiled ? 'compiled' : 'eager';
    cases[`mlp/${dtype}/${engine}`] = netStep([784, 128, 64, 10], 64, relu, false, 1e-3, dtype, compiled);
    cases[`batched/${dtype}/${engine}`] = netStep([2, 64, 64, 1], 4096, sigmoid, true, 0.5, dtype, compiled);
  }
}

function timed(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) fn();
  const wall = (performance.now() - t0) / STEPS;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 / STEPS };
}

type TorchRound = Record<string, { wallMs: number; cpuMs: number } | string>;
function torchRound(): TorchRound | null {
  if (!existsSync(PYTHON)) return null;
  const r = spawnSync(PYTHON, [SCRIPT, '--steps', String(STEPS)], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchRound;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const show = (v: number[], d = 2) => `${median(v).toFixed(d)} (${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)})`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

setNumThreads(1);
for (const fn of Object.values(cases)) for (let s = 0; s < 3; s++) fn();
console.log(`gradlab vs PyTorch, one thread each: ${ROUNDS} rounds of ${STEPS} steps; load average ${load()}`);
const wall: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
const rWall: Record<string, number[]> = {};
const rCpu: Record<string, number[]> = {};
const push = (m: Record<string, number[]>, k: string, v: number) => (m[k] ??= []).push(v);
let version = '';
for (let round = 0; round < ROUNDS; round++) {
  const g: Record<string, { wall: number; cpu: number }> = {};
  for (const [k, fn] of Object.entries(cases)) {
    g[k] = timed(fn);
    push(wall, `gradlab ${k}`, g[k].wall);
    push(cpu, `gradlab ${k}`, g[k].cpu);
  }
  const t = torchRound();
  if (!t) continue;
  version = typeof t.torch === 'string' ? t.torch : '?';
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'string') continue;
    push(wall, `PyTorch ${k}`, v.wallMs);
    push(cpu, `PyTorch ${k}`, v.cpuMs);
    for (const engine of ['eager', 'compiled']) {
      push(rWall, `${k}/${engine}`, g[`${k}/${engine}`].wall / v.wallMs);
      push(rCpu, `${k}/${engine}`, g[`${k}/${engine}`].cpu / v.cpuMs);
    }
  }
}
console.log(`  ms per step, median (min–max)${version ? `; PyTorch ${version}` : '; PyTorch not available: gradlab alone'}`);
for (const k of Object.keys(wall).sort()) console.log(`  ${k.padEnd(30)} wall ${show(wall[k]).padEnd(24)} CPU ${show(cpu[k])}`);
if (version) {
  console.log('  gradlab ÷ PyTorch (same dtype, one thread), median of per-round ratios (min–max)');
  for (const k of Object.keys(rWall).sort()) console.log(`  ${k.padEnd(30)} wall ${show(rWall[k]).padEnd(24)} CPU ${show(rCpu[k])}`);
}
console.log(`  load average after: ${load()}`);
