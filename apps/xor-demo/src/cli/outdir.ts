// The output folder, checked and made before any training: a run that trains for minutes must
// not find out at the end that it cannot write its results.
import { lstat, mkdir, open, readdir, rm, stat, statfs } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isAtomicTempName, sweepStaleTemps, tempPathFor } from '@gradlab/nn/node';
import { UsageError } from './options.ts';

/** The files a run or a comparison writes (and `run-N/` folders): what `--force` removes. */
export const RUN_FILES: readonly string[] = [
  'model.json',
  'model.onnx',
  'model.safetensors',
  'loss.csv',
  'summary.json',
  'report.html',
  'graph.svg',
  'loss.png',
  'comparison.png',
  'boundary.png',
  'compare.csv',
  'compare.txt',
  'snapshots.json',
  'report.pdf',
  // pnpm demo digits
  'checkpoint.json',
  'metrics.csv',
  'accuracy.png',
  'confusion.png',
  'misclassified.png',
];
const RUN_FOLDER = /^run-\d+$/;

/** File systems of the kernel: nothing can be written there (and Node's mkdir -p may spin forever). */
const KERNEL_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
]);

/**
 * The repository this CLI belongs to (the folder with pnpm-workspace.yaml), or null: four folders
 * above src/cli, five above the built CLI (apps/xor-demo/node_modules/.cache/gradlab-cli).
 */
export function repositoryRoot(): string | null {
  for (const up of ['../../../..', '../../../../..']) {
    const root = resolve(import.meta.dirname, up);
    if (existsSync(join(root, 'pnpm-workspace.yaml'))) return root;
  }
  return null;
}

export interface OutDirOptions {
  force?: boolean;
  allowInRepo?: boolean;
  /** Default: repositoryRoot(). */
  repoRoot?: string | null;
}

function code(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message;
}

/**
 * Resolves `--out` (a new `runs/<timestamp>` folder when absent), refuses what cannot work, and
 * makes the folder: '' is refused; so is a file, a folder on /proc or /sys, one inside the
 * repository but outside a `runs/` folder (unless `allowInRepo`), one that cannot be written
 * (a file is created and removed there to be sure), and one that holds an earlier run (unless
 * `force`, which removes that run's files: RUN_FILES and `run-N/`, nothing else). Each refusal is
 * a UsageError naming `--out` and the path. Returns the absolute path.
 */
export async function prepareOutDir(out: string | undefined, fallback: () => string, options: OutDirOptions = {}): Promise<string> {
  if (out !== undefined && out.trim() === '') {
    throw new UsageError("--out: the path is empty; name a folder, e.g. --out runs/xor");
  }
  const dir = resolve(out ?? fallback());
  const shown = out ?? relative(process.cwd(), dir);
  const fail = (why: string): never => {
    throw new UsageError(`--out: ${shown}: ${why}`);
  };

  const repoRoot = options.repoRoot === undefined ? repositoryRoot() : options.repoRoot;
  if (repoRoot && !options.allowInRepo) {
    const inside = relative(repoRoot, dir);
    const isInside = inside === '' || (!inside.startsWith('..') && !inside.startsWith(sep) && !/^[a-zA-Z]:/.test(inside));
    if (isInside && !inside.split(sep).includes('runs')) {
      fail(`inside gradlab's repository (${repoRoot}); use a runs/ folder (git-ignored) or another place, or add --allow-in-repo`);
    }
  }

  // the nearest folder that exists; everything below it is to be made, one level at a time
  const missing: string[] = [];
  let existing = dir;
  for (;;) {
    try {
      const s = await stat(existing);
      if (!s.isDirectory()) fail(existing === dir ? 'is a file, not a folder' : `${existing} is a file, not a folder`);
      break;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // ENOTDIR: a file further up; the walk finds it and says so
      if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') fail(`cannot use ${existing} (${code(error)})`);
      // a dangling symlink: stat says ENOENT, but mkdir would fail
      if (await lstat(existing).then(() => true, () => false)) fail(`${existing} is a broken symbolic link`);
      missing.unshift(existing);
      const parent = dirname(existing);
      if (parent === existing) fail('no part of the path exists');
      existing = parent;
    }
  }
  const fsType = KERNEL_FILE_SYSTEMS.get(Number((await statfs(existing)).type));
  if (fsType) fail(`is on the kernel's ${fsType} file system, where files cannot be written`);

  if (missing.length === 0) await checkEarlierRun(dir, Boolean(options.force), fail);
  for (const level of missing) {
    try {
      await mkdir(level); // not { recursive: true }: that loops forever on some kernel paths
    } catch (error) {
      if (code(error) !== 'EEXIST') fail(`cannot create ${level} (${code(error)})`);
    }
  }
  const probe = tempPathFor(join(dir, 'write-test'));
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
    await rm(probe, { force: true });
  } catch (error) {
    fail(`cannot write there (${code(error)})`);
  }
  return dir;
}

/** Refuses a folder holding an earlier run, or, with `force`, removes that run's files. */
async function checkEarlierRun(dir: string, force: boolean, fail: (why: string) => never): Promise<void> {
  let names: string[];
  try {
    await sweepStaleTemps(dir);
    names = await readdir(dir);
  } catch (error) {
    fail(`cannot read the folder (${code(error)})`);
  }
  const live = names.filter(isAtomicTempName);
  if (live.length > 0) fail(`another process is writing there right now (${live[0]})`);
  const earlier = names.filter((n) => RUN_FILES.includes(n) || RUN_FOLDER.test(n)).sort();
  if (earlier.length === 0) return;
  if (!force) {
    const list = earlier.length > 4 ? `${earlier.slice(0, 4).join(', ')}, …` : earlier.join(', ');
    fail(`holds an earlier run (${list}); choose another folder, or add --force to replace it`);
  }
  for (const name of earlier) {
    try {
      await rm(join(dir, name), { recursive: true, force: true });
    } catch (error) {
      fail(`cannot remove the earlier run's ${name} (${code(error)})`);
    }
  }
}
