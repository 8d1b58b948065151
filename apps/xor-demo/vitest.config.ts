import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'xor-demo', include: ['test/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
});
