import type { BenchReport, Goal, IdleResult, StepResult } from './types.js';

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

function youngGeneration(i: IdleResult): string {
  const y = i.youngGeneration;
  return y === null ? '–' : `${mb(y.beforeBytes)} → ${mb(y.afterBytes)}`;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const met = (g: Goal) => (g.met === null ? '–' : g.met ? '✅ met' : '❌ missed');

function stepRow(system: string, s: StepResult): string[] {
  return [
    system,
    s.label,
    n0(s.deliveredPerSecond),
    ms(s.latency.p50Ms),
    ms(s.latency.p99Ms),
    ms(s.latency.p999Ms),
    s.ackLatency === null ? '–' : ms(s.ackLatency.p99Ms),
    `${n0(s.delivered)}/${n0(s.sent)}`,
    s.sustained ? 'yes' : '**no**',
    `${Math.round(s.serverCpuPercent)}%`,
    mb(s.serverRssBytes),
    `${Math.round(s.generatorCpuPercent)}%`,
  ];
}

/** The Markdown report; `figures` are file names next to it, with their titles. */
export function markdownOf(report: BenchReport, figures: readonly { file: string; title: string }[]): string {
  const m = report.meta;
  const out: string[] = [];
  out.push(`# Parley benchmark: ${m.mode} mode, ${m.startedAt.slice(0, 16).replace('T', ' ')} UTC`);
  out.push('');
  out.push(`Produced by \`${m.command}\` in ${m.durationSeconds.toFixed(0)} s.`);
  out.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}. ` +
      `Commit ${m.gitCommit.slice(0, 10)}${m.gitDirty ? ' with uncommitted changes' : ''}. ` +
      `Messages of ${m.payloadBytes} bytes everywhere.`,
  );
  for (const note of m.notes) out.push(`\n> ${note}`);
  out.push('\n## Goals (issue 9)\n');
  out.push(
    table(
      ['goal', 'measured', 'result', 'note'],
      report.goals.map((g) => [g.goal, g.measured, met(g), g.note]),
    ),
  );
  out.push('\n## Ratios from this run\n');
  out.push(
    table(
      ['ratio', 'value', 'figures'],
      report.ratios.map((r) => [r.name, r.value === null ? 'n/a' : `${r.value}×`, r.detail]),
    ),
  );
  if (figures.length > 0) {
    out.push('\n## Figures\n');
    for (const f of figures) out.push(`![${f.title}](${f.file})\n`);
  }
  if (report.idle.length > 0) {
    out.push('\n## 1. Idle connections\n');
    out.push(
      table(
        [
          'system',
          'connections',
          'connect time',
          'RSS before → after (MB)',
          'RSS / connection',
          'young gen. (MB)',
          'V8 heap / connection',
          'idle CPU',
          'heartbeats/s',
          'note',
        ],
        report.idle.map((i) => [
          i.system,
          n0(i.connections),
          `${i.connectSeconds.toFixed(1)} s`,
          `${mb(i.rssBeforeBytes)} → ${mb(i.rssAfterBytes)}`,
          `${kb(i.rssPerConnectionBytes)} KB`,
          youngGeneration(i),
          i.heapPerConnectionBytes === null ? '–' : `${kb(i.heapPerConnectionBytes)} KB`,
          `${i.idleCpuPercent.toFixed(1)}%`,
          n0(i.heartbeatsPerSecond),
          i.error ?? (i.closedDuringIdle > 0 ? `${i.closedDuringIdle} closed while idle` : ''),
        ]),
      ),
    );
    const g = report.idle[0];
    if (g !== undefined) {
      out.push(
        `\nConnections come from ${g.generators} generator processes over ${g.sourceAddresses} loopback source ` +
          'addresses. Parley connections are logged in (password) users; the users were registered before the ' +
          '"before" reading. Every process here (server and generators) is limited to 20,000 file descriptors, so ' +
          'one server holds at most ~19,000 connections: 100,000 means six or more nodes (cluster mode), or a raised ' +
          '`ulimit -n` together with several generator hosts or many more 127.x source addresses.' +
          (g.youngGeneration === null
            ? ''
            : ' "Young gen." is the part of V8\'s young generation in memory at the two readings (at most ' +
              `${mb(g.youngGeneration.capBytes)} MB with the server's node flags): V8 grows it while the logins ` +
              'allocate, a fixed cost that a few thousand connections share among too few to judge 100,000 by.'),
      );
    }
  }
  if (report.oneToOne.length > 0) {
    out.push('\n## 2. 1:1 throughput and latency\n');
    const rows = report.oneToOne.flatMap((t) =>
      t.error !== undefined && t.steps.length === 0
        ? [[t.system, 'failed', t.error, '', '', '', '', '', '', '', '', '']]
        : t.steps.map((s) => stepRow(t.system, s)),
    );
    out.push(
      table(
        [
          'system',
          'load',
          'delivered/s',
          'p50 ms',
          'p99 ms',
          'p99.9 ms',
          'ack p99 ms',
          'delivered/sent',
          'kept up',
          'server CPU',
          'server RSS MB',
          'generator CPU',
        ],
        rows,
      ),
    );
    out.push(
      `\n${report.oneToOne[0]?.pairs ?? 0} sender → receiver pairs. Latency is from the time a message was due ` +
        '(open loop: no coordinated omission) to its receipt. "max" keeps a window of messages per pair in flight. ' +
        'Parley acks each message after it is committed (ack p99 = persisted); Socket.IO acks on relay, Mosquitto with ' +
        'PUBACK, the raw relay acknowledges nothing. CPU is in percent of one core.',
    );
    for (const t of report.oneToOne) if (t.error !== undefined) out.push(`\n- ${t.system}: ${t.error}`);
  }
  if (report.fanout.length > 0) {
    out.push('\n## 3. Group fan-out\n');
    out.push(
      table(
        [
          'system',
          'members',
          'phase',
          'messages @ rate',
          'deliveries',
          'deliveries/s',
          'last member p50 ms',
          'last member p99 ms',
          'per delivery p99 ms',
          'server CPU',
        ],
        report.fanout.flatMap((f) =>
          f.light === null || f.burst === null
            ? [[f.system, n0(f.members), 'failed', f.error ?? '', '', '', '', '', '', '']]
            : (
                [
                  ['light', f.light],
                  ['burst', f.burst],
                ] as const
              ).map(([label, ph]) => [
                f.system,
                n0(f.members),
                label,
                `${ph.messages} @ ${ph.rate}/s`,
                `${n0(ph.delivered)}/${n0(ph.expected)}`,
                n0(ph.deliveriesPerSecond),
                ms(ph.lastMember.p50Ms),
                ms(ph.lastMember.p99Ms),
                ms(ph.perDelivery.p99Ms),
                `${Math.round(ph.serverCpuPercent)}%`,
              ]),
        ),
      ),
    );
    out.push(
      '\nOne sender, every member online. Parley runs with `PARLEY_GROUP_NOTIFY_THRESHOLD` above the group size, so ' +
        'members get the message itself pushed (as a room broadcast does) and every message is stored first. ' +
        'Deliveries/s = deliveries ÷ (last delivery − first send).',
    );
  }
  if (report.sync.length > 0) {
    out.push('\n## 4. Reconnect sync\n');
    out.push(
      table(
        ['system', 'messages', 'conversations', 'median', 'best', 'runs (login / sync / pull ms)', 'note'],
        report.sync.map((s) => [
          s.system,
          n0(s.messages),
          n0(s.conversations),
          `${ms(s.medianMs)} ms`,
          `${ms(s.bestMs)} ms`,
          s.runs
            .map((r) => `${ms(r.totalMs)} (${ms(r.loginMs)} / ${ms(r.syncMs)} / ${ms(r.pullMs)})`)
            .join(', '),
          s.error ?? '',
        ]),
      ),
    );
    out.push(
      '\nParley: a new connection, LOGIN with the token, SYNC, then MP of every moved conversation (pipelined on the ' +
        'one connection) until every message is decoded. Mosquitto: a persistent session (clean = false) reconnects ' +
        'and the broker replays its queue. Socket.IO and the raw relay keep nothing for an absent client.',
    );
  }
  if (report.cluster !== null) {
    out.push('\n## 5. Cluster: cross-node delivery\n');
    const c = report.cluster;
    if (c.skipped !== undefined) out.push(`Skipped: ${c.skipped}.`);
    else {
      out.push(
        table(
          [
            'system',
            'load',
            'same node p50 / p99 ms',
            'cross node p50 / p99 ms',
            'added p50 ms',
            'added p99 ms',
            'note',
          ],
          c.systems.map((s) => [
            s.system,
            `${c.rate}/s`,
            s.sameNode === null ? '–' : `${ms(s.sameNode.latency.p50Ms)} / ${ms(s.sameNode.latency.p99Ms)}`,
            s.crossNode === null
              ? '–'
              : `${ms(s.crossNode.latency.p50Ms)} / ${ms(s.crossNode.latency.p99Ms)}`,
            s.addedP50Ms === null ? '–' : ms(s.addedP50Ms),
            s.addedP99Ms === null ? '–' : ms(s.addedP99Ms),
            s.error ?? '',
          ]),
        ),
      );
    }
  }
  out.push('');
  return out.join('\n');
}
