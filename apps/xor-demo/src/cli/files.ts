// Output folders. Files are written with `writeFileAtomic` from @gradlab/nn/node (the repository's
// one atomic writer): a temporary file beside the target, renamed over it, so a crash never leaves
// a half-written file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '@gradlab/nn';
import { writeFileAtomic } from '@gradlab/nn/node';
import type { ExportFormat } from './options.ts';

export { writeFileAtomic };

/**
 * The model as model.onnx (float64, the batch dimension free) and/or model.safetensors
 * (PyTorch's layout: torch.nn.Sequential's names, Linear's [out, in] weights) in `dir`. Both
 * are encoded before either is written; each file is written atomically. Returns their names.
 */
export async function writeModelExports(dir: string, model: Module, features: number, formats: readonly ExportFormat[]): Promise<string[]> {
  if (formats.length === 0) return [];
  const { exportOnnx, saveSafetensors } = await import('@gradlab/nn/export'); // protobufjs only when asked
  const files: [string, Uint8Array][] = formats.map((format) =>
    format === 'onnx'
      ? ['model.onnx', exportOnnx(model, { inputShape: [1, features] })]
      : ['model.safetensors', saveSafetensors(model, { layout: 'pytorch' })],
  );
  for (const [name, bytes] of files) await writeFileAtomic(join(dir, name), bytes);
  return files.map(([name]) => name);
}

/** A new folder name `runs/2026-11-28T19-04-05` (local time, sortable, no characters a file system dislikes). */
export function timestampFolder(prefix = ''): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `runs/${prefix}${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
  // two runs in the same second get their own folders
  let folder = base;
  for (let k = 2; existsSync(folder); k++) folder = `${base}-${k}`;
  return folder;
}
