import type { EndpointSpec } from '../clients/endpoint.js';
import { GeneratorPool } from '../generator/pool.js';
import type { IdleResult } from '../report/types.js';
import { parleyYoungGenerationCapBytes } from '../systems/parley-server.js';
import type { RunningSystem } from '../systems/running-system.js';
import { sleep } from '../util/clock.js';
import { loopbackSources } from '../util/ports.js';
import { cpuPercent, sampleProcesses } from '../util/proc-stats.js';
import { errorText, parleyFactory, peerFactories, selected, split, type ScenarioContext } from './context.js';

interface HeapReading {
  /** V8 heap in use. */
  readonly usedBytes: number;
  /** V8's young generation (new space) in memory: V8 grows it under load, up to a fixed cap. */
  readonly youngBytes: number;
}

const METRIC_NUMBER = String.raw`(\d+(?:\.\d+)?(?:e\+?\d+)?)`;
const HEAP_USED = new RegExp(String.raw`^parley_nodejs_heap_size_used_bytes\s+${METRIC_NUMBER}`, 'm');
const NEW_SPACE = new RegExp(
  String.raw`^parley_nodejs_heap_space_physical_bytes\{space="new"\}\s+${METRIC_NUMBER}`,
  'm',
);

/** Parley's V8 heap, from its Prometheus endpoint. */
async function parleyHeap(system: RunningSystem): Promise<HeapReading | null> {
  if (system.httpPort === undefined) return null;
  try {
    const text = await (await fetch(`http://127.0.0.1:${system.httpPort}/metrics`)).text();
    const used = HEAP_USED.exec(text)?.[1];
    const young = NEW_SPACE.exec(text)?.[1];
    return used === undefined || young === undefined
      ? null
      : { usedBytes: Number(used), youngBytes: Number(young) };
  } catch {
    return null;
  }
}

/**
 * Scenario 1: N authenticated connections doing nothing but heartbeats. RSS is read before the
 * connections open (users already registered) and after they are all logged in and settled;
 * CPU over an idle window in which every connection sends its heartbeat.
 */
export async function runIdle(ctx: ScenarioContext): Promise<IdleResult[]> {
  const p = ctx.params.idle;
  const factories = selected(ctx, [
    parleyFactory('sqlite'),
    ...peerFactories({ heartbeatMs: p.heartbeatMs }),
  ]);
  const results: IdleResult[] = [];
  for (const factory of factories) {
    ctx.log(`idle: ${factory.label}, ${p.connections} connections`);
    let system: RunningSystem | undefined;
    let pool: GeneratorPool | undefined;
    try {
      const sys = await factory.start();
      system = sys;
      const gens = await GeneratorPool.start(p.generators, {
        kind: sys.kind,
        targets: sys.targets,
        heartbeatSeconds: Math.max(1, Math.round(p.heartbeatMs / 1000)),
      });
      pool = gens;
      const names = Array.from({ length: p.connections }, (_, i) => `idle${i}`);
      const perGen = split(names, p.generators);
      if (system.kind === 'parley') {
        await Promise.all(perGen.map((n, g) => gens.at(g).call('register', { names: n, connections: 4 })));
      }
      await sleep(p.settleMs);
      const before = sampleProcesses(system.pids);
      const heapBefore = await parleyHeap(system);
      const sources = loopbackSources(p.sources);
      const t0 = performance.now();
      const connected = await Promise.all(
        perGen.map((n, g) => {
          const specs: EndpointSpec[] = n.map((name, i) => ({
            name,
            localAddress: sources[(i * p.generators + g) % sources.length] ?? '127.0.0.1',
          }));
          return gens.at(g).call('connect', { specs, concurrency: 100 });
        }),
      );
      const connectSeconds = (performance.now() - t0) / 1000;
      const ok = connected.reduce((n, r) => n + r.connected, 0);
      const failures = connected.reduce((n, r) => n + r.failures, 0);
      const firstError = connected.find((r) => r.firstError !== '')?.firstError;
      await sleep(p.settleMs);
      const idleStart = sampleProcesses(system.pids);
      const idle = await Promise.all(
        gens.gens.map((g) => g.call('idle', { durationMs: p.windowMs, heartbeatMs: p.heartbeatMs })),
      );
      const idleEnd = sampleProcesses(system.pids);
      const heapAfter = await parleyHeap(system);
      const heartbeats = idle.reduce((n, r) => n + r.heartbeats, 0);
      const result: IdleResult = {
        system: factory.label,
        connections: ok,
        connectFailures: failures,
        connectSeconds,
        generators: p.generators,
        sourceAddresses: sources.length,
        rssBeforeBytes: before.rssBytes,
        rssAfterBytes: idleEnd.rssBytes,
        rssPerConnectionBytes: ok === 0 ? 0 : (idleEnd.rssBytes - before.rssBytes) / ok,
        heapPerConnectionBytes:
          heapBefore === null || heapAfter === null || ok === 0
            ? null
            : (heapAfter.usedBytes - heapBefore.usedBytes) / ok,
        youngGeneration:
          heapBefore === null || heapAfter === null || system.kind !== 'parley'
            ? null
            : {
                beforeBytes: heapBefore.youngBytes,
                afterBytes: heapAfter.youngBytes,
                capBytes: await parleyYoungGenerationCapBytes(),
              },
        idleCpuPercent: cpuPercent(idleStart, idleEnd),
        heartbeatsPerSecond: heartbeats / (p.windowMs / 1000),
        closedDuringIdle: idle.reduce((n, r) => n + r.closed, 0),
        ...(failures > 0 ? { error: `${failures} connections failed: ${firstError ?? ''}` } : {}),
      };
      results.push(result);
      ctx.log(
        `idle: ${factory.label}: ${ok} connections in ${connectSeconds.toFixed(1)} s, ` +
          `${(result.rssPerConnectionBytes / 1024).toFixed(1)} KB RSS each, idle CPU ${result.idleCpuPercent.toFixed(1)}%`,
      );
    } catch (err) {
      ctx.log(`idle: ${factory.label} failed: ${errorText(err)}`);
      results.push(failedIdle(factory.label, p.generators, errorText(err)));
    } finally {
      // Closing thousands of sockets one by one measures nothing: kill both sides.
      await pool?.kill();
      await system?.stop({ fast: true });
    }
  }
  return results;
}

function failedIdle(system: string, generators: number, error: string): IdleResult {
  return {
    system,
    connections: 0,
    connectFailures: 0,
    connectSeconds: 0,
    generators,
    sourceAddresses: 0,
    rssBeforeBytes: 0,
    rssAfterBytes: 0,
    rssPerConnectionBytes: 0,
    heapPerConnectionBytes: null,
    youngGeneration: null,
    idleCpuPercent: 0,
    heartbeatsPerSecond: 0,
    closedDuringIdle: 0,
    error,
  };
}
