#!/usr/bin/env node
// `pnpm demo`: the CLI from built JavaScript (see build-cli.js), rebuilt first when
// any source it was built from changed; if it cannot be built (esbuild missing or failing), the
// TypeScript sources run through tsx instead, after a note on stderr. GRADLAB_DEMO_TSX=1 always
// runs the sources through tsx.
import { pathToFileURL } from 'node:url';
import { buildCli, entry, staleReason } from './build-cli.js';

async function fromSources(why) {
  if (why) process.stderr.write(`pnpm demo: running the TypeScript sources through tsx (${why})\n`);
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/bin.ts', import.meta.url).href);
}

if (process.env.GRADLAB_DEMO_TSX === '1') {
  await fromSources(null);
} else {
  let built = staleReason() === null;
  if (!built) {
    try {
      await buildCli();
      built = true;
    } catch (err) {
      await fromSources(`the build failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  if (built) await import(pathToFileURL(entry).href);
}
