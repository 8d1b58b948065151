import { defineConfig } from 'vitest/config';

// One root config; every package and app is a project with its own tests.
// CI sets GRADLAB_TEST_JSON to also get a JSON report, which .ci/run turns into a count line.
const json = process.env.GRADLAB_TEST_JSON;

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'packages/core/vitest.slow.config.ts'],
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
  },
});
