import type { LoadArgs, LoadResult } from '../generator/load.js';
import type { Generator } from '../generator/pool.js';
import type { StepResult } from '../report/types.js';
import { nowMs } from '../util/clock.js';
import { mergeEncoded, percentileCurve, summarize } from '../util/histogram.js';
import { cpuPercent, sampleProcesses, type ProcSample } from '../util/proc-stats.js';

export interface StepPlan {
  readonly rate: number;
  readonly window: number;
  readonly warmupMs: number;
  readonly stepMs: number;
  readonly drainMs: number;
  readonly payloadBytes: number;
  readonly acked: boolean;
}

/** Samples the server processes at the start and end of the measurement window. */
function sampleWindow(pids: readonly number[], from: number, to: number): Promise<[ProcSample, ProcSample]> {
  return new Promise((resolve) => {
    let before: ProcSample | undefined;
    setTimeout(
      () => {
        before = sampleProcesses(pids);
      },
      Math.max(0, from - nowMs()),
    );
    setTimeout(
      () => {
        const after = sampleProcesses(pids);
        resolve([before ?? after, after]);
      },
      Math.max(0, to - nowMs()),
    );
  });
}

/**
 * One load step on every generator at once (each with its own pairs and a share of the rate),
 * merged into one result: rates over the measurement window, histograms added.
 */
export async function runStep(
  gens: readonly { gen: Generator; pairs: { from: string; to: string }[] }[],
  plan: StepPlan,
  serverPids: readonly number[],
  generatorPids: readonly number[],
): Promise<StepResult> {
  const active = gens.filter((g) => g.pairs.length > 0);
  const startAt = nowMs() + 300;
  const measureFrom = startAt + plan.warmupMs;
  const measureTo = measureFrom + plan.stepMs;
  const totalPairs = active.reduce((n, g) => n + g.pairs.length, 0);
  const window = sampleWindow(serverPids, measureFrom, measureTo);
  const genWindow = sampleWindow(generatorPids, measureFrom, measureTo);
  const results: LoadResult[] = await Promise.all(
    active.map(({ gen, pairs }) => {
      const args: LoadArgs = {
        pairs,
        rate: plan.rate === 0 ? 0 : (plan.rate * pairs.length) / totalPairs,
        window: plan.window,
        startAt,
        warmupMs: plan.warmupMs,
        durationMs: plan.stepMs,
        drainMs: plan.drainMs,
        payloadBytes: plan.payloadBytes,
        acked: plan.acked,
      };
      return gen.call('load', args);
    }),
  );
  const [before, after] = await window;
  const [genBefore, genAfter] = await genWindow;
  const sum = (f: (r: LoadResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const seconds = plan.stepMs / 1000;
  const latency = mergeEncoded(results.map((r) => r.latency));
  const ackLatency = plan.acked ? mergeEncoded(results.map((r) => r.ackLatency)) : undefined;
  const sent = sum((r) => r.sent);
  const delivered = sum((r) => r.delivered);
  const deliveredPerSecond = sum((r) => r.windowDelivered) / seconds;
  const offered = plan.rate === 0 ? null : plan.rate;
  const acked = sum((r) => r.acked);
  const ackErrors = sum((r) => r.ackErrors);
  const outOfOrder = sum((r) => r.outOfOrder);
  const complete = delivered === sent && outOfOrder === 0 && (!plan.acked || acked === sent);
  return {
    label: offered === null ? 'max' : `${offered}/s`,
    offeredPerSecond: offered,
    sentPerSecond: sum((r) => r.windowSent) / seconds,
    deliveredPerSecond,
    sent,
    acked,
    ackErrors,
    delivered,
    outOfOrder,
    sustained: complete && (offered === null || deliveredPerSecond >= 0.95 * offered),
    latency: summarize(latency),
    ackLatency: ackLatency === undefined ? null : summarize(ackLatency),
    curve: percentileCurve(latency),
    serverCpuPercent: cpuPercent(before, after),
    serverRssBytes: after.rssBytes,
    generatorCpuPercent: cpuPercent(genBefore, genAfter),
  };
}

export function describeStep(system: string, s: StepResult): string {
  const f = (n: number) => n.toFixed(n < 10 ? 2 : 0);
  return (
    `${system} ${s.label}: delivered ${Math.round(s.deliveredPerSecond)}/s, ` +
    `p50 ${f(s.latency.p50Ms)} p99 ${f(s.latency.p99Ms)} p99.9 ${f(s.latency.p999Ms)} ms, ` +
    `server CPU ${Math.round(s.serverCpuPercent)}%, ${s.sustained ? 'kept up' : 'did NOT keep up'}` +
    (s.delivered !== s.sent ? ` (${s.sent - s.delivered} of ${s.sent} undelivered)` : '') +
    (s.ackErrors > 0 ? ` (${s.ackErrors} errors)` : '')
  );
}

/**
 * A short closed-loop round before the measured steps, so the first step does not pay for what
 * happens once per pair (Parley creates the conversation on its first message).
 */
export async function warmUp(
  gens: readonly { gen: Generator; pairs: { from: string; to: string }[] }[],
  plan: Pick<StepPlan, 'payloadBytes' | 'acked'>,
  serverPids: readonly number[],
  generatorPids: readonly number[],
  /** A peer (not Parley) may lose a few: its measured steps show it; the run goes on. */
  lossTolerated = false,
): Promise<void> {
  const step = await runStep(
    gens,
    { ...plan, rate: 0, window: 1, warmupMs: 0, stepMs: 500, drainMs: 10_000 },
    serverPids,
    generatorPids,
  );
  if (step.delivered !== step.sent && !lossTolerated) {
    throw new Error(`warm-up: ${step.sent - step.delivered} of ${step.sent} messages were not delivered`);
  }
}
