import { GeneratorPool } from '../generator/pool.js';
import type { StepResult, ThroughputResult } from '../report/types.js';
import type { RunningSystem } from '../systems/running-system.js';
import { sleep } from '../util/clock.js';
import { errorText, parleyFactory, peerFactories, selected, type ScenarioContext } from './context.js';
import { describeStep, runStep, warmUp } from './load-step.js';
import { connectPairs } from './pairs.js';

/**
 * Scenario 2: sender → receiver pairs at fixed offered loads, then as fast as they go. Parley
 * persists and acknowledges every message (on SQLite and on PostgreSQL); the peers run the same
 * pairs, message size and steps.
 */
export async function runOneToOne(ctx: ScenarioContext): Promise<ThroughputResult[]> {
  const p = ctx.params.oneToOne;
  const factories = selected(ctx, [...p.stores.map((s) => parleyFactory(s)), ...peerFactories()]);
  const results: ThroughputResult[] = [];
  for (const factory of factories) {
    ctx.log(`1:1: ${factory.label}, ${p.pairs} pairs`);
    let system: RunningSystem | undefined;
    let pool: GeneratorPool | undefined;
    const steps: StepResult[] = [];
    let acknowledged = false;
    try {
      system = await factory.start();
      acknowledged = system.kind !== 'net';
      pool = await GeneratorPool.start(p.generators, { kind: system.kind, targets: system.targets });
      const plans = await connectPairs(pool, system, p.pairs, 'p');
      await warmUp(
        plans,
        { payloadBytes: ctx.params.payloadBytes, acked: acknowledged },
        system.pids,
        pool.pids,
        system.kind !== 'parley',
      );
      let saturated = false;
      for (const rate of p.rates) {
        // Past the first fixed load it could not keep up with, only the maximum is worth running.
        if (saturated && rate !== 0) continue;
        const step = await runStep(
          plans,
          {
            rate,
            window: p.window,
            warmupMs: p.warmupMs,
            stepMs: p.stepMs,
            drainMs: p.drainMs,
            payloadBytes: ctx.params.payloadBytes,
            acked: acknowledged,
          },
          system.pids,
          pool.pids,
        );
        steps.push(step);
        ctx.log(`1:1: ${describeStep(factory.label, step)}`);
        if (rate !== 0 && !step.sustained) saturated = true;
        await sleep(300);
      }
      results.push({ system: factory.label, pairs: p.pairs, acknowledged, steps });
    } catch (err) {
      ctx.log(`1:1: ${factory.label} failed: ${errorText(err)}`);
      results.push({ system: factory.label, pairs: p.pairs, acknowledged, steps, error: errorText(err) });
    } finally {
      await pool?.kill();
      await system?.stop({ fast: true });
    }
  }
  return results;
}
