// The trainer's two engines, compiled (the default) and eager, train to the same numbers bit
// for bit: losses, log lines, predictions and every weight, per sample and in batches.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LAB_PRESET, type LabConfig } from '../src/lab/config.ts';
import { LabTrainer, type Engine } from '../src/lab/trainer.ts';
import { main } from '../src/cli/main.ts';

function train(config: LabConfig, engine: Engine) {
  const t = new LabTrainer(config, { engine });
  t.run();
  return {
    engine: t.engine,
    epoch: t.epoch,
    stopReason: t.stopReason,
    history: t.history,
    log: t.log,
    predictions: t.predict(),
    weights: t.model.parameters().map((p) => Array.from(p.data)),
  };
}

/** Equal, with every number compared bit for bit (Object.is: −0 and NaN included). */
function expectSameBits(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number') {
    if (!Object.is(actual, expected)) throw new Error(`${path}: ${String(actual)} compiled, ${expected} eager`);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectSameBits((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    for (const key of Object.keys(expected)) expectSameBits((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
  } else {
    expect(actual, path).toBe(expected);
  }
}

const lab: LabConfig = { ...LAB_PRESET, hidden: [...LAB_PRESET.hidden] };

describe('compiled and eager engines', () => {
  it('compiled is the default', () => {
    expect(new LabTrainer(lab).engine).toBe('compiled');
    expect(() => new LabTrainer(lab, { engine: 'fast' as Engine })).toThrow("engine must be one of compiled, eager, got 'fast'");
  });

  const cases: [string, LabConfig][] = [
    ["the lab's run (XOR-easy, [2,3,3,1], per-sample SGD)", { ...lab, maxEpochs: 3000 }],
    ['momentum in batches of 4 (the last batch of a pass has 1 sample)', { ...lab, optimizer: 'momentum', lr: 0.3, batchSize: 4, maxEpochs: 2100 }],
    [
      'Adam, BCE, ReLU with bias on the linear set in batches of 16',
      { ...lab, dataset: 'linear', hidden: [8, 8], activation: 'relu', bias: true, loss: 'bce', optimizer: 'adam', lr: 0.01, batchSize: 16, maxEpochs: 3000 },
    ],
    ['tanh and leaky ReLU, [2,5,4,1] with bias, per sample', { ...lab, hidden: [5, 4], activation: 'tanh', outputActivation: 'leaky-relu', bias: true, lr: 0.1, maxEpochs: 1500 }],
  ];
  for (const [name, config] of cases) {
    it(name, () => {
      const eager = train(config, 'eager');
      const compiled = train(config, 'compiled');
      expect(eager.engine).toBe('eager');
      expect(compiled.engine).toBe('compiled');
      expectSameBits(compiled, { ...eager, engine: 'compiled' });
    });
  }

  it('the CLI trains compiled by default and eagerly with --eager, to the same printout', async () => {
    const printouts: Record<string, string> = {};
    const dir = await mkdtemp(join(tmpdir(), 'gradlab-engine-'));
    for (const flags of [[], ['--eager']]) {
      const out: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
      try {
        const code = await main(['--max-epochs', '2100', '--no-report', '--out', join(dir, `run-${flags.length}`), ...flags]);
        expect(code).toBe(0);
      } finally {
        log.mockRestore();
      }
      printouts[flags.join('') || 'default'] = out.filter((l) => !l.startsWith('time:') && !l.startsWith('outputs:')).join('\n');
      expect(out.find((l) => l.startsWith('time:'))).toMatch(flags.length ? /µs per step, eager\)$/ : /µs per step, compiled\)$/);
    }
    expect(printouts['--eager']).toBe(printouts.default);
    await rm(dir, { recursive: true, force: true });
  });
});
