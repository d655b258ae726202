import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImtpCommand, type PresenceNotice } from '@parley/protocol';
import { chatroom, direct, group, type ReadEvent, type RecallEvent, type TypingEvent } from '@parley/sdk';
import { startCluster, type TestCluster } from '@parley/testkit';
import { ImtpTestClient } from '../../gateway/imtp/imtp-test-client.js';
import { loginAs, newUser, tcpTo, until, wsTo, type TestUser } from './cluster-clients.js';

// Issue 7, acceptance 1: three real nodes on PostgreSQL + Redis; users on different nodes and
// dialects; every feature crosses nodes.
describe('cluster: three nodes, every feature across nodes', () => {
  let cluster: TestCluster;
  let ann: TestUser; // native TCP, node 0
  let ben: TestUser; // native over WebSocket, node 1
  let dan: TestUser; // native TCP, node 2
  let cat: ImtpTestClient; // IMTP, node 2
  let catId: bigint;
  const users: TestUser[] = [];

  before(async () => {
    cluster = await startCluster(3);
    const [n0, n1, n2] = cluster.nodes;
    assert.ok(n0 && n1 && n2);
    ann = await newUser('ann', () => tcpTo(n0));
    ben = await newUser('ben', () => wsTo(n1));
    dan = await newUser('dan', () => tcpTo(n2));
    users.push(ann, ben, dan);
    const catName = `cat${process.pid}`;
    catId = await ann.client.register(catName, 'password-123');
    cat = await ImtpTestClient.connect(n2.port);
    assert.equal((await cat.login(catName, 'password-123')).state, 0);
  });

  after(async () => {
    for (const u of users) u.client.close();
    await cat.close();
    await cluster.stop();
  });

  it('gives each node its own worker id and lists every node at the gateway endpoint', async () => {
    const res = await fetch(`${cluster.gatewayUrls()[0] ?? ''}/api/v1/gateway`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { name: string; tcp: { port: number } };
    const node = cluster.nodes.find((n) => n.port === body.tcp.port);
    assert.ok(node, `the gateway names one of the nodes: ${JSON.stringify(body)}`);
    const workerIds = cluster.nodes.map((n) => {
      const line = n.output.find((l) => l.includes('joined the cluster'));
      assert.ok(line, 'node logged its worker id');
      return (JSON.parse(line) as { workerId: number }).workerId;
    });
    assert.equal(new Set(workerIds).size, 3, `distinct worker ids: ${workerIds.join(',')}`);
  });

  it('delivers direct messages both ways between nodes and dialects', async () => {
    await ann.client.messages.sendText(direct(ben.id), 'ann to ben');
    await until(() => ben.texts().includes('ann to ben'), 'ben got it');
    await ben.client.messages.sendText(direct(ann.id), 'ben to ann');
    await until(() => ann.texts().includes('ben to ann'), 'ann got it');
    assert.equal(await cat.send(ImtpCommand.TEXT, ann.id, 'cat to ann', 1n), 0);
    await until(() => ann.texts().includes('cat to ann'), 'ann got the IMTP message');
    await ann.client.messages.sendText(direct(catId), 'ann to cat');
    await cat.waitForMessage((m) => m.text === 'ann to cat', 'IMTP user got it');
  });

  it('delivers group messages to members on every node', async () => {
    const info = await ann.client.groups.create({ name: 'spread', memberIds: [ben.id, dan.id, catId] });
    const g = group(info.groupId);
    await ann.client.messages.sendText(g, 'group hello');
    await until(() => ben.texts().includes('group hello'), 'ben (node 1)');
    await until(() => dan.texts().includes('group hello'), 'dan (node 2)');
    await cat.waitForMessage((m) => m.text === 'group hello', 'cat (IMTP, node 2)');
    assert.equal(
      await cat.send(ImtpCommand.TEXT, BigInt(info.groupId), 'cat to group', 2n, { group: true }),
      0,
    );
    await until(
      () => ann.texts().includes('cat to group') && ben.texts().includes('cat to group'),
      'all got it',
    );
    assert.equal(ben.texts().filter((t) => t === 'group hello').length, 1, 'exactly once');
  });

  it('delivers chatroom messages across nodes', async () => {
    for (const u of [ann, ben, dan]) await u.client.chatrooms.join('lobby');
    await dan.client.messages.sendText(chatroom('lobby'), 'room hello');
    await until(() => ann.texts().includes('room hello') && ben.texts().includes('room hello'), 'room');
  });

  it('carries read receipts, typing and recall across nodes', async () => {
    const reads: ReadEvent[] = [];
    const typing: TypingEvent[] = [];
    const recalls: RecallEvent[] = [];
    ann.client.on('read', (e) => reads.push(e));
    ben.client.on('typing', (e) => typing.push(e));
    ben.client.on('recall', (e) => recalls.push(e));
    await ann.client.messages.sendText(direct(ben.id), 'read me');
    await until(() => ben.texts().includes('read me'), 'ben got read me');
    await ben.client.messages.markRead(direct(ann.id));
    await until(() => reads.some((r) => r.userId === ben.id), 'ann saw ben read');
    await ann.client.messages.typing(direct(ben.id));
    await until(() => typing.some((t) => t.userId === ann.id), 'ben saw ann typing');
    const sent = await ann.client.messages.sendText(direct(ben.id), 'oops');
    await until(() => ben.texts().includes('oops'), 'ben got oops');
    await ann.client.messages.recall(direct(ben.id), sent.seq);
    await until(() => recalls.some((r) => r.seq === sent.seq), 'ben saw the recall');
  });

  it('tells watchers on other nodes when a user goes offline and comes back elsewhere', async () => {
    const presence: PresenceNotice[] = [];
    ann.client.on('presence', (p) => presence.push(p));
    ben.client.close();
    await until(() => presence.some((p) => p.userId === ben.id && !p.online), 'ann saw ben go offline');
    const [n0, , n2] = cluster.nodes;
    assert.ok(n0 && n2);
    const again = await loginAs(ben.name, tcpTo(n2));
    users.push(again);
    await until(() => presence.some((p) => p.userId === ben.id && p.online), 'ann saw ben come back');
    // A second login of the same platform class on another node replaces the first.
    const kicks: unknown[] = [];
    again.client.on('kick', (k) => kicks.push(k));
    const third = await loginAs(ben.name, tcpTo(n0));
    users.push(third);
    await until(() => kicks.length === 1, 'the older session (node 2) was kicked by a login on node 0');
    await ann.client.messages.sendText(direct(ben.id), 'after the kick');
    await until(() => third.texts().includes('after the kick'), 'the new session gets pushes');
  });
});
