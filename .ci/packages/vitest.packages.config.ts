// `pnpm test:packages`: the packed packages in a scratch project (.ci/packages/packages.check.ts).
// Not part of `pnpm test`: it builds, packs and installs from the npm registry.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// CI sets GRADLAB_TEST_JSON to also get a JSON report (.ci/run sums it into its count line).
const json = process.env.GRADLAB_TEST_JSON;

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'packages',
    include: ['.ci/packages/packages.check.ts'],
    environment: 'node',
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
