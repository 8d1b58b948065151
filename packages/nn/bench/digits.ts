// One training epoch of the digits CNN (`pnpm demo digits`: conv 1→8 3×3 pad 1 → ReLU → max-pool 2
// → conv 8→16 → ReLU → max-pool 2 → flatten → linear 64→10, softmax cross-entropy, Adam lr 0.01,
// batch 32 over the 1,438 training images, a seeded shuffle per epoch), eager and compiled, float64,
// one thread, beside the same epoch in PyTorch (packages/core/bench/ref/cnn_epoch.py, float64 and
// float32, on 1 and 2 threads) when Debian's /usr/bin/python3 imports torch.
//
//   pnpm --filter @gradlab/nn exec tsx bench/digits.ts [--rounds 5] [--two]   (--two: PyTorch on 2 threads too)
//
// Each round runs gradlab's eager epoch, its compiled epoch, then one call of the PyTorch script
// (a process of its own, timing one epoch per configuration after one to warm up), so a busy
// machine slows all alike. Figures: medians over the rounds (min–max) of wall and CPU ms per
// epoch (CPU: process.cpuUsage here, time.process_time there); a ratio is the median of the
// per-round ratios. The per-batch work is the trainer's (apps/xor-demo/src/lab/digits.ts): gather
// the batch, forward, loss, backward, Adam, read the loss; no test evaluation.
// gradlab's Conv2d takes no dtype option, so this CNN runs in float64 only.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compile, setNumThreads, Tensor, type CompiledStep } from '@gradlab/core';
import { DataLoader, loadDigits, TensorDataset } from '@gradlab/data';
import { Adam, Conv2d, crossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/index.ts';

const args = process.argv.slice(2);
const ROUNDS = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 5;
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../core/bench/ref/cnn_epoch.py', import.meta.url));

const cnn = (seed: number) =>
  new Sequential(
    new Conv2d(1, 8, 3, { padding: 1, seed }), new ReLU(), new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1, seed: seed + 1 }), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Linear(64, 10, { seed: seed + 2 }),
  );

const data = loadDigits();
const n = data.train.x.shape[0];
const pixels = new Float64Array(data.train.x.size);
for (let i = 0; i < pixels.length; i++) pixels[i] = data.train.x.data[i] / 16;
const images = new Tensor(pixels, [n, 1, 8, 8]);

interface Trainer {
  epoch(): number;
}

function trainer(engine: 'eager' | 'compiled'): Trainer {
  const model = cnn(1);
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const loader = new DataLoader(new TensorDataset(images, data.train.y), { batchSize: 32, shuffle: true, seed: 1 });
  const steps = new Map<number, CompiledStep<[Tensor, Tensor], Tensor>>();
  const step = (x: Tensor, y: Tensor): Tensor => {
    if (engine === 'eager') {
      optimizer.zeroGrad();
      const loss = crossEntropyLoss(model.forward(x), y);
      loss.backward();
      optimizer.step();
      return loss;
    }
    let s = steps.get(x.shape[0]);
    if (!s) {
      s = compile((xb: Tensor, yb: Tensor) => crossEntropyLoss(model.forward(xb), yb), { optimizer, parameters: model });
      steps.set(x.shape[0], s);
    }
    return s.run(x, y);
  };
  let epochs = 0;
  return {
    epoch() {
      loader.epoch = epochs++;
      let total = 0;
      for (const [x, y] of loader) total += step(x, y).item();
      return total;
    },
  };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const range = (v: number[]) => `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`;
const show = (v: number[]) => `${median(v).toFixed(1)} (${range(v)})`;

function timed(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

type TorchRound = Record<string, { wallMs: number; cpuMs: number }> & { torch?: string };
function torchRound(): TorchRound | null {
  if (!existsSync(PYTHON)) return null;
  const r = spawnSync(PYTHON, [SCRIPT, '--epochs', '1', ...(args.includes('--two') ? ['--two'] : [])], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: undefined } });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchRound;
}

setNumThreads(1); // the CNN's products are far below the threads' threshold anyway
const engines = { eager: trainer('eager'), compiled: trainer('compiled') };
const eagerCheck = engines.eager.epoch(); // warm-up (and recording)
const compiledCheck = engines.compiled.epoch();
console.log(`digits CNN epoch: ${n} training images, batch 32 (${Math.ceil(n / 32)} batches), Adam lr 0.01, float64; ${ROUNDS} rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`  warm-up epoch's loss sum: eager ${eagerCheck}, compiled ${compiledCheck} (${Object.is(eagerCheck, compiledCheck) ? 'same bits' : 'DIFFERENT'})`);

const wall: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
const ratioWall: Record<string, number[]> = {};
const ratioCpu: Record<string, number[]> = {};
const push = (m: Record<string, number[]>, k: string, v: number) => (m[k] ??= []).push(v);
let torchVersion: string | undefined;
for (let round = 0; round < ROUNDS; round++) {
  const g: Record<string, { wall: number; cpu: number }> = {};
  for (const [name, t] of Object.entries(engines)) {
    g[name] = timed(() => t.epoch());
    push(wall, `gradlab ${name}`, g[name].wall);
    push(cpu, `gradlab ${name}`, g[name].cpu);
  }
  const tr = torchRound();
  if (!tr) continue;
  torchVersion = tr.torch;
  for (const [key, v] of Object.entries(tr)) {
    if (typeof v !== 'object') continue;
    const [dtype, threads] = key.split('/');
    const label = `PyTorch ${dtype}, ${threads} thread${threads === '1' ? '' : 's'}`;
    push(wall, label, v.wallMs);
    push(cpu, label, v.cpuMs);
    for (const name of Object.keys(engines)) {
      push(ratioWall, `${name} ÷ ${label}`, g[name].wall / v.wallMs);
      push(ratioCpu, `${name} ÷ ${label}`, g[name].cpu / v.cpuMs);
    }
  }
}
console.log(`  ms per epoch, median (min–max)${torchVersion ? `; PyTorch ${torchVersion}` : '; PyTorch not available (needs /usr/bin/python3 with torch): gradlab alone'}`);
for (const k of Object.keys(wall)) console.log(`  ${k.padEnd(30)} wall ${show(wall[k]).padEnd(22)} CPU ${show(cpu[k])}`);
if (torchVersion) {
  console.log('  gradlab ÷ PyTorch, median of the per-round ratios (min–max)');
  for (const k of Object.keys(ratioWall)) {
    const w = ratioWall[k];
    const c = ratioCpu[k];
    console.log(`  ${k.padEnd(42)} wall ${median(w).toFixed(2)}× (${Math.min(...w).toFixed(2)}–${Math.max(...w).toFixed(2)})   CPU ${median(c).toFixed(2)}× (${Math.min(...c).toFixed(2)}–${Math.max(...c).toFixed(2)})`);
  }
}
console.log(`  load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
