// The web demo: index.html + src/web. `vite` serves it, `vite build` writes a static site to dist/
// that works offline (every asset is bundled; nothing is fetched from another host).
import { defineConfig } from 'vite';

// Cross-origin isolation: with these two headers the page may use SharedArrayBuffer, so core's
// large matmuls run on several threads inside the training worker. Every asset is served from
// this origin, so require-corp blocks nothing. (A host serving dist/ needs the same headers for
// threads; without them the matmuls run on one thread, with the same results.)
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

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
  server: { host: '127.0.0.1', headers: isolation },
  preview: { host: '127.0.0.1', headers: isolation },
});
