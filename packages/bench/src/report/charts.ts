import { commonLoad, throughputOf } from './analysis.js';
import { barChart, formatNumber, lineChart, type Series } from './svg.js';
import type { BenchReport, StepResult } from './types.js';

export interface Figure {
  /** File name stem, e.g. "throughput-latency". */
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

const COLORS: Record<string, string> = {
  'Parley (SQLite)': '#2563eb',
  'Parley (PostgreSQL)': '#0891b2',
  'Socket.IO': '#dc2626',
  'Mosquitto (QoS 1)': '#7c3aed',
  'raw net relay': '#6b7280',
};
const colorOf = (system: string) => COLORS[system] ?? '#f59e0b';

export function footerOf(report: BenchReport): string {
  const m = report.meta;
  return (
    `Produced by: ${m.command}   (${m.mode} mode, ${m.startedAt.slice(0, 16).replace('T', ' ')} UTC, ` +
    `commit ${m.gitCommit.slice(0, 10)}${m.gitDirty ? ' + uncommitted changes' : ''}, ${m.cpus} shared CPUs)`
  );
}

/** Percentile p as a position on a "nines" axis: 90 → 1, 99 → 2, 99.9 → 3; 100 (max) → 5. */
function ninesOf(p: number): number {
  return p >= 100 ? 5 : Math.min(4.6, -Math.log10(1 - p / 100));
}

const NINES_TICKS = [
  { value: 0, label: '0%' },
  { value: 1, label: '90%' },
  { value: 2, label: '99%' },
  { value: 3, label: '99.9%' },
  { value: 4, label: '99.99%' },
  { value: 5, label: 'max' },
];

function distribution(
  report: BenchReport,
  footer: string,
  pick: (steps: StepResult[]) => StepResult | undefined,
  what: string,
  name: string,
): Figure | undefined {
  const series: Series[] = [];
  for (const t of report.oneToOne) {
    const step = pick(t.steps);
    if (step === undefined || step.curve.length === 0) continue;
    series.push({
      name: `${t.system} (${formatNumber(step.deliveredPerSecond)}/s)`,
      color: colorOf(t.system),
      dashed: t.system === 'raw net relay',
      points: step.curve.map(([p, ms]) => [ninesOf(p), Math.max(ms, 0.01)] as const),
    });
  }
  if (series.length === 0) return undefined;
  const title = `1:1 latency distribution at ${what}`;
  return {
    name,
    title,
    svg: lineChart({
      title,
      subtitle: `send → receipt, ${report.oneToOne[0]?.pairs ?? 0} pairs, ${report.meta.payloadBytes}-byte messages; Parley persists and acks each`,
      x: { label: 'percentile', log: false, ticks: NINES_TICKS, min: 0, max: 5 },
      y: { label: 'latency (ms, log scale)', log: true },
      series,
      footer,
    }),
  };
}

export function figuresOf(report: BenchReport): Figure[] {
  const footer = footerOf(report);
  const figures: Figure[] = [];
  const series: Series[] = report.oneToOne
    .filter((t) => t.steps.length > 0)
    .map((t) => {
      const steps = [...t.steps].sort((a, b) => a.deliveredPerSecond - b.deliveredPerSecond);
      return {
        name: t.system,
        color: colorOf(t.system),
        dashed: t.system === 'raw net relay',
        points: steps.map((s) => [s.deliveredPerSecond, Math.max(s.latency.p99Ms, 0.01)] as const),
        labels: steps.map((s) => s.label),
      };
    });
  if (series.length > 0) {
    figures.push({
      name: 'throughput-latency',
      title: '1:1 throughput against p99 latency',
      svg: lineChart({
        title: '1:1 throughput against p99 latency',
        subtitle: 'each point is one offered load (label) or the maximum; further right and lower is better',
        x: { label: 'delivered messages per second (log scale)', log: true },
        y: { label: 'p99 latency, send → receipt (ms, log scale)', log: true },
        series,
        footer,
      }),
    });
  }
  const common = commonLoad(throughputOf(report, 'Parley (SQLite)'), throughputOf(report, 'Socket.IO'));
  const fixed =
    report.oneToOne[0]?.steps.find((s) => s.offeredPerSecond !== null)?.offeredPerSecond ?? undefined;
  const chartRate = common ?? fixed;
  if (chartRate !== undefined) {
    const f = distribution(
      report,
      footer,
      (steps) => steps.find((s) => s.offeredPerSecond === chartRate),
      `${formatNumber(chartRate)} msg/s offered`,
      `latency-distribution-${chartRate}`,
    );
    if (f !== undefined) figures.push(f);
  }
  const atMax = distribution(
    report,
    footer,
    (steps) => steps.find((s) => s.offeredPerSecond === null),
    'maximum load',
    'latency-distribution-max',
  );
  if (atMax !== undefined) figures.push(atMax);
  const fan = report.fanout.filter((f) => f.burst !== null);
  if (fan.length > 0) {
    figures.push({
      name: 'fanout',
      title: 'Group fan-out',
      svg: barChart({
        title: 'Group fan-out: deliveries per second',
        subtitle: `${fan[0]?.members ?? 0} online members, a burst of ${fan[0]?.burst?.messages ?? 0} messages; higher is better`,
        unit: 'deliveries per second (last-member latency p99 in brackets)',
        bars: fan.map((f) => ({
          label: f.system,
          value: f.burst?.deliveriesPerSecond ?? 0,
          color: colorOf(f.system),
          text: `${formatNumber(f.burst?.deliveriesPerSecond ?? 0)}/s (p99 ${formatNumber(f.burst?.lastMember.p99Ms ?? 0)} ms)`,
        })),
        footer,
      }),
    });
  }
  const idle = report.idle.filter((i) => i.connections > 0);
  if (idle.length > 0) {
    figures.push({
      name: 'idle-memory',
      title: 'Idle connections: server memory',
      svg: barChart({
        title: 'Idle connections: server RSS per connection',
        subtitle: `${idle[0]?.connections ?? 0} connections with heartbeats; lower is better`,
        unit: 'KB of server RSS per connection (idle CPU in brackets)',
        bars: idle.map((i) => ({
          label: i.system,
          value: i.rssPerConnectionBytes / 1024,
          color: colorOf(i.system),
          text: `${(i.rssPerConnectionBytes / 1024).toFixed(1)} KB (${i.idleCpuPercent.toFixed(1)}% CPU)`,
        })),
        footer,
      }),
    });
  }
  const sync = report.sync.filter((s) => s.runs.length > 0);
  if (sync.length > 0) {
    figures.push({
      name: 'sync',
      title: 'Reconnect sync',
      svg: barChart({
        title: 'Reconnect: time until every missed message is in hand',
        subtitle: `${sync[0]?.messages ?? 0} messages over ${sync[0]?.conversations ?? 0} conversations (median of runs); lower is better`,
        unit: 'milliseconds',
        bars: sync.map((s) => ({
          label: s.system,
          value: s.medianMs,
          color: colorOf(s.system),
          text: `${s.medianMs.toFixed(0)} ms`,
        })),
        footer,
      }),
    });
  }
  return figures;
}
