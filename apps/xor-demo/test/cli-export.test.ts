// `pnpm demo --export onnx,safetensors`: the trained model beside model.json as ONNX and
// safetensors. The ONNX file runs in onnxruntime (onnxruntime-node) and gives the run's own
// predictions; the safetensors file loads back into the same network. A bad --export value is
// refused in one line before anything is trained or made.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@gradlab/data';
import { mlp } from '@gradlab/nn';
import { loadSafetensors } from '@gradlab/nn/export';
import { loadModel } from '@gradlab/nn/node';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pnpm demo --export', () => {
  it('writes model.onnx and model.safetensors beside model.json; onnxruntime gives the run\'s predictions', async () => {
    const out = join(dir, 'both');
    const r = await run('--export', 'onnx,safetensors', '--max-epochs', '3000', '--out', out, '--no-report', '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`outputs: ${out}/ (model.json, model.onnx, model.safetensors, loss.csv, summary.json`);
    expect((await readdir(out)).sort()).toEqual(['loss.csv', 'model.json', 'model.onnx', 'model.safetensors', 'snapshots.json', 'summary.json']);

    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as {
      predictions: number[];
      config: { dataset: string; n: number; dataSeed: number; noise?: number };
    };
    const { dataset, n, dataSeed, noise } = summary.config;
    const { inputs } = generateDataset(dataset, { n, seed: dataSeed, noise });
    const session = await ort.InferenceSession.create(new Uint8Array(await readFile(join(out, 'model.onnx'))));
    const result = await session.run({ input: new ort.Tensor('float64', Float64Array.from(inputs.data), [...inputs.shape]) });
    const onnx = Array.from(result.output.data as Float64Array);
    expect(result.output.dims).toEqual([inputs.shape[0], 1]);
    expect(onnx.length).toBe(summary.predictions.length);
    expect(Math.max(...onnx.map((v, i) => Math.abs(v - summary.predictions[i])))).toBeLessThan(1e-12);

    // the safetensors file (PyTorch's layout) holds model.json's weights
    const saved = await loadModel(join(out, 'model.json'));
    const fresh = mlp([2, 3, 3, 1], { bias: false, seed: 99 });
    fresh.loadStateDict(loadSafetensors(new Uint8Array(await readFile(join(out, 'model.safetensors'))), { layout: 'pytorch', model: fresh }));
    expect(Array.from(fresh.forward(inputs).data)).toEqual(Array.from(saved.forward(inputs).data));
  });

  it('writes only what is asked, and nothing without the flag', async () => {
    const onnx = join(dir, 'onnx');
    expect((await run('--export', 'onnx', '--max-epochs', '42', '--out', onnx, '--no-report', '--quiet')).code).toBe(0);
    expect(existsSync(join(onnx, 'model.onnx'))).toBe(true);
    expect(existsSync(join(onnx, 'model.safetensors'))).toBe(false);
    const plain = join(dir, 'plain');
    expect((await run('--max-epochs', '42', '--out', plain, '--no-report', '--quiet')).code).toBe(0);
    expect((await readdir(plain)).filter((f) => f.startsWith('model.'))).toEqual(['model.json']);
  });

  it('--force removes an earlier run\'s exports too, so none is left beside a new model.json', async () => {
    const out = join(dir, 'again');
    expect((await run('--export', 'onnx,safetensors', '--max-epochs', '42', '--out', out, '--no-report', '--quiet')).code).toBe(0);
    expect((await run('--max-epochs', '42', '--out', out, '--no-report', '--quiet')).code).toBe(2); // a folder holding a run
    expect((await run('--max-epochs', '42', '--out', out, '--no-report', '--quiet', '--force')).code).toBe(0);
    expect((await readdir(out)).filter((f) => f.startsWith('model.'))).toEqual(['model.json']);
  });

  it('refuses a bad value in one line with exit code 2, before training or making the folder', async () => {
    for (const [value, message] of [
      ['pt', "error: --export: expected onnx, safetensors or onnx,safetensors, got 'pt'"],
      ['onnx,tflite', "error: --export: expected onnx, safetensors or onnx,safetensors, got 'onnx,tflite'"],
      ['', "error: --export: expected onnx, safetensors or onnx,safetensors, got ''"],
      ['onnx,onnx', "error: --export: 'onnx' is listed twice in 'onnx,onnx'"],
    ]) {
      const out = join(dir, `bad-${value || 'empty'}`);
      const r = await run('--export', value, '--out', out, '--no-report');
      expect(r.code).toBe(2);
      expect(r.err).toEqual([message]);
      expect(r.out).toBe('');
      expect(existsSync(out)).toBe(false);
    }
  });

  it('is described in --help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    const help = r.out.replace(/\s+/g, ' ');
    expect(help).toContain('--export <formats> also write the trained model beside model.json: onnx (model.onnx, float64, any batch size), safetensors');
  });
});
