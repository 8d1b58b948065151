// Whole-process start times, hyperfine-style: each command run `--runs` times in turn (after one
// warm-up run each), wall time per run, min / median / max. Usage, from the repository root:
//   node .ci/start-times.mjs [--runs 7] [--only help,no-report,report] [--before]
// The commands: a bare `node -e 0`; `pnpm demo --help`, `pnpm demo --no-report` and `pnpm demo`
// (with the report's PNGs), each also as `node apps/xor-demo/node_modules/.cache/gradlab-cli/bin.js …` (the built CLI
// without pnpm's own start-up and the launcher's freshness check) and, with --before, as
// `node --import tsx apps/xor-demo/src/cli/bin.ts …` (what `pnpm demo` ran before the CLI was
// built). Output folders go to a temporary directory, removed at the end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(flag('--runs', '7'));
const only = flag('--only', '')?.split(',').filter(Boolean) ?? [];
const before = args.includes('--before');
const out = mkdtempSync(join(tmpdir(), 'gradlab-start-'));
const pnpm = process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm';
let n = 0;
const dir = () => join(out, `run${n++}`);
const DIST = 'apps/xor-demo/node_modules/.cache/gradlab-cli/bin.js';
const TSX = ['--import', 'tsx', 'apps/xor-demo/src/cli/bin.ts'];
const forms = (name, what, argv) => [
  { name, label: `pnpm demo ${what}`, cmd: () => [pnpm, ['demo', ...argv()]] },
  { name, label: `node …/gradlab-cli/bin.js ${what}`, cmd: () => [process.execPath, [DIST, ...argv()]] },
  // before: what `pnpm demo` ran until the CLI was built (tsx transpiling the sources at each start)
  ...(before ? [{ name, label: `node --import tsx src/… ${what}`, cmd: () => [process.execPath, [...TSX, ...argv()]] }] : []),
];
const cases = [
  { name: 'node -e 0', cmd: () => [process.execPath, ['-e', '0']] },
  ...forms('help', '--help', () => ['--help']),
  ...forms('no-report', '--no-report', () => ['--no-report', '--out', dir()]),
  ...forms('report', '(PNGs)', () => ['--out', dir()]),
].filter((c) => only.length === 0 || c.name === 'node -e 0' || only.includes(c.name));

const once = (c) => {
  const [file, argv] = c.cmd();
  const t0 = performance.now();
  const r = spawnSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.label ?? c.name} failed (${r.status}): ${r.stderr}`);
  return ms;
};
const times = cases.map(() => []);
cases.forEach((c) => once(c)); // warm-up (and the first build, if one is due)
for (let r = 0; r < runs; r++) cases.forEach((c, k) => times[k].push(once(c)));
rmSync(out, { recursive: true, force: true });
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const s = (ms) => (ms / 1000).toFixed(2).padStart(6);
console.log(`start times, ${runs} runs each (interleaved), wall seconds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`  ${'command'.padEnd(40)}   min median    max`);
cases.forEach((c, k) => {
  const t = sorted(times[k]);
  console.log(`  ${(c.label ?? c.name).padEnd(40)}${s(t[0])}${s(t[t.length >> 1])}${s(t[t.length - 1])}`);
});
