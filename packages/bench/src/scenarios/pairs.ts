import type { EndpointSpec } from '../clients/endpoint.js';
import type { Generator, GeneratorPool } from '../generator/pool.js';
import type { RunningSystem } from '../systems/running-system.js';

export interface PairPlan {
  readonly gen: Generator;
  readonly pairs: { from: string; to: string }[];
}

/**
 * Connects `count` sender → receiver pairs spread over the pool (both ends of a pair in one
 * generator, so latency is measured on one clock): receivers first, then senders (the raw net
 * relay routes a sender to its receiver at connect). `senderNode`/`receiverNode` pick the cluster
 * node each side connects to.
 */
export async function connectPairs(
  pool: GeneratorPool,
  system: RunningSystem,
  count: number,
  prefix: string,
  nodes: { senderNode?: number; receiverNode?: number } = {},
): Promise<PairPlan[]> {
  const register = system.kind === 'parley';
  const plans: PairPlan[] = pool.gens.map((gen) => ({ gen, pairs: [] }));
  for (let i = 0; i < count; i++) {
    const g = i % pool.gens.length;
    plans[g]?.pairs.push({ from: `${prefix}s${i}`, to: `${prefix}r${i}` });
  }
  const connect = async (plan: PairPlan, specs: EndpointSpec[]) => {
    const r = await plan.gen.call('connect', { specs, concurrency: 32 });
    if (r.failures > 0)
      throw new Error(`${r.failures} of ${specs.length} connections failed: ${r.firstError}`);
  };
  await Promise.all(
    plans.map((plan) =>
      connect(
        plan,
        plan.pairs.map((p) => ({ name: p.to, register, node: nodes.receiverNode ?? 0 })),
      ),
    ),
  );
  await Promise.all(
    plans.map((plan) =>
      connect(
        plan,
        plan.pairs.map((p) => ({ name: p.from, register, node: nodes.senderNode ?? 0, route: { to: p.to } })),
      ),
    ),
  );
  return plans.filter((p) => p.pairs.length > 0);
}
