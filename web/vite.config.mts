import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The workbench: built into dist/web, served by the service itself at / (src/web/static.ts). No CDN: every asset is
// bundled. TSX is compiled by Vite's own transformer with React's automatic runtime (no plugin: we need no fast refresh).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
