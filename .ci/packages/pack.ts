// `pnpm pack:all [folder]`: builds the four packages and packs each into `folder` (default
// packed/), as `npm install ./packed/gradlab-*.tgz` takes them. pnpm's pack applies each
// package's publishConfig (exports → dist) and turns workspace:* into the version.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGES = ['core', 'data', 'nn', 'viz'] as const;

function run(command: string, args: string[], cwd: string): void {
  const r = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}`);
}

/** Builds and packs every package into `dest`; returns the tarballs' paths by package. */
export function packAll(dest: string): Record<(typeof PACKAGES)[number], string> {
  run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, '.ci/packages/build.ts')], root);
  mkdirSync(dest, { recursive: true });
  const out: Partial<Record<(typeof PACKAGES)[number], string>> = {};
  for (const name of PACKAGES) {
    for (const old of readdirSync(dest).filter((f) => f.startsWith(`gradlab-${name}-`))) rmSync(join(dest, old));
    // the build just ran; the packages' prepack would only repeat it
    run('pnpm', ['pack', '--pack-destination', dest, '--config.ignore-scripts=true'], join(root, 'packages', name));
    const file = readdirSync(dest).find((f) => f.startsWith(`gradlab-${name}-`) && f.endsWith('.tgz'));
    if (!file) throw new Error(`pack: no tarball for @gradlab/${name} in ${dest}`);
    out[name] = join(dest, file);
  }
  return out as Record<(typeof PACKAGES)[number], string>;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = packAll(resolve(process.argv[2] ?? join(root, 'packed')));
  for (const file of Object.values(files)) console.log(file);
}
