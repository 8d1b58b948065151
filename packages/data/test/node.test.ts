import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv, readNpy } from '../src/node.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradlab-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('@gradlab/data/node', () => {
  it('readCsv reads a file, and its errors name the path, the line and the column', async () => {
    const path = join(dir, 'points.csv');
    writeFileSync(path, 'x0,x1,label\n0.5,1,yes\n2,3,no\n');
    const data = await readCsv(path, { labelColumn: 'label' });
    expect(Array.from(data.x.data)).toEqual([0.5, 1, 2, 3]);
    expect(data.classNames).toEqual(['no', 'yes']);
    expect(Array.from(data.y?.data ?? [])).toEqual([1, 0]);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'x0,x1\n1,2\n3,?\n');
    await expect(readCsv(bad)).rejects.toThrow(`readCsv(${bad}): line 3, column 2 ("x1"): "?" is not a number`);
  });

  it('readNpy reads a numpy file', async () => {
    const t = await readNpy(fileURLToPath(new URL('./fixtures/npy/rank3.npy', import.meta.url)));
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.data[0]).toBe(-5);
    expect(t.data[23]).toBe(18);
  });

  it('a missing file is an error naming it', async () => {
    const missing = join(dir, 'nope.npy');
    await expect(readNpy(missing)).rejects.toThrow(`readNpy: cannot read ${missing}: ENOENT`);
    await expect(readCsv('')).rejects.toThrow("readCsv: path must be a non-empty string, got ''");
  });
});
