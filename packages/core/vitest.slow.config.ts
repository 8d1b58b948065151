import { defineConfig } from 'vitest/config';

// The core tests once more, with the fast backward rules detached (test/setup-no-fast.ts).
export default defineConfig({
  test: { name: 'core (no fast rules)', include: ['test/**/*.test.ts'], environment: 'node', setupFiles: ['test/setup-no-fast.ts'] },
});
