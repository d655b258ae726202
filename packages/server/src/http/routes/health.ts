import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.js';

const READY_TIMEOUT_MS = 2000;

/** /healthz (the process answers), /readyz (the store answers), /metrics (Prometheus). */
export function healthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const open = { rateLimit: false } as const;
  app.get('/healthz', { config: open, schema: { tags: ['health'] } }, async (_req, reply) =>
    reply.type('text/plain').send('ok\n'),
  );

  app.get('/readyz', { config: open, schema: { tags: ['health'] } }, async (_req, reply) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error('store timed out'));
      }, READY_TIMEOUT_MS);
    });
    try {
      // Any cheap read proves the store is reachable.
      await Promise.race([deps.store.getUserById(0n), timeout]);
      return await reply.type('text/plain').send('ready\n');
    } catch {
      return await reply.status(503).type('text/plain').send('store unreachable\n');
    } finally {
      clearTimeout(timer);
    }
  });

  app.get('/metrics', { config: open, schema: { tags: ['health'] } }, async (_req, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
}
