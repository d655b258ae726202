// The benchmark's CI smoke test: every scenario in its tiny mode against real spawned servers and
// peers, asserting the results are complete and well-formed. Never a timing assertion: how fast
// anything is belongs to `npm run bench`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Command, HEADER_LENGTH, MessageSchema, readHeader } from '@parley/protocol';
import { PARAMS } from './params.js';
import { goalsOf, ratiosOf } from './report/analysis.js';
import type {
  BenchReport,
  ClusterResult,
  FanoutResult,
  IdleResult,
  StepResult,
  SyncResult,
  ThroughputResult,
} from './report/types.js';
import { figuresOf } from './report/charts.js';
import { writeReport } from './report/write.js';
import { runCluster } from './scenarios/cluster.js';
import type { ScenarioContext } from './scenarios/context.js';
import { runFanout } from './scenarios/fanout.js';
import { runIdle } from './scenarios/idle.js';
import { runOneToOne } from './scenarios/one-to-one.js';
import { runSync } from './scenarios/sync.js';
import { encodeSendFrame, pushedText } from './wire/native-fast.js';
import { makePayload, readStamp, type Stamp } from './wire/payload.js';

const params = PARAMS.tiny;
const lines: string[] = [];
const ctx: ScenarioContext = { params, systems: [], log: (l) => lines.push(l) };
const PEERS = ['Socket.IO', 'Mosquitto (QoS 1)', 'raw net relay'];

/** Parts of a report, filled in by the scenario tests and rendered by the last one. */
const collected: {
  idle: IdleResult[];
  oneToOne: ThroughputResult[];
  fanout: FanoutResult[];
  sync: SyncResult[];
  cluster: ClusterResult | null;
} = { idle: [], oneToOne: [], fanout: [], sync: [], cluster: null };

function assertFinite(value: number, what: string): void {
  assert.ok(Number.isFinite(value), `${what} is ${value}`);
}

function assertCompleteStep(system: string, s: StepResult, acknowledged: boolean): void {
  assert.ok(s.sent > 0, `${system} ${s.label}: nothing sent`);
  const counts = `sent ${s.sent}, acked ${s.acked} (${s.ackErrors} errors), delivered ${s.delivered}, ${s.outOfOrder} out of order`;
  if (system.startsWith('Parley'))
    assert.equal(s.delivered, s.sent, `${system} ${s.label}: delivered ≠ sent (${counts})`);
  // A peer's own losses (Mosquitto drops a few QoS 1 messages now and then) are its figures to
  // report, not a failure of the harness.
  else assert.ok(s.delivered >= s.sent * 0.99, `${system} ${s.label}: delivered ${s.delivered} of ${s.sent}`);
  assert.equal(s.outOfOrder, 0, `${system} ${s.label}: deliveries out of order`);
  if (acknowledged) {
    assert.equal(s.acked, s.sent, `${system} ${s.label}: acked ≠ sent`);
    assert.equal(s.ackErrors, 0);
    assert.ok(s.ackLatency !== null && s.ackLatency.count > 0, `${system} ${s.label}: no ack latencies`);
  } else assert.equal(s.ackLatency, null);
  assert.ok(s.latency.count > 0 && s.latency.count <= s.delivered, `${system} ${s.label}: latency count`);
  assert.ok(s.latency.p50Ms <= s.latency.p99Ms && s.latency.p99Ms <= s.latency.maxMs, 'percentiles in order');
  assert.ok(s.curve.length > 0);
  for (const v of [s.deliveredPerSecond, s.serverCpuPercent, s.serverRssBytes, s.generatorCpuPercent]) {
    assertFinite(v, `${system} ${s.label}`);
  }
  assert.ok(s.serverRssBytes > 0);
}

