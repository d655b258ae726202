import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ShuttingDownError } from '@parley/protocol';
import { leastLoaded } from '../../cluster/cluster-node.js';
import type { ApiDeps } from '../context.js';

const GatewayQuery = Type.Object(
  {
    exclude: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: 'comma-separated node names or instance ids not to pick (e.g. the one that failed)',
      }),
    ),
  },
  { additionalProperties: false },
);

const NodeJson = Type.Object({
  name: Type.String(),
  instanceId: Type.String(),
  tcp: Type.Object({ host: Type.String(), port: Type.Integer() }),
  http: Type.String(),
  ws: Type.String(),
  load: Type.Integer(),
});

/** `GET /api/v1/gateway`, FastIM's LSB: where a client should connect now. */
export function gatewayRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: Static<typeof GatewayQuery> }>(
    '/api/v1/gateway',
    {
      schema: {
        tags: ['cluster'],
        summary: 'The least-loaded live node: its public TCP, HTTP and WebSocket addresses',
        querystring: GatewayQuery,
        response: { 200: NodeJson },
      },
    },
    async (req) => {
      const exclude = new Set((req.query.exclude ?? '').split(',').filter((s) => s !== ''));
      const node = leastLoaded(await deps.nodes.live(), exclude);
      if (node === undefined) throw new ShuttingDownError('no live node to offer; retry shortly');
      return {
        name: node.name,
        instanceId: node.instanceId,
        tcp: node.tcp,
        http: node.http,
        ws: node.ws,
        load: node.load,
      };
    },
  );
}
