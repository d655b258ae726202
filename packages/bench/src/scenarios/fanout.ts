import type { EndpointSpec } from '../clients/endpoint.js';
import type { FanoutReport } from '../generator/fanout.js';
import { GeneratorPool } from '../generator/pool.js';
import type { FanoutPhaseParams } from '../params.js';
import type { FanoutPhase, FanoutResult } from '../report/types.js';
import type { RunningSystem } from '../systems/running-system.js';
import { nowMs, sleep, sleepUntil } from '../util/clock.js';
import { mergeEncoded, newHistogram, recordMs, summarize } from '../util/histogram.js';
import { cpuPercent, sampleProcesses } from '../util/proc-stats.js';
import { errorText, parleyFactory, peerFactories, selected, split, type ScenarioContext } from './context.js';

const GROUP = 'bench-group';
const SENDER = 'fan-sender';

/**
 * Scenario 3: one sender, a group with every member online. Parley runs with the notify threshold
 * above the group size, so each member gets the whole message pushed (as in a Socket.IO room or an
 * MQTT topic) rather than a notify to pull.
 */
export async function runFanout(ctx: ScenarioContext): Promise<FanoutResult[]> {
  const p = ctx.params.fanout;
  const threshold = String(Math.max(p.members + 10, 1000));
  const factories = selected(ctx, [
    parleyFactory('sqlite', { PARLEY_GROUP_NOTIFY_THRESHOLD: threshold }),
    ...peerFactories(),
  ]);
  const results: FanoutResult[] = [];
  for (const factory of factories) {
    ctx.log(`fan-out: ${factory.label}, ${p.members} members`);
    let system: RunningSystem | undefined;
    let pool: GeneratorPool | undefined;
    try {
      const sys = await factory.start();
      system = sys;
      const gens = await GeneratorPool.start(p.generators, { kind: sys.kind, targets: sys.targets });
      pool = gens;
      const parley = sys.kind === 'parley';
      const names = Array.from({ length: p.members }, (_, i) => `m${i}`);
      const perGen = split(names, p.generators);
      const connected = await Promise.all(
        perGen.map((n, g) => {
          const specs: EndpointSpec[] = n.map((name) => ({ name, register: parley, join: GROUP }));
          return gens.at(g).call('connect', { specs, concurrency: 64 });
        }),
      );
      const failures = connected.reduce((n, r) => n + r.failures, 0);
      if (failures > 0) {
        const first = connected.find((r) => r.firstError !== '')?.firstError ?? '';
        throw new Error(`${failures} members failed to connect: ${first}`);
      }
      const sender = gens.at(0);
      const s = await sender.call('connect', {
        specs: [{ name: SENDER, register: parley, route: { group: GROUP } }],
        concurrency: 1,
      });
      if (s.failures > 0) throw new Error(`the sender failed to connect: ${s.firstError}`);
      const addresses = connected.flatMap((r) => Object.values(r.addresses));
      const group = await sender.call('createGroup', { owner: SENDER, name: GROUP, members: addresses });
      // Let the group-created notice reach everyone before the listeners start counting.
      await sleep(parley ? 1000 : 200);
      const phase = async (ph: FanoutPhaseParams, label: string): Promise<FanoutPhase> => {
        const r = await runPhase(gens, perGen, group, ph, p.timeoutMs, sys, {
          payloadBytes: ctx.params.payloadBytes,
          acked: sys.kind !== 'net',
        });
        ctx.log(
          `fan-out: ${factory.label} ${label}: ${r.delivered}/${r.expected} deliveries, ` +
            `${Math.round(r.deliveriesPerSecond)}/s, last member p50 ${r.lastMember.p50Ms} ms p99 ${r.lastMember.p99Ms} ms`,
        );
        return r;
      };
      const light = await phase(p.light, 'light');
      const burst = await phase(p.burst, 'burst');
      results.push({ system: factory.label, members: p.members, light, burst });
    } catch (err) {
      ctx.log(`fan-out: ${factory.label} failed: ${errorText(err)}`);
      results.push({
        system: factory.label,
        members: p.members,
        light: null,
        burst: null,
        error: errorText(err),
      });
    } finally {
      // Closing members one by one would make Parley announce each departure to the rest.
      await pool?.kill();
      await system?.stop({ fast: true });
    }
  }
  return results;
}

async function runPhase(
  pool: GeneratorPool,
  perGen: string[][],
  group: string,
  ph: FanoutPhaseParams,
  timeoutMs: number,
  system: RunningSystem,
  options: { payloadBytes: number; acked: boolean },
): Promise<FanoutPhase> {
  await Promise.all(
    perGen.map((members, g) => pool.at(g).call('fanoutListen', { messages: ph.messages, members })),
  );
  const startAt = nowMs() + 300;
  await sleepUntil(startAt);
  const before = sampleProcesses(system.pids);
  const [sent, reports] = await Promise.all([
    pool.at(0).call('fanoutSend', {
      from: SENDER,
      group,
      count: ph.messages,
      rate: ph.rate,
      startAt,
      payloadBytes: options.payloadBytes,
      acked: options.acked,
      ackTimeoutMs: timeoutMs,
    }),
    Promise.all(perGen.map((_, g) => pool.at(g).call('fanoutWait', { timeoutMs }))),
  ]);
  const after = sampleProcesses(system.pids);
  return summarizePhase(ph, sent.sentAt, reports, sent.acked, cpuPercent(before, after));
}

function summarizePhase(
  ph: FanoutPhaseParams,
  sentAt: readonly number[],
  reports: readonly FanoutReport[],
  acked: number,
  serverCpuPercent: number,
): FanoutPhase {
  const expected = reports.reduce((n, r) => n + r.expected, 0);
  const delivered = reports.reduce((n, r) => n + r.received, 0);
  const lastMember = newHistogram();
  let lastDelivery = 0;
  for (let i = 0; i < ph.messages; i++) {
    const last = Math.max(...reports.map((r) => r.lastAt[i] ?? 0));
    lastDelivery = Math.max(lastDelivery, last);
    const at = sentAt[i];
    if (last > 0 && at !== undefined) recordMs(lastMember, last - at);
  }
  const first = sentAt[0] ?? 0;
  const seconds = (lastDelivery - first) / 1000;
  return {
    messages: ph.messages,
    rate: ph.rate,
    expected,
    delivered,
    deliveriesPerSecond: seconds > 0 ? delivered / seconds : 0,
    lastMember: summarize(lastMember),
    perDelivery: summarize(mergeEncoded(reports.map((r) => r.latency))),
    acked,
    serverCpuPercent,
  };
}
