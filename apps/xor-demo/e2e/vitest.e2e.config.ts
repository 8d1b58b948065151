// Browser tests: the production build served on localhost, driven in real Chromium (playwright-core).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// CI sets GRADLAB_TEST_JSON to also get a JSON report (.ci/run sums it into its count line).
const json = process.env.GRADLAB_TEST_JSON;

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    name: 'xor-demo-e2e',
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // one browser, one page, tests in order: later tests use the trained network
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
