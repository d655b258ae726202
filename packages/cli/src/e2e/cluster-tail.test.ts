import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type ClusterNodeProcess, type TestCluster } from '@parley/testkit';
import { ParleyClient, direct, tcpTransport } from '@parley/sdk/node';
import { until } from '../test-support/poll.js';
import {
  assertBuilt,
  parleyEnv,
  runParley,
  startParley,
  type RunningParley,
} from '../test-support/parley-process.js';

/**
 * `parley tail --gateway` against two real cluster nodes (PostgreSQL + Redis): the node tail is
 * connected to is killed (SIGKILL); tail reconnects through the gateway endpoint to the other one
 * and prints everything sent afterwards, each message once.
 */
describe('parley tail through the gateway of a cluster', () => {
  let cluster: TestCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let tail: RunningParley | undefined;
  let bob: ParleyClient | undefined;
  let aliceId: bigint;

  before(async () => {
    assertBuilt();
    cluster = await startCluster(2);
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-cluster-'));
    env = parleyEnv(join(dir, 'config'));
  });

  after(async () => {
    if (tail !== undefined && tail.child.exitCode === null) {
      tail.child.kill('SIGKILL');
      await tail.exited;
    }
    bob?.close();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const nodeNamed = (name: string): ClusterNodeProcess => {
    const node = cluster.nodes.find((n) => `node-${String(n.index)}` === name);
    assert.ok(node !== undefined, `no node named ${name}`);
    return node;
  };

  /** The node of tail's latest "connected to node NAME (HOST:PORT)" line. */
  const tailNode = (): string | undefined => {
    const lines = tail?.stderrLines.filter((l) => l.startsWith('tail: connected to node ')) ?? [];
    return /^tail: connected to node (\S+) /.exec(lines[lines.length - 1] ?? '')?.[1];
  };

  const printed = (): string[] =>
    (tail?.stdoutLines ?? []).map((l) => (JSON.parse(l) as { text: string }).text);

  it('signs up through the gateway and saves it in the session', async () => {
    const gateways = cluster.gatewayUrls().join(',');
    const reg = await runParley(
      ['register', '--gateway', gateways, '--username', 'alice', '--password-stdin'],
      env,
      { input: 'alice-password-1\n' },
    );
    assert.equal(reg.code, 0, reg.stderr);
    aliceId = BigInt(/user id (\d+)/.exec(reg.stdout)?.[1] ?? '0');
    assert.match(reg.stdout, new RegExp(`on ${gateways.replace(/[.]/g, '\\.')}\\n`));
  });

  it('moves to the other node when its node is killed, printing every later message once', async () => {
    tail = startParley(['tail', '--json', '--gateway', cluster.gatewayUrls().join(',')], env);
    await until(
      () => tail?.stderrLines.some((l) => l.startsWith('tail: listening as alice on node-')),
      'tail to listen',
      20_000,
      () => tail?.stderrLines.join('\n') ?? '',
    );
    const first = nodeNamed(tailNode() ?? '');
    const other = cluster.nodes.find((n) => n !== first);
    assert.ok(other !== undefined);

    // The sender sits on the node that stays.
    bob = new ParleyClient({ transport: tcpTransport({ port: other.port }) });
    await bob.register('bob', 'bob-password-1');
    await bob.login({ username: 'bob', password: 'bob-password-1' });
    const to = direct(aliceId);
    for (const n of [1, 2]) await bob.messages.sendText(to, `before ${String(n)}`);
    await until(() => printed().includes('before 2'), 'tail to print the first messages', 15_000);

    assert.equal(await cluster.killNode(first), 'SIGKILL');
    // Sent while tail has no connection: they reach it through the sync after the reconnect.
    for (const n of [1, 2, 3]) await bob.messages.sendText(to, `after ${String(n)}`);
    await until(
      () => tailNode() === `node-${String(other.index)}`,
      'tail to reconnect to the other node',
      30_000,
      () => tail?.stderrLines.join('\n') ?? '',
    );
    await until(() => printed().includes('after 3'), 'tail to print what was sent meanwhile', 30_000);
    // Sent once tail is on the new node: a push.
    await bob.messages.sendText(to, 'after 4');
    await until(() => printed().includes('after 4'), 'tail to print a push on the new node', 15_000);

    assert.deepEqual(printed(), ['before 1', 'before 2', 'after 1', 'after 2', 'after 3', 'after 4']);
    assert.ok(tail.stderrLines.includes('tail: connection lost; reconnecting'), tail.stderrLines.join('\n'));
    assert.equal(tail.child.exitCode, null, 'tail keeps running');
  });

  it('sends over HTTP through the gateway, skipping the dead node', async () => {
    const dead = cluster.nodes.find((n) => n.child.exitCode !== null || n.child.signalCode !== null);
    const alive = cluster.nodes.find((n) => n !== dead);
    assert.ok(dead !== undefined && alive !== undefined);
    // The dead node's URL first: the gateway endpoint of the next one names a live node.
    const gateways = `${dead.httpUrl},${alive.httpUrl}`;
    const sent = await runParley(['send', '--gateway', gateways, 'bob', 'over http'], env);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /^sent to bob \(seq \d+\)\n$/);
    const history = await runParley(['history', 'bob', '--limit', '1'], env);
    assert.match(history.stdout, /alice: over http\n$/);
  });
});
