// The web demo: index.html + src/web. `vite` serves it, `vite build` writes a static site to dist/
// that works offline (every asset is bundled; nothing is fetched from another host).
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Graphviz (wasm inlined, ~1.4 MB) is one lazily loaded chunk: expected, not a warning
    chunkSizeWarningLimit: 2000,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
