import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web client's build output (`npm run build -w @parley/web`), found relative to this file:
 * packages/server/{src,dist}/http/ → packages/web/dist/. Served at `/` by the HTTP port.
 */
export const WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths that belong to the server, never to the single-page app's fallback. */
const SERVER_PATHS = /^\/(?:api(?:\/|$)|ws(?:\/|$)|healthz$|readyz$|metrics$)/;

/**
 * A strict CSP for the web client: only its own scripts (no inline script, no eval), images from
 * itself and blob: URLs (media is fetched with the bearer token into object URLs), and WebSocket
 * to the same host. User text is rendered by React as text; this is defence in depth.
 */
const WEB_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; " +
    "media-src 'self' blob:; " +
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Serves the web client's static files at `/` when the build exists, else a short text page at
 * `/` (the server runs without the web build). Returns whether the build was found.
 */
export async function webRoutes(app: FastifyInstance, dir: string = WEB_DIR): Promise<boolean> {
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true }, config: { rateLimit: false } }, (_req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('Parley server is running. The web client is not built: run `npm run build -w @parley/web`.\n'),
    );
    return false;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    setHeaders: (res, path) => {
      for (const [name, value] of Object.entries(WEB_HEADERS)) res.setHeader(name, value);
      // Vite's hashed assets never change; index.html must always be fresh.
      res.setHeader(
        'cache-control',
        /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return true;
}

/**
 * The single-page app's fallback: a browser's GET for HTML at a non-server path that is not a file
 * (a client-side route such as /chat/...) gets index.html. Returns false when the request is not for the app.
 */
export function serveWebFallback(req: FastifyRequest, reply: FastifyReply, found: boolean): boolean {
  if (!found || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const path = req.url.split('?')[0] ?? '';
  if (SERVER_PATHS.test(path) || /\.[a-z0-9]+$/i.test(path)) return false;
  // Only a page navigation (a browser asking for HTML) gets the app; anything else stays a 404.
  if (!(req.headers.accept ?? '').includes('text/html')) return false;
  for (const [name, value] of Object.entries(WEB_HEADERS)) void reply.header(name, value);
  void reply.header('cache-control', 'no-cache').sendFile('index.html');
  return true;
}
