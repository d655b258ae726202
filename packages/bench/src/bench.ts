import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { PARAMS, type Mode } from './params.js';
import { goalsOf, ratiosOf } from './report/analysis.js';
import type {
  BenchReport,
  ClusterResult,
  FanoutResult,
  IdleResult,
  SyncResult,
  ThroughputResult,
} from './report/types.js';
import { runCluster } from './scenarios/cluster.js';
import type { ScenarioContext } from './scenarios/context.js';
import { runFanout } from './scenarios/fanout.js';
import { runIdle } from './scenarios/idle.js';
import { runOneToOne } from './scenarios/one-to-one.js';
import { runSync } from './scenarios/sync.js';
import { REPO_ROOT } from './util/fork.js';

export const SCENARIOS = ['idle', 'one-to-one', 'fanout', 'sync', 'cluster'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly mode: Mode;
  readonly scenarios: readonly ScenarioName[];
  /** Only systems whose label contains one of these; empty = all. */
  readonly systems: readonly string[];
  readonly command: string;
  readonly log: (line: string) => void;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function openFileLimit(): string {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return line?.split(/\s{2,}/)[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the chosen scenarios one after another (each starts and stops its own systems). */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const params = PARAMS[options.mode];
  const ctx: ScenarioContext = { params, log: options.log, systems: options.systems };
  const started = new Date();
  const t0 = performance.now();
  const want = (s: ScenarioName) => options.scenarios.includes(s);
  const idle: IdleResult[] = want('idle') ? await runIdle(ctx) : [];
  const oneToOne: ThroughputResult[] = want('one-to-one') ? await runOneToOne(ctx) : [];
  const fanout: FanoutResult[] = want('fanout') ? await runFanout(ctx) : [];
  const sync: SyncResult[] = want('sync') ? await runSync(ctx) : [];
  const cluster: ClusterResult | null = want('cluster') ? await runCluster(ctx) : null;
  const cpu = cpus()[0];
  const parts = {
    meta: {
      mode: options.mode,
      command: options.command,
      startedAt: started.toISOString(),
      durationSeconds: (performance.now() - t0) / 1000,
      node: process.versions.node,
      cpus: cpus().length,
      cpuModel: cpu?.model.trim() ?? 'unknown',
      memoryGiB: totalmem() / 1024 ** 3,
      gitCommit: git(['rev-parse', 'HEAD']),
      gitDirty: git(['status', '--porcelain']) !== '',
      payloadBytes: params.payloadBytes,
      notes: [
        `Servers, peers and load generators share these ${cpus().length} CPUs (and may share them with other ` +
          'work running on the machine): absolute figures are noisy, while the ratios compare systems measured ' +
          'in the same run under the same conditions.',
        `Open-file limit per process: ${openFileLimit()}. Parley runs from packages/server/dist with ` +
          'PARLEY_LOG_LEVEL=warn, PARLEY_PASSWORD_LOG2N=10 (registration speed only) and the per-address and ' +
          'per-connection abuse limits off (PARLEY_MAX_CONNECTIONS_PER_ADDRESS, PARLEY_MAX_MESSAGES_PER_* = 0).',
        'Parley load generators use a lean native-protocol client (hand-encoded MS, no SDK); the peers use their ' +
          'usual Node clients (socket.io-client, mqtt), whose own CPU cost is part of the shared machine: see the ' +
          'generator CPU column.',
      ],
    },
    idle,
    oneToOne,
    fanout,
    sync,
    cluster,
  };
  return { ...parts, ratios: ratiosOf(parts), goals: goalsOf(parts) };
}
