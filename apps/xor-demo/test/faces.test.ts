// One lab, two faces: the lab (src/lab) owns the printout, the step graph and its names, text →
// settings, the defaults, the losses and evaluate; the CLI (src/cli) and the page (src/web) only
// present them. These tests check both faces say the same thing, and that neither re-implements it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_LIMITS, ConfigError, configFromText, LAB_PRESET } from '../src/lab/config.ts';
import { stopLine, resultLines } from '../src/lab/printout.ts';
import { configsFromOptions, usageError } from '../src/cli/options.ts';
import { configFromForm, formFromConfig } from '../src/web/settings.ts';
import { printout } from '../src/web/printout.ts';
import type { Progress, RunData } from '../src/web/protocol.ts';

const SRC = join(import.meta.dirname, '../src');
function sources(folder: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.push({ file: p.slice(SRC.length + 1), text: readFileSync(p, 'utf8') });
    }
  };
  walk(join(SRC, folder));
  return out;
}

describe('the faces only present the lab', () => {
  const faces = [...sources('cli'), ...sources('web')];
  const forbidden: [RegExp, string][] = [
    [/\b(mseLoss|bceLoss)\b/, 'a loss picked by name (lab/loss.ts: lossFunction)'],
    [/\bvalidateConfig\b/, 'config checking (lab/config.ts: configFromText)'],
    [/function parse(Hidden|Number)\b/, 'text → settings (lab/config.ts)'],
    [/`epoch \$\{[^`]*\} loss/, 'a printout line (lab/printout.ts)'],
    [/\bnumpyColumn\b/, 'the predictions column (lab/printout.ts: resultLines)'],
    [/\bmoduleFromConfig\b|\.name = `W\$\{/, 'the step graph and its names (lab/graph.ts)'],
    [/'1000000'|'5000'|'0\.04'|'0\.9'/, 'a default other than the preset’s'],
  ];
  for (const [pattern, what] of forbidden) {
    it(`no face re-implements ${what}`, () => {
      expect(faces.filter((f) => pattern.test(f.text)).map((f) => f.file)).toEqual([]);
    });
  }
});

describe('both faces read settings the same way', () => {
  it('the CLI and the form parse the same text to the same config', () => {
    const cli = configsFromOptions({ hidden: '8,4', lr: '0.5', batchSize: '4', seed: '3', dataset: 'moons' }, false).configs[0];
    const form = configFromForm({ ...formFromConfig(LAB_PRESET), hidden: '8, 4', lr: '0.5', batchSize: '4', seed: '3', dataset: 'moons' });
    expect(form).toEqual({ ok: true, config: cli });
    expect(cli).toEqual(configFromText({ hidden: '8 4', lr: '0.5', batchSize: '4', seed: '3', dataset: 'moons' }));
  });

  it('a bad value is one error naming the field, worded once; each face names the field its way', () => {
    let error: unknown;
    try {
      configFromText({ lr: 'fast' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('lr');
    expect((error as ConfigError).message).toBe("lr: expected a number, got 'fast'");
    expect(usageError(error as ConfigError).message).toBe("--lr: expected a number, got 'fast'");
    expect(configFromForm({ ...formFromConfig(LAB_PRESET), lr: 'fast' })).toEqual({ ok: false, field: 'lr', message: "lr: expected a number, got 'fast'" });
    expect(() => configFromText({ batchSize: '0' })).toThrow('batch size must be a positive integer, got 0');
  });

  it('the defaults are the preset, whatever the face', () => {
    expect(configFromText({})).toEqual({ ...LAB_PRESET });
    expect(configsFromOptions({}, false).configs[0]).toEqual({ ...LAB_PRESET });
    expect(configFromForm(formFromConfig(LAB_PRESET))).toEqual({ ok: true, config: { ...LAB_PRESET } });
    expect(CLI_LIMITS.hiddenSize).toBe(4096);
  });
});

describe('both faces print the same lines', () => {
  it('the page prints what the CLI prints when training stops', () => {
    const run: RunData = { config: { ...LAB_PRESET, maxEpochs: 42 }, description: 'lab', points: [[0, 0], [0, 1]], labels: [0, 1], outputs: 1 };
    const end = { epoch: 42, lossThreshold: 0.04, maxEpochs: 42, lastMaxLoss: 0.3, divergence: null };
    const progress: Progress = {
      epoch: 42,
      passes: 21,
      running: false,
      stopReason: 'max-epochs',
      divergence: null,
      meanLoss: 0.2,
      maxLoss: 0.3,
      history: { epochs: [], meanLoss: [] },
      log: [{ epoch: 20, loss: 0.25 }],
      predictions: [0.4, 0.6],
      accuracy: 1,
      grid: null,
      snapshots: [0],
    };
    const r = resultLines([0.4, 0.6], [0, 1]);
    expect(printout(run, progress).split('\n')).toEqual([
      'epoch 20 loss: 0.25',
      stopLine({ reason: 'max-epochs', ...end }),
      ...r.column.split('\n'),
      r.classes,
      r.accuracy,
    ]);
    expect(stopLine({ reason: 'max-epochs', ...end })).toBe('NOT converged: stopped at max epochs 42 (largest per-sample loss of the last pass 0.3)');
  });
});
