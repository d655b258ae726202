import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  startCluster,
  startTestRedis,
  type ClusterNodeProcess,
  type TestCluster,
  type TestRedis,
} from '@parley/testkit';
import { newUser, tcpTo, until, viaGateway, type TestUser } from './cluster-clients.js';
import { ringTraffic } from './traffic.js';

function nodeOf(cluster: TestCluster, user: TestUser): ClusterNodeProcess | undefined {
  const name = user.nodes[user.nodes.length - 1];
  return cluster.nodes.find((n) => `node-${n.index}` === name);
}

/** The node holding the most of these users (there is at least one with some). */
function busiest(cluster: TestCluster, users: readonly TestUser[]): ClusterNodeProcess {
  const counts = new Map<ClusterNodeProcess, number>();
  for (const u of users) {
    const node = nodeOf(cluster, u);
    if (node !== undefined) counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  const [node] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  assert.ok(node, 'users are connected somewhere');
  return node;
}

// Issue 7, acceptance 2 and 3: a node dies (SIGKILL) or drains (SIGTERM) under steady traffic;
// its clients move through GET /api/v1/gateway and every acked message arrives exactly once.
describe('cluster: a node goes away under traffic', () => {
  let cluster: TestCluster;
  const users: TestUser[] = [];

  before(async () => {
    cluster = await startCluster(3);
    for (let i = 0; i < 6; i++) users.push(await newUser('mover', (nodes) => viaGateway(cluster, nodes)));
  });

  after(async () => {
    for (const u of users) u.client.close();
    await cluster.stop();
  });

  it('SIGKILL: clients reconnect to the others and sync; nothing acked is lost or doubled', async () => {
    const victim = busiest(cluster, users);
    const moved = users.filter((u) => nodeOf(cluster, u) === victim);
    const result = await ringTraffic(users, {
      tag: 'kill',
      beforeMs: 1000,
      afterMs: 2500,
      intervalMs: 15,
      during: async () => {
        await cluster.killNode(victim);
      },
    });
    for (const u of moved) assert.notEqual(nodeOf(cluster, u), victim, `${u.name} moved off the dead node`);
    assert.ok(result.acked > 100, `steady traffic: ${JSON.stringify(result)}`);
    console.log(`SIGKILL of ${victim.index}: ${moved.length} clients moved; ${JSON.stringify(result)}`);
  });

  it('SIGTERM: a draining node sends its clients elsewhere without errors', async () => {
    const live = cluster.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
    assert.equal(live.length, 2);
    const victim = busiest(cluster, users);
    const moved = users.filter((u) => nodeOf(cluster, u) === victim);
    const errorsBefore = users.map((u) => u.errors.length);
    const result = await ringTraffic(users, {
      tag: 'drain',
      beforeMs: 800,
      afterMs: 2000,
      intervalMs: 15,
      during: async () => {
        assert.equal(await cluster.stopNode(victim), 0, 'the drained node exits cleanly');
      },
    });
    for (const u of moved) assert.notEqual(nodeOf(cluster, u), victim, `${u.name} moved`);
    users.forEach((u, i) => {
      assert.deepEqual(u.errors.slice(errorsBefore[i]), [], `${u.name} saw no error`);
    });
    console.log(`drain of ${victim.index}: ${moved.length} clients moved; ${JSON.stringify(result)}`);
  });
});

// Issue 7, acceptance 4: Redis restarts during traffic (a Redis of this test's own).
describe('cluster: Redis restarts under traffic', () => {
  let redis: TestRedis;
  let cluster: TestCluster;
  const users: TestUser[] = [];

  before(async () => {
    redis = await startTestRedis();
    cluster = await startCluster(2, { redisUrl: redis.url });
    const [n0, n1] = cluster.nodes;
    assert.ok(n0 && n1);
    // Alternate nodes so that every ring step crosses nodes.
    for (let i = 0; i < 4; i++) users.push(await newUser('redis', () => tcpTo(i % 2 === 0 ? n0 : n1)));
  });

  after(async () => {
    for (const u of users) u.client.close();
    await cluster.stop();
    await redis.stop();
  });

  it('nodes reconnect, delivery resumes, sync fills the gap, nothing acked is lost', async () => {
    const result = await ringTraffic(users, {
      tag: 'redis',
      beforeMs: 800,
      afterMs: 3000,
      intervalMs: 15,
      during: async () => {
        await redis.kill();
        // Longer than the nodes' TTL (1.5 s): a node must not take the other's silence for death.
        await new Promise((r) => setTimeout(r, 2000));
        await redis.start();
      },
    });
    for (const node of cluster.nodes) {
      assert.equal(node.child.exitCode, null, `node ${node.index} survived the Redis restart`);
      // Without the re-announce a node that gave the other up for dead never pushed to it again.
      assert.ok(
        node.output.some((l) => l.includes('redis is back')),
        `node ${node.index} re-announced itself and told its devices to sync`,
      );
    }
    console.log(`redis restart: ${JSON.stringify(result)}`);
    // Cross-node pushes work again (not only sync): a fresh message arrives live.
    const [a, b] = users;
    assert.ok(a && b);
    const { direct } = await import('@parley/sdk');
    await a.client.messages.sendText(direct(b.id), 'after redis');
    await until(() => b.texts().includes('after redis'), 'a live cross-node push after the restart');
  });
});

// Issue 7, acceptance 5: worker-id leases.
describe('cluster: snowflake worker-id leases', () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startCluster(2, { env: { PARLEY_WORKER_ID_COUNT: '2' } });
  });

  after(async () => {
    await cluster.stop();
  });

  const workerIdOf = (node: ClusterNodeProcess): number => {
    const line = node.output.find((l) => l.includes('joined the cluster'));
    assert.ok(line, `node ${node.index} logged its worker id`);
    return (JSON.parse(line) as { workerId: number }).workerId;
  };

  it('refuses to start a node when every id is leased, and frees ids on drain and on death', async () => {
    const [n0, n1] = cluster.nodes;
    assert.ok(n0 && n1);
    assert.deepEqual([workerIdOf(n0), workerIdOf(n1)].sort(), [0, 1]);
    await assert.rejects(cluster.addNode(), /no free snowflake worker id: all 2 ids are leased/);

    // A drained node releases its id at once.
    const freed = workerIdOf(n1);
    await cluster.stopNode(n1);
    const n2 = await cluster.addNode();
    assert.equal(workerIdOf(n2), freed);

    // A dead node's lease expires with its TTL (1.5 s here); until then the id stays taken.
    const dead = workerIdOf(n0);
    await cluster.killNode(n0);
    await new Promise((r) => setTimeout(r, 2000));
    const n3 = await cluster.addNode();
    assert.equal(workerIdOf(n3), dead);
    assert.notEqual(workerIdOf(n3), workerIdOf(n2), 'never shared');
  });
});
