import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnParleyNode, stopParleyNode, type ParleyNode } from './parley-server.js';
import { createBenchDatabase } from './postgres.js';
import type { RunningSystem } from './running-system.js';

export const BENCH_REDIS_URL = process.env['PARLEY_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** The server refused cluster mode (or died starting it): the scenario is skipped with this. */
export class ClusterUnavailableError extends Error {
  constructor(detail: string) {
    super(`cluster mode not available in this build: ${detail}`);
    this.name = 'ClusterUnavailableError';
  }
}

/**
 * `nodes` Parley processes in cluster mode: one fresh PostgreSQL database, the Redis at
 * BENCH_REDIS_URL under a cluster name of their own (PARLEY_CLUSTER_NAME), so runs never meet.
 */
export async function startParleyCluster(nodes: number): Promise<RunningSystem> {
  const db = await createBenchDatabase();
  const dirs: string[] = [];
  const started: ParleyNode[] = [];
  const clusterName = `parley-bench-${randomBytes(4).toString('hex')}`;
  const cleanup = async () => {
    await Promise.all(started.map((n) => stopParleyNode(n, true)));
    await db.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < nodes; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'parley-bench-node-'));
      dirs.push(dir);
      try {
        started.push(
          await spawnParleyNode({
            PARLEY_DATA_DIR: dir,
            PARLEY_DATABASE_URL: db.url,
            PARLEY_REDIS_URL: BENCH_REDIS_URL,
            PARLEY_CLUSTER_NAME: clusterName,
            PARLEY_NODE_NAME: `bench-node-${i}`,
          }),
        );
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        // The first line of the server's complaint is the reason worth printing.
        const reason = /"msg":"([^"]+)"/.exec(text)?.[1] ?? text.split('\n').slice(0, 3).join(' ');
        throw new ClusterUnavailableError(reason);
      }
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    label: 'Parley cluster (PostgreSQL + Redis)',
    kind: 'parley',
    targets: started.map((n) => ({ host: '127.0.0.1', port: n.tcpPort })),
    pids: started.map((n) => n.child.pid ?? 0),
    async stop() {
      await cleanup();
    },
  };
}
