// The cost of each optimizer's step() per parameter value, against a hand-written loop
// p[k] −= lr·g[k] in the same process: cases interleaved round by round, the median of the
// rounds reported. Run: pnpm --filter @gradlab/nn exec tsx bench/optimizers.ts
import { tensor, type Tensor } from '@gradlab/core';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '../src/index.ts';

const SIZE = 100_000;
const STEPS = 50;
const ROUNDS = 9;

function param(): Tensor {
  const p = tensor(Float64Array.from({ length: SIZE }, (_, k) => Math.sin(k)), { requiresGrad: true });
  p.grad = tensor(Float64Array.from({ length: SIZE }, (_, k) => Math.cos(k) * 1e-3));
  return p;
}

const cases: [string, () => () => void][] = [
  [
    'hand-written p −= lr·g',
    () => {
      const p = param();
      const v = p.data;
      const g = p.grad!.data;
      return () => {
        for (let k = 0; k < v.length; k++) v[k] -= 0.01 * g[k];
      };
    },
  ],
  ...(
    [
      ['SGD', (p: Tensor[]) => new SGD(p, { lr: 0.01 })],
      ['SGD momentum nesterov weightDecay', (p: Tensor[]) => new SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
      ['Adam', (p: Tensor[]) => new Adam(p)],
      ['AdamW', (p: Tensor[]) => new AdamW(p)],
      ['RMSprop', (p: Tensor[]) => new RMSprop(p)],
      ['Adagrad', (p: Tensor[]) => new Adagrad(p)],
    ] as [string, (p: Tensor[]) => Optimizer][]
  ).map(([name, make]): [string, () => () => void] => [
    `${name}.step()`,
    () => {
      const opt = make([param()]);
      return () => opt.step();
    },
  ]),
];

const runs = cases.map(([, make]) => make());
const times: number[][] = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  runs.forEach((run, i) => {
    const start = performance.now();
    for (let s = 0; s < STEPS; s++) run();
    times[i].push(((performance.now() - start) * 1e6) / (STEPS * SIZE));
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times[0]);
console.log(`optimizer step on one parameter of ${SIZE} values; median of ${ROUNDS} interleaved rounds of ${STEPS} steps`);
console.log('  case                                        ns/value   × hand-written');
cases.forEach(([name], i) => console.log(`  ${name.padEnd(42)} ${median(times[i]).toFixed(2).padStart(8)}   ${(median(times[i]) / base).toFixed(2)}×`));
