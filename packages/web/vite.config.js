// The web client's build: `npm run build -w @parley/web` → packages/web/dist (served by the server at /).
// Built from the workspace packages' sources (the `parley-source` export condition), so it does not
// need `tsc -b` first. Two entries: the app (index.html) and the media service worker, which must
// sit at the root (dist/media-sw.js) to control the whole origin.
import { defineConfig, defaultClientConditions } from 'vite';
import react from '@vitejs/plugin-react';

const SW_ENTRY = 'media-sw';

/** `vite dev` serves the worker at the same path as the build does. */
const devServiceWorker = {
  name: 'parley-dev-media-sw',
  configureServer(server) {
    server.middlewares.use(`/${SW_ENTRY}.js`, (_req, res, next) => {
      server
        .transformRequest('/src/media-sw.ts')
        .then((result) => {
          res.setHeader('content-type', 'text/javascript');
          res.end(result?.code ?? '');
        })
        .catch(next);
    });
  },
};

export default defineConfig({
  plugins: [react(), devServiceWorker],
  resolve: { conditions: ['parley-source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      input: { index: 'index.html', [SW_ENTRY]: 'src/media-sw.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === SW_ENTRY ? `${SW_ENTRY}.js` : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