test('the hand-encoded MS frame decodes with the generated schema, and pushed text is found', () => {
  const text = makePayload(1234.5, 7, 100);
  const frame = encodeSendFrame(42, 1, '987654321', 'abc', text);
  const header = readHeader(frame);
  assert.equal(header.length, frame.length - HEADER_LENGTH);
  assert.equal(header.seq, 42);
  assert.equal(header.command, Command.MS);
  const msg = fromBinary(MessageSchema, frame.subarray(HEADER_LENGTH));
  assert.equal(msg.clientMsgId, 'abc');
  assert.equal(msg.conversation?.type, 1);
  assert.equal(msg.conversation.target, '987654321');
  assert.equal(msg.messageContent?.contentType, 1);
  assert.equal(msg.messageContent.text, text);
  const single = fromBinary(
    MessageSchema,
    encodeSendFrame(1, 0, 'x'.repeat(300), 'id', 'é'.repeat(200)).subarray(12),
  );
  assert.equal(single.conversation?.type, 0);
  assert.equal(single.messageContent?.text, 'é'.repeat(200));

  const pushed = toBinary(
    MessageSchema,
    create(MessageSchema, {
      messageId: 2n ** 62n,
      seq: 300n,
      from: '1',
      to: '2',
      senderId: 5n,
      serverTime: 1_700_000_000_000n,
      conversation: { type: 0, target: '5' },
      messageContent: { contentType: 1, text, searchableContent: 'other text', mentionedTargets: ['a'] },
      senderName: 'alice',
    }),
  );
  assert.equal(Buffer.from(pushedText(pushed) ?? []).toString(), text);
  assert.equal(pushedText(toBinary(MessageSchema, create(MessageSchema, { seq: 1n }))), undefined);
  assert.equal(pushedText(Uint8Array.of(0x12, 0x7f)), undefined, 'a truncated body is not read past its end');

  const stamp: Stamp = { sentAt: 0, index: 0 };
  assert.ok(readStamp(Buffer.from(pushedText(pushed) ?? []), stamp));
  assert.deepEqual(stamp, { sentAt: 1234.5, index: 7 });
  assert.ok(readStamp(text, stamp));
  assert.deepEqual(stamp, { sentAt: 1234.5, index: 7 });
  assert.equal(readStamp('not a stamp', stamp), false);
  assert.equal(readStamp(Buffer.from('12x|3|'), stamp), false);
});

test('idle connections: every system holds every connection and reports its memory and CPU', async () => {
  const results = await runIdle(ctx);
  collected.idle = results;
  assert.deepEqual(
    results.map((r) => r.system),
    ['Parley (SQLite)', ...PEERS],
  );
  for (const r of results) {
    assert.equal(r.error, undefined, `${r.system}: ${r.error ?? ''}`);
    assert.equal(r.connections, params.idle.connections, r.system);
    assert.equal(r.connectFailures, 0);
    assert.equal(r.closedDuringIdle, 0, `${r.system}: connections closed while idle`);
    assert.ok(r.rssBeforeBytes > 0 && r.rssAfterBytes > 0, r.system);
    assertFinite(r.rssPerConnectionBytes, r.system);
    assertFinite(r.idleCpuPercent, r.system);
    assert.equal(r.sourceAddresses, params.idle.sources);
  }
  // Parley and the raw relay heartbeat from the client; Socket.IO and MQTT run their own.
  assert.ok((results[0]?.heartbeatsPerSecond ?? 0) > 0);
  assert.notEqual(results[0]?.heapPerConnectionBytes, null, 'Parley reports its heap through /metrics');
  const young = results[0]?.youngGeneration;
  assert.ok(young !== null && young !== undefined, 'Parley reports its young generation through /metrics');
  assert.ok(young.afterBytes > 0 && young.capBytes >= young.afterBytes, JSON.stringify(young));
  // 64 MB semi-spaces (server/src/node-flags.ts): two of them.
  assert.equal(young.capBytes, 2 * 64 * 1024 * 1024);
  assert.equal(
    results.slice(1).every((r) => r.youngGeneration === null),
    true,
    'peers have no /metrics',
  );
});

test('1:1: every message sent is delivered once, in order, and (except by the raw relay) acknowledged', async () => {
  const results = await runOneToOne(ctx);
  collected.oneToOne = results;
  assert.deepEqual(
    results.map((r) => r.system),
    ['Parley (SQLite)', 'Parley (PostgreSQL)', ...PEERS],
  );
  for (const r of results) {
    assert.equal(r.error, undefined, `${r.system}: ${r.error ?? ''}`);
    assert.equal(r.pairs, params.oneToOne.pairs);
    assert.ok(r.steps.length >= 1, r.system);
    assert.equal(r.steps.at(-1)?.label, 'max');
    for (const s of r.steps) assertCompleteStep(r.system, s, r.acknowledged);
  }
  assert.equal(results.find((r) => r.system === 'raw net relay')?.acknowledged, false);
  assert.equal(results.find((r) => r.system === 'Parley (SQLite)')?.acknowledged, true);
});

