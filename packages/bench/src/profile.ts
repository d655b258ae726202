import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GeneratorPool } from './generator/pool.js';
import type { Params } from './params.js';
import { describeStep, runStep } from './scenarios/load-step.js';
import { connectPairs } from './scenarios/pairs.js';
import { startParley } from './systems/parley-server.js';
import { REPO_ROOT } from './util/fork.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

export interface HotSpot {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly functions: HotSpot[];
  readonly files: HotSpot[];
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.startsWith('/') ? relative(REPO_ROOT, path) : path;
}

/** Self time per function and per file of a V8 .cpuprofile. */
export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const perSample = profile.samples.length === 0 ? 0 : totalMs / profile.samples.length;
  const byFunction = new Map<string, HotSpot>();
  const byFile = new Map<string, HotSpot>();
  const add = (map: Map<string, HotSpot>, key: string, name: string, where: string, ms: number) => {
    const prev = map.get(key);
    map.set(key, { name, where, selfMs: (prev?.selfMs ?? 0) + ms, percent: 0 });
  };
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * perSample;
    if (ms === 0) continue;
    const f = node.callFrame;
    const where = `${shortUrl(f.url)}${f.url === '' ? '' : `:${f.lineNumber + 1}`}`;
    const name = f.functionName === '' ? '(anonymous)' : f.functionName;
    add(byFunction, `${name}@${where}`, name, where, ms);
    add(byFile, shortUrl(f.url), shortUrl(f.url), '', ms);
  }
  const ranked = (map: Map<string, HotSpot>) =>
    [...map.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((h) => ({ ...h, percent: totalMs === 0 ? 0 : (h.selfMs / totalMs) * 100 }));
  return { totalMs, functions: ranked(byFunction), files: ranked(byFile) };
}

export function profileMarkdown(summary: ProfileSummary, command: string, what: string): string {
  const row = (h: HotSpot) =>
    `| ${h.percent.toFixed(1)}% | ${h.selfMs.toFixed(0)} | \`${h.name}\` | ${h.where} |`;
  return [
    `# Parley server CPU profile`,
    '',
    `Produced by \`${command}\`: ${what}. Self time over ${(summary.totalMs / 1000).toFixed(1)} s of profile ` +
      '(idle time shows as `(idle)`).',
    '',
    '## Top functions by self time',
    '',
    '| self | ms | function | where |',
    '| --- | --- | --- | --- |',
    ...summary.functions.map(row),
    '',
    '## By file',
    '',
    '| self | ms | file | |',
    '| --- | --- | --- | --- |',
    ...summary.files.map(row),
    '',
  ].join('\n');
}

/**
 * Runs Parley (SQLite) under `node --cpu-prof` with the 1:1 pairs at maximum load, stops it
 * gracefully (the profile is written at exit) and summarizes where its CPU went.
 */
export async function profileServer(
  params: Params,
  seconds: number,
  log: (line: string) => void,
): Promise<{ summary: ProfileSummary; what: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-prof-'));
  try {
    const system = await startParley({ store: 'sqlite', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    let what = '';
    try {
      const pool = await GeneratorPool.start(params.oneToOne.generators, {
        kind: 'parley',
        targets: system.targets,
      });
      try {
        const plans = await connectPairs(pool, system, params.oneToOne.pairs, 'prof');
        const step = await runStep(
          plans,
          {
            rate: 0,
            window: params.oneToOne.window,
            warmupMs: 1000,
            stepMs: seconds * 1000,
            drainMs: 5000,
            payloadBytes: params.payloadBytes,
            acked: true,
          },
          system.pids,
          pool.pids,
        );
        log(`profile: ${describeStep('Parley (SQLite)', step)}`);
        what =
          `Parley (SQLite), ${params.oneToOne.pairs} 1:1 pairs at maximum load for ${seconds} s ` +
          `(${Math.round(step.deliveredPerSecond)} msg/s delivered, p99 ${step.latency.p99Ms} ms)`;
      } finally {
        await pool.stop();
      }
    } finally {
      await system.stop();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('the server wrote no .cpuprofile');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    return { summary: summarizeProfile(profile), what };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
