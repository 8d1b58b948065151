import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'viz', include: ['test/**/*.test.ts'], environment: 'node' },
});
