import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { spawnServer, type ServerProcess } from './server.js';

/** A test Redis: the one .ci/run starts, or PARLEY_TEST_REDIS_URL. */
export const TEST_REDIS_URL = process.env['PARLEY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface ClusterNodeProcess extends ServerProcess {
  readonly index: number;
  /** `http://127.0.0.1:<httpPort>` */
  readonly httpUrl: string;
}

export interface TestCluster {
  readonly nodes: ClusterNodeProcess[];
  /** Every node's HTTP URL (the gateway endpoints a client may ask). */
  gatewayUrls(): string[];
  /** Starts one more node (or fails as the real one would: the promise rejects with its output). */
  addNode(extraEnv?: Record<string, string>): Promise<ClusterNodeProcess>;
  /** Graceful stop (SIGTERM) of one node; resolves when it has exited. */
  stopNode(node: ClusterNodeProcess): Promise<number | string>;
  /** SIGKILL of one node. */
  killNode(node: ClusterNodeProcess): Promise<number | string>;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Real `parley-server` processes in cluster mode on one machine: a fresh PostgreSQL database, the
 * test Redis under a cluster name of their own (so runs never see each other), port 0 everywhere.
 */
export async function startCluster(
  count: number,
  options: { env?: Record<string, string>; redisUrl?: string; fromBuild?: boolean } = {},
): Promise<TestCluster> {
  const db: TestDatabase = await createTestDatabase();
  const env: Record<string, string> = {
    PARLEY_DATABASE_URL: db.url,
    PARLEY_REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
    PARLEY_CLUSTER_NAME: `parley-test-${randomBytes(6).toString('hex')}`,
    PARLEY_NODE_TTL_MS: '1500',
    PARLEY_SHUTDOWN_GRACE_MS: '1500',
    PARLEY_LOG_LEVEL: 'warn',
    ...options.env,
  };
  const nodes: ClusterNodeProcess[] = [];
  let index = 0;
  const addNode = async (extraEnv: Record<string, string> = {}): Promise<ClusterNodeProcess> => {
    const proc = await spawnServer(
      { ...env, PARLEY_LOG_LEVEL: 'info', PARLEY_NODE_NAME: `node-${index}`, ...extraEnv },
      { fromBuild: options.fromBuild ?? true },
    );
    const node = { ...proc, index: index++, httpUrl: `http://127.0.0.1:${proc.httpPort}` };
    nodes.push(node);
    return node;
  };
  const cluster: TestCluster = {
    nodes,
    env,
    gatewayUrls: () => nodes.map((n) => n.httpUrl),
    addNode,
    async stopNode(node) {
      node.child.kill('SIGTERM');
      return node.exited;
    },
    async killNode(node) {
      node.child.kill('SIGKILL');
      return node.exited;
    },
    async stop() {
      await Promise.all(
        nodes.map((n) => {
          if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGTERM');
          return n.exited;
        }),
      );
      await db.drop();
    },
  };
  try {
    for (let i = 0; i < count; i++) await addNode();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
