import type { SyncRun } from '../generator/sync.js';
import type { Mode } from '../params.js';
import type { LatencySummary } from '../util/histogram.js';

export interface RunMeta {
  readonly mode: Mode;
  /** The command that produced these figures, as a person would type it. */
  readonly command: string;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly node: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
  readonly payloadBytes: number;
  readonly notes: string[];
}

export interface IdleResult {
  readonly system: string;
  readonly connections: number;
  readonly connectFailures: number;
  readonly connectSeconds: number;
  readonly generators: number;
  readonly sourceAddresses: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly rssPerConnectionBytes: number;
  /** V8 heap used per connection (Parley's /metrics), when known. */
  readonly heapPerConnectionBytes: number | null;
  /**
   * Parley's young generation (V8 new space) at the two readings and the most it can grow to. V8
   * grows it under allocation pressure (the logins) up to a cap set by the node flags, whatever
   * the number of connections: a fixed cost that, counted per connection, makes a few thousand
   * connections look dearer than 100,000 would be.
   */
  readonly youngGeneration: {
    readonly beforeBytes: number;
    readonly afterBytes: number;
    readonly capBytes: number;
  } | null;
  readonly idleCpuPercent: number;
  readonly heartbeatsPerSecond: number;
  readonly closedDuringIdle: number;
  readonly error?: string;
}

export interface StepResult {
  /** "5000/s" or "max". */
  readonly label: string;
  readonly offeredPerSecond: number | null;
  readonly sentPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly sent: number;
  readonly acked: number;
  readonly ackErrors: number;
  readonly delivered: number;
  readonly outOfOrder: number;
  /** The system kept up: delivered ≥ 95 % of the offered rate, nothing lost. */
  readonly sustained: boolean;
  readonly latency: LatencySummary;
  readonly ackLatency: LatencySummary | null;
  /** Percentile curve of the latency, [percentile, ms]. */
  readonly curve: [number, number][];
  readonly serverCpuPercent: number;
  readonly serverRssBytes: number;
  readonly generatorCpuPercent: number;
}

export interface ThroughputResult {
  readonly system: string;
  readonly pairs: number;
  readonly acknowledged: boolean;
  readonly steps: StepResult[];
  readonly error?: string;
}

export interface FanoutPhase {
  readonly messages: number;
  readonly rate: number;
  readonly expected: number;
  readonly delivered: number;
  readonly deliveriesPerSecond: number;
  /** Per message: send → receipt by the last member. */
  readonly lastMember: LatencySummary;
  /** Every delivery: send → receipt. */
  readonly perDelivery: LatencySummary;
  readonly acked: number;
  readonly serverCpuPercent: number;
}

export interface FanoutResult {
  readonly system: string;
  readonly members: number;
  readonly light: FanoutPhase | null;
  readonly burst: FanoutPhase | null;
  readonly error?: string;
}

export interface SyncResult {
  readonly system: string;
  readonly conversations: number;
  readonly messages: number;
  readonly setupSeconds: number;
  readonly runs: SyncRun[];
  readonly medianMs: number;
  readonly bestMs: number;
  readonly error?: string;
}

export interface ClusterSystemResult {
  readonly system: string;
  readonly sameNode: StepResult | null;
  readonly crossNode: StepResult | null;
  readonly addedP50Ms: number | null;
  readonly addedP99Ms: number | null;
  readonly error?: string;
}

export interface ClusterResult {
  /** Why the scenario did not run, e.g. "cluster mode not available in this build". */
  readonly skipped?: string;
  readonly rate: number;
  readonly systems: ClusterSystemResult[];
}

export interface Ratio {
  readonly name: string;
  readonly value: number | null;
  readonly detail: string;
}

export interface Goal {
  readonly goal: string;
  readonly measured: string;
  /** null: not measured in this run. */
  readonly met: boolean | null;
  readonly note: string;
}

export interface BenchReport {
  readonly meta: RunMeta;
  readonly idle: IdleResult[];
  readonly oneToOne: ThroughputResult[];
  readonly fanout: FanoutResult[];
  readonly sync: SyncResult[];
  readonly cluster: ClusterResult | null;
  readonly ratios: Ratio[];
  readonly goals: Goal[];
}
