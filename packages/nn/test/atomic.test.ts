// The repository's one atomic writer (writeFileAtomic, openAtomicFile, sweepStaleTemps), and
// saveModel through it: what a process killed with SIGKILL in the middle of a save leaves behind
// is swept by the next save in that folder.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlp } from '../src/index.ts';
import { loadModel, openAtomicFile, saveModel, STALE_TEMP_MS, sweepStaleTemps, tempPathFor, writeFileAtomic } from '../src/node.ts';

const TEMP = /^\.model\.json\.\d+\.[0-9a-f]{12}\.tmp$/;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradlab-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A child process that starts saveModel and SIGKILLs itself once the temporary file exists. */
const KILLED_MID_SAVE = `
import { readdirSync } from 'node:fs';
import { mlp } from './src/index.ts';
import { saveModel } from './src/node.ts';
const [dir] = process.argv.slice(-1);
void saveModel(mlp([2, 400, 400, 1], { seed: 1 }), dir + '/model.json');
const poll = () => {
  if (readdirSync(dir).some((f) => f.endsWith('.tmp'))) process.kill(process.pid, 'SIGKILL');
  else setImmediate(poll);
};
poll();
`;

describe('saveModel after a kill -9 in the middle of a save', () => {
  it('the killed save leaves its temporary file; the next save in that folder sweeps it', async () => {
    const sub = await mkdtemp(join(dir, 'killed-'));
    const root = resolve(import.meta.dirname, '..');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', KILLED_MID_SAVE, sub], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(child.signal).toBe('SIGKILL');
    const left = await readdir(sub);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(TEMP);
    expect(left[0]).toContain(`.${child.pid}.`);

    await writeFile(join(sub, 'model.json.1'), 'a backup of the user: not ours'); // never touched
    await saveModel(mlp([2, 3, 1], { seed: 2 }), join(sub, 'model.json'));
    expect((await readdir(sub)).sort()).toEqual(['model.json', 'model.json.1']);
    expect((await loadModel(join(sub, 'model.json'))).describe()).toBe('Sequential(Dense(2→3), Sigmoid, Dense(3→1), Sigmoid)');
  });

  it("keeps a live process's fresh temporary file; sweeps it once it is an hour old", async () => {
    const sub = await mkdtemp(join(dir, 'live-'));
    const live = join(sub, `.model.json.${process.ppid}.0123456789ab.tmp`); // the parent: alive
    await writeFile(live, 'in progress');
    expect(await sweepStaleTemps(sub)).toEqual([]);
    await writeFileAtomic(join(sub, 'other.txt'), 'x');
    expect((await readdir(sub)).sort()).toEqual([`.model.json.${process.ppid}.0123456789ab.tmp`, 'other.txt']);
    const old = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    await utimes(live, old, old);
    expect(await sweepStaleTemps(sub)).toEqual([`.model.json.${process.ppid}.0123456789ab.tmp`]);
  });

  it("sweeps a temporary file with this process's pid that no write of this process holds", async () => {
    const sub = await mkdtemp(join(dir, 'same-pid-'));
    const orphan = tempPathFor(join(sub, 'summary.json'));
    await writeFile(orphan, '{');
    await writeFileAtomic(join(sub, 'summary.json'), '{}\n');
    expect(await readdir(sub)).toEqual(['summary.json']);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole, keeps its mode, and leaves no temporary file', async () => {
    const path = join(dir, 'a.txt');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, new Uint8Array([116, 119, 111]));
    expect(await readFile(path, 'utf8')).toBe('two');
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    const { chmod } = await import('node:fs/promises');
    await chmod(path, 0o600);
    await writeFileAtomic(path, 'three');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('fails without a trace when the folder does not exist (it creates no folders)', async () => {
    await expect(writeFileAtomic(join(dir, 'no-such-folder', 'x.txt'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).not.toContain('no-such-folder');
  });
});

describe('openAtomicFile', () => {
  it('writes in pieces that appear whole at commit; nothing is visible before', async () => {
    const sub = await mkdtemp(join(dir, 'stream-'));
    const path = join(sub, 'loss.csv');
    const file = await openAtomicFile(path, 16);
    file.write('epoch,loss\n');
    for (let i = 1; i <= 1000; i++) file.write(`${i},${1 / i}\n`);
    await file.flush();
    const names = await readdir(sub);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^\.loss\.csv\.\d+\.[0-9a-f]{12}\.tmp$/);
    expect(await sweepStaleTemps(sub)).toEqual([]); // ours, in progress
    file.write('1001,0\n');
    await file.commit();
    expect(await readdir(sub)).toEqual(['loss.csv']);
    const rows = (await readFile(path, 'utf8')).trim().split('\n');
    expect(rows).toHaveLength(1002);
    expect(rows[1000]).toBe(`1000,${1 / 1000}`);
    expect(() => file.write('late')).toThrow('already committed or aborted');
  });

  it('abort removes the temporary file and leaves an existing target as it was', async () => {
    const sub = await mkdtemp(join(dir, 'abort-'));
    const path = join(sub, 'loss.csv');
    await writeFileAtomic(path, 'old\n');
    const file = await openAtomicFile(path);
    file.write('new\n');
    await file.flush();
    await file.abort();
    expect(await readdir(sub)).toEqual(['loss.csv']);
    expect(await readFile(path, 'utf8')).toBe('old\n');
  });
});
