#!/usr/bin/env node
/**
 * `npm run bench` (quick mode, < 5 min on 2 cores) and `npm run bench -- --full`: runs the
 * scenarios against Parley and its peers and writes the report under bench/results/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS, runBench, type ScenarioName } from './bench.js';
import { PARAMS, type Mode } from './params.js';
import { profileMarkdown, profileServer } from './profile.js';
import { prettierFormatted, writeReport } from './report/write.js';
import { REPO_ROOT } from './util/fork.js';

const HELP = `npm run bench [-- options]

  (no option)            quick mode: every scenario, under 5 minutes on 2 cores
  --full                 full mode: longer steps, more load levels, more connections
  --tiny                 the smoke-test sizes (seconds; for trying changes)
  --only=a,b             scenarios to run: ${SCENARIOS.join(', ')}
  --systems=a,b          systems whose name contains one of these (parley, socket, mosquitto, net, postgres...)
  --out=DIR              where the report goes (default bench/results)
  --profile[=SECONDS]    instead: profile the Parley server (node --cpu-prof) under 1:1 max load
                         and write <stamp>-profile.md
  --help

Needs PostgreSQL at 127.0.0.1:5432 (trust auth; PARLEY_BENCH_PG_HOST/PORT/USER), Redis at
redis://127.0.0.1:6379 for the cluster scenario (PARLEY_BENCH_REDIS_URL) and /usr/sbin/mosquitto
(PARLEY_BENCH_MOSQUITTO). Run \`npm run build\` first (npm run bench does).
`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv,
    options: {
      full: { type: 'boolean' },
      tiny: { type: 'boolean' },
      only: { type: 'string' },
      systems: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const mode: Mode = values.full === true ? 'full' : values.tiny === true ? 'tiny' : 'quick';
  const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  const out = values.out ?? join(REPO_ROOT, 'bench/results');
  const log = (line: string) => {
    process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  };
  if (values.profile !== undefined) {
    const seconds = values.profile === '' ? 15 : Number(values.profile);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--profile takes a number of seconds');
    const { summary, what } = await profileServer(PARAMS[mode], seconds, log);
    const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
    const file = join(out, `${stamp}-profile.md`);
    writeFileSync(file, await prettierFormatted(profileMarkdown(summary, command, what), file));
    for (const h of summary.functions.slice(0, 15))
      log(`${h.percent.toFixed(1).padStart(5)}%  ${h.name}  ${h.where}`);
    log(`profile written to ${file}`);
    return 0;
  }
  const scenarios: ScenarioName[] = [];
  for (const s of (values.only ?? SCENARIOS.join(',')).split(',').filter((x) => x !== '')) {
    if (!(SCENARIOS as readonly string[]).includes(s))
      throw new Error(`unknown scenario ${s}; one of ${SCENARIOS.join(', ')}`);
    scenarios.push(s as ScenarioName);
  }
  const systems = (values.systems ?? '').split(',').filter((s) => s !== '');
  log(`${mode} mode: ${scenarios.join(', ')}`);
  const report = await runBench({ mode, scenarios, systems, command, log });
  const written = await writeReport(report, out);
  for (const g of report.goals)
    log(`goal: ${g.goal}: ${g.measured} ${g.met === null ? '' : g.met ? '(met)' : '(missed)'}`);
  for (const r of report.ratios)
    log(`ratio: ${r.name}: ${r.value === null ? 'n/a' : `${r.value}x`} (${r.detail})`);
  log(`report: ${written.markdown} (and ${written.json}, ${written.figures.length} figures, latest.md)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
