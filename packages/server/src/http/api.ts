import { createHash } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { NotFoundError, RateLimitedError, Status, statusName } from '@parley/protocol';
import { authenticator, bearerToken, type ApiDeps } from './context.js';
import { errorBody, httpStatusOf, toApiError } from './errors.js';
import { ErrorJson } from './schemas.js';
import { authRoutes } from './routes/auth.js';
import { chatroomRoutes } from './routes/chatrooms.js';
import { contactRoutes } from './routes/contacts.js';
import { conversationRoutes } from './routes/conversations.js';
import { groupRoutes } from './routes/groups.js';
import { gatewayRoutes } from './routes/gateway.js';
import { healthRoutes } from './routes/health.js';
import { mediaRoutes } from './routes/media.js';
import { messageRoutes } from './routes/messages.js';
import { userRoutes } from './routes/users.js';
import { walletRoutes } from './routes/wallet.js';
import { adminRoutes } from './routes/admin.js';
import { callRoutes } from './routes/calls.js';
import { keyRoutes } from './routes/keys.js';
import { serveWebFallback, webRoutes } from './web.js';

export type { ApiDeps } from './context.js';

/**
 * The HTTP API (DESIGN §8) as a fastify instance: REST under /api/v1 (token auth, TypeBox
 * validation of every body, query and param, rate limits), the OpenAPI document at /api/docs,
 * media, /healthz, /readyz and /metrics. The WebSocket upgrade paths are attached to its server by
 * the HttpListener. Route modules call the same core services as the dialect adapters.
 */
export async function buildHttpApi(deps: ApiDeps, log: Logger): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = log.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.bodyLimit,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    // Ids in paths are checked by schema; a trailing slash is not a different route.
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.decorateRequest('parleySession', null);

  app.setErrorHandler((err, req, reply) => {
    const apiError = toApiError(err);
    if (apiError.status === Status.INTERNAL) req.log.error({ err }, 'http request failed');
    deps.metrics.httpErrors.inc({ status: statusName(apiError.status) });
    return reply.status(httpStatusOf(apiError.status)).send(errorBody(apiError));
  });
  // The web client (packages/web/dist) at `/`; see web.ts. Set once the routes are registered.
  let webFound = false;
  app.setNotFoundHandler((req, reply) => {
    if (serveWebFallback(req, reply, webFound)) return reply;
    deps.metrics.httpErrors.inc({ status: statusName(Status.NOT_FOUND) });
    return reply.status(404).send(errorBody(new NotFoundError('no such route')));
  });
  app.addHook('onResponse', (req, reply, done) => {
    deps.metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Parley HTTP API',
        version: '1.0.0',
        description: 'REST API of the Parley IM server. See docs/http-api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.addSchema(ErrorJson);

  await app.register(rateLimit, {
    global: true,
    max: deps.config.rateLimit,
    timeWindow: 60_000,
    // Per bearer token (hashed; the raw token is never kept), else per client address.
    keyGenerator: (req) => {
      const token = bearerToken(req);
      return token === undefined ? `ip:${req.ip}` : `tok:${createHash('sha256').update(token).digest('hex')}`;
    },
    errorResponseBuilder: (_req, context) =>
      new RateLimitedError(
        `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`,
      ),
  });

  // Authenticated routes get the token check after the rate limit's onRequest hook.
  const authenticate = authenticator(deps.services);
  app.addHook('onRoute', (route) => {
    if (route.config?.auth !== true) return;
    const existing = route.onRequest;
    route.onRequest = [
      ...(Array.isArray(existing) ? existing : existing === undefined ? [] : [existing]),
      authenticate,
    ];
  });

  await app.register(multipart, {
    limits: { fileSize: deps.config.mediaMaxBytes, files: 1, fields: 4, parts: 5, fieldSize: 1024 },
  });

  healthRoutes(app, deps);
  gatewayRoutes(app, deps);
  authRoutes(app, deps);
  userRoutes(app, deps);
  contactRoutes(app, deps);
  conversationRoutes(app, deps);
  messageRoutes(app, deps);
  groupRoutes(app, deps);
  chatroomRoutes(app, deps);
  mediaRoutes(app, deps);
  walletRoutes(app, deps);
  adminRoutes(app, deps);
  callRoutes(app, deps);
  keyRoutes(app, deps);

  webFound = await webRoutes(app);

  const docs = (): unknown => app.swagger();
  app.get('/api/docs', { schema: { hide: true }, config: { rateLimit: false } }, docs);
  app.get('/api/docs/json', { schema: { hide: true }, config: { rateLimit: false } }, docs);
  return app;
}
