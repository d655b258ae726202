/**
 * Scenario 5: the latency a cross-node delivery adds in a cluster. Two sets of sender → receiver
 * pairs under one fixed load at the same time: both ends on node 0, and the receiver on node 1,
 * so its push goes through Redis. Parley: two `parley-server` nodes on one PostgreSQL and one Redis
 * (PARLEY_DATABASE_URL + PARLEY_REDIS_URL + PARLEY_CLUSTER_NAME). Socket.IO: two relays with
 * @socket.io/redis-adapter.
 *
 * If the server does not start in cluster mode, the scenario is skipped with the printed reason
 * "cluster mode not available in this build" (and the server's own message). Adding another
 * clustered system is one more entry in `factories`.
 */
import { connect } from 'node:net';
import { GeneratorPool } from '../generator/pool.js';
import type { ClusterResult, ClusterSystemResult, StepResult } from '../report/types.js';
import { BENCH_REDIS_URL, ClusterUnavailableError, startParleyCluster } from '../systems/parley-cluster.js';
import { startSocketIo } from '../systems/peers.js';
import type { RunningSystem } from '../systems/running-system.js';
import { errorText, selected, type ScenarioContext, type SystemFactory } from './context.js';
import { describeStep, runStep, warmUp } from './load-step.js';
import { connectPairs } from './pairs.js';

export const CLUSTER_UNAVAILABLE = 'cluster mode not available in this build';

function redisReachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port === '' ? '6379' : u.port) });
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      resolve(false);
    });
  });
}

export async function runCluster(ctx: ScenarioContext): Promise<ClusterResult> {
  const p = ctx.params.cluster;
  if (!(await redisReachable(BENCH_REDIS_URL))) {
    const skipped = `Redis is not reachable at ${BENCH_REDIS_URL} (set PARLEY_BENCH_REDIS_URL)`;
    ctx.log(`cluster: skipped: ${skipped}`);
    return { skipped, rate: p.rate, systems: [] };
  }
  const factories: SystemFactory[] = selected(ctx, [
    { label: 'Parley cluster (PostgreSQL + Redis)', start: () => startParleyCluster(2) },
    {
      label: 'Socket.IO (Redis adapter)',
      start: () => startSocketIo({ nodes: 2, redisUrl: BENCH_REDIS_URL }),
    },
  ]);
  const systems: ClusterSystemResult[] = [];
  for (const factory of factories) {
    ctx.log(`cluster: ${factory.label}, ${p.pairs} pairs at ${p.rate}/s`);
    let system: RunningSystem | undefined;
    let pool: GeneratorPool | undefined;
    try {
      const sys = await factory.start();
      system = sys;
      const gens = await GeneratorPool.start(2, { kind: sys.kind, targets: sys.targets });
      pool = gens;
      // Same-node and cross-node pairs run at once, half the load each, so both see the same
      // conditions (a busy shared machine changes from one step to the next).
      const plan = {
        rate: p.rate / 2,
        window: 1,
        warmupMs: p.warmupMs,
        stepMs: p.stepMs,
        drainMs: 10_000,
        payloadBytes: ctx.params.payloadBytes,
        acked: true,
      };
      const half = Math.max(1, Math.floor(p.pairs / 2));
      const same = await connectPairs(gens, sys, half, 'same', { senderNode: 0, receiverNode: 0 });
      const cross = await connectPairs(gens, sys, half, 'cross', { senderNode: 0, receiverNode: 1 });
      await warmUp([...same, ...cross], plan, sys.pids, gens.pids);
      const [sameNode, crossNode] = await Promise.all([
        runStep(same, plan, sys.pids, gens.pids),
        runStep(cross, plan, sys.pids, gens.pids),
      ]);
      ctx.log(`cluster: ${describeStep(`${factory.label} same node`, sameNode)}`);
      ctx.log(`cluster: ${describeStep(`${factory.label} cross node`, crossNode)}`);
      systems.push({
        system: factory.label,
        sameNode,
        crossNode,
        addedP50Ms: added(sameNode, crossNode, 'p50Ms'),
        addedP99Ms: added(sameNode, crossNode, 'p99Ms'),
      });
    } catch (err) {
      if (err instanceof ClusterUnavailableError) {
        ctx.log(`cluster: skipped: ${err.message}`);
        return { skipped: err.message, rate: p.rate, systems: [] };
      }
      ctx.log(`cluster: ${factory.label} failed: ${errorText(err)}`);
      systems.push({
        system: factory.label,
        sameNode: null,
        crossNode: null,
        addedP50Ms: null,
        addedP99Ms: null,
        error: errorText(err),
      });
    } finally {
      await pool?.kill();
      await system?.stop({ fast: true });
    }
  }
  return { rate: p.rate, systems };
}

function added(same: StepResult, cross: StepResult, key: 'p50Ms' | 'p99Ms'): number {
  return Math.round((cross.latency[key] - same.latency[key]) * 1000) / 1000;
}
