// assign(target, value): a buffer written in place by an op, so that compile replays the write.
// Eagerly: the values, the version count, no gradient, the errors. Compiled: every run repeats
// the write in order, reading the buffer's values of that run, bit for bit as eager runs.
import { describe, expect, it } from 'vitest';
import { assign, compile, createRng, GradlabError, noGrad, randn, tensor, zeros, type Tensor } from '../src/index.ts';

describe('assign', () => {
  it('writes the values in place, counts the change, returns the target, and passes no gradient', () => {
    const buffer = zeros([3]);
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const version = buffer.version;
    const returned = assign(buffer, x.mul(2));
    expect(returned).toBe(buffer);
    expect(Array.from(buffer.data)).toEqual([2, 4, 6]);
    expect(buffer.version).toBe(version + 1);
    expect(buffer.requiresGrad).toBe(false);
    expect(buffer.isLeaf).toBe(true);
    // a graph that read the old values refuses to backpropagate
    const w = tensor([1, 1, 1], { requiresGrad: true });
    const y = w.mul(buffer).sum();
    assign(buffer, zeros([3]));
    expect(() => y.backward()).toThrow(GradlabError);
  });

  it('errors name assign, the argument and the shapes', () => {
    expect(() => assign(zeros([2]), zeros([3]))).toThrow("assign: value [3] must have the target's shape [2]");
    expect(() => assign(zeros([2], { requiresGrad: true }), zeros([2]))).toThrow(/assign: target \[2\] requires grad/);
    const computed = noGrad(() => tensor([1, 2]).add(1));
    expect(() => assign(tensor([1, 2], { requiresGrad: true }).add(1), zeros([2]))).toThrow(/requires grad/);
    expect(computed.isLeaf).toBe(true); // noGrad results are leaves: assign may write them
    expect(() => assign([1, 2] as unknown as Tensor, zeros([2]))).toThrow(/assign: target must be a Tensor, got an array of 2/);
  });

  for (const mode of ['generated', 'kernels'] as const) {
    it(`a compiled step repeats the writes at every run, as the eager steps do (${mode})`, () => {
      const run = (compiled: boolean): number[][] => {
        const count = zeros([], { name: 'count' });
        const average = zeros([4], { name: 'average' });
        const w = randn([4], createRng(1), { requiresGrad: true });
        const step = (x: Tensor): Tensor => {
          const y = x.mul(w);
          noGrad(() => {
            assign(count, count.add(1));
            // the cumulative average of y, read after count was written: 1/count of this run
            const m = count.reciprocal();
            assign(average, average.mul(m.neg().add(1)).add(y.mul(m)));
            assign(average, average.mul(0.5)); // a second write of the same buffer reads the first's result
          });
          return y.square().sum();
        };
        const compiledStep = compile(step, { mode });
        const rng = createRng(2);
        const out: number[][] = [];
        for (let k = 0; k < 6; k++) {
          const x = randn([4], rng);
          const loss = compiled ? compiledStep.run(x).data[0] : step(x).item();
          out.push([loss, count.data[0], ...average.data]);
        }
        if (compiled) expect(compiledStep.describe()).toContain('assign(→average)');
        return out;
      };
      const eager = run(false);
      const compiled = run(true);
      expect(eager[5][1]).toBe(6);
      compiled.forEach((row, k) => row.forEach((v, i) => expect(Object.is(v, eager[k][i]), `run ${k}, value ${i}`).toBe(true)));
    });
  }
});
