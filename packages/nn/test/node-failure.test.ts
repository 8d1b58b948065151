// saveModel when the final rename fails (after the temporary file was fully written):
// the old file must survive and the temporary file must be removed.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mlp } from '../src/index.ts';
import { saveModel } from '../src/node.ts';

const failure = vi.hoisted(() => ({ renameFails: false, tempSeen: [] as string[] }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      if (!failure.renameFails) return fs.rename(from, to);
      failure.tempSeen.push(...(await fs.readdir(join(from, '..'))));
      throw new Error('EIO: simulated failure');
    },
  };
});

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('saveModel failing at the rename', () => {
  it('keeps the old file and removes the temporary one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradlab-nn-fail-'));
    dirs.push(dir);
    const path = join(dir, 'model.json');
    await saveModel(mlp([2, 1], { seed: 1 }), path);
    const before = await readFile(path, 'utf8');
    failure.renameFails = true;
    await expect(saveModel(mlp([2, 5, 1], { seed: 2 }), path)).rejects.toThrow(
      `saveModel: cannot write ${path}: EIO: simulated failure`,
    );
    failure.renameFails = false;
    // the new content had gone to a temporary file in the same directory, not to model.json
    expect(failure.tempSeen.filter((f) => f !== 'model.json')).toHaveLength(1);
    expect(failure.tempSeen.find((f) => f !== 'model.json')).toMatch(/^\.model\.json\.\d+\.[0-9a-f]+\.tmp$/);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['model.json']);
  });
});