test('group fan-out: every member gets every message', async () => {
  const results = await runFanout(ctx);
  collected.fanout = results;
  assert.deepEqual(
    results.map((r) => r.system),
    ['Parley (SQLite)', ...PEERS],
  );
  for (const r of results) {
    assert.equal(r.error, undefined, `${r.system}: ${r.error ?? ''}`);
    for (const [phase, ph] of [
      ['light', r.light],
      ['burst', r.burst],
    ] as const) {
      assert.ok(ph !== null, `${r.system} ${phase}`);
      assert.equal(ph.expected, params.fanout.members * ph.messages);
      assert.equal(ph.delivered, ph.expected, `${r.system} ${phase}: deliveries`);
      assert.equal(ph.lastMember.count, ph.messages, `${r.system} ${phase}: a last member per message`);
      assert.equal(ph.perDelivery.count, ph.delivered);
      assert.ok(ph.deliveriesPerSecond > 0);
      if (r.system !== 'raw net relay') assert.equal(ph.acked, ph.messages, `${r.system} ${phase}: acks`);
    }
  }
});

test('reconnect sync: the device gets every missed message', async () => {
  const results = await runSync(ctx);
  collected.sync = results;
  assert.deepEqual(
    results.map((r) => r.system),
    ['Parley (SQLite)', 'Parley (PostgreSQL)', 'Mosquitto (QoS 1)'],
  );
  const total = params.sync.conversations * params.sync.perConversation;
  for (const r of results) {
    assert.equal(r.error, undefined, `${r.system}: ${r.error ?? ''}`);
    assert.equal(r.runs.length, params.sync.runs);
    for (const run of r.runs) {
      assert.equal(run.messages, total);
      if (r.system.startsWith('Parley')) {
        assert.equal(run.conversations, params.sync.conversations);
        assert.ok(run.pulls >= params.sync.conversations);
      }
    }
    assert.ok(r.medianMs > 0);
  }
});

test('cluster: same-node and cross-node pairs through Redis deliver everything', async () => {
  const result = await runCluster(ctx);
  collected.cluster = result;
  // This build has cluster mode; a skip would mean it broke (the reason says why).
  assert.equal(result.skipped, undefined, result.skipped);
  assert.deepEqual(
    result.systems.map((s) => s.system),
    ['Parley cluster (PostgreSQL + Redis)', 'Socket.IO (Redis adapter)'],
  );
  for (const s of result.systems) {
    assert.equal(s.error, undefined, `${s.system}: ${s.error ?? ''}`);
    assert.ok(s.sameNode !== null && s.crossNode !== null);
    assertCompleteStep(`${s.system} same node`, s.sameNode, true);
    assertCompleteStep(`${s.system} cross node`, s.crossNode, true);
    assert.notEqual(s.addedP99Ms, null);
  }
});

test('the report: JSON, Markdown and PNG figures that name the command', async () => {
  const parts = {
    meta: {
      mode: 'tiny' as const,
      command: 'npm run bench -- --tiny',
      startedAt: new Date().toISOString(),
      durationSeconds: 1,
      node: process.versions.node,
      cpus: 2,
      cpuModel: 'test',
      memoryGiB: 1,
      gitCommit: '0123456789abcdef',
      gitDirty: false,
      payloadBytes: params.payloadBytes,
      notes: ['smoke test'],
    },
    ...collected,
  };
  const report: BenchReport = { ...parts, ratios: ratiosOf(parts), goals: goalsOf(parts) };
  assert.ok(report.goals.length >= 8);
  assert.ok(report.ratios.some((r) => r.name.includes('Socket.IO') && r.value !== null));
  for (const f of figuresOf(report)) {
    assert.ok(f.svg.includes('Produced by: npm run bench -- --tiny'), `${f.name} names the command`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-report-'));
  try {
    const written = await writeReport(report, dir);
    const json = JSON.parse(readFileSync(written.json, 'utf8')) as BenchReport;
    assert.equal(json.oneToOne.length, collected.oneToOne.length);
    const md = readFileSync(written.markdown, 'utf8');
    for (const heading of [
      '## Goals',
      '## 1. Idle',
      '## 2. 1:1',
      '## 3. Group fan-out',
      '## 4. Reconnect',
      '## 5. Cluster',
    ]) {
      assert.ok(md.includes(heading), `the Markdown has ${heading}`);
    }
    assert.equal(readFileSync(written.latest, 'utf8'), md);
    assert.ok(written.figures.length >= 4, 'throughput, distributions, fan-out, idle, sync figures');
    for (const f of written.figures) {
      const png = readFileSync(f);
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${f} is a PNG`);
      assert.ok(md.includes(f.slice(dir.length + 1)), `the Markdown shows ${f}`);
    }
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.png')).length, written.figures.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
