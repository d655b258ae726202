import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KickReason } from '@parley/protocol';
import {
  BROADCAST,
  WorkerIdsExhaustedError,
  type ClusterBus,
  type NodeInfo,
  type NodeRegistry,
  type PresenceTable,
  type WorkerIdLease,
} from '../core/cluster.js';
import type { CallStateStore } from '../core/call-state.js';
import type { RateCounter } from '../core/rate-counter.js';
import type { PushEvent } from '../core/session.js';
import { ClusterSessions } from './cluster-sessions.js';
import { recordingSession } from '../core/recording-session.js';

/** One implementation of the cluster ports. Each `bus()` call is a new node's connection. */
export interface ClusterFixture {
  bus(): ClusterBus;
  readonly registry: NodeRegistry;
  lease(count: number): WorkerIdLease;
  readonly presence: PresenceTable;
  readonly calls: CallStateStore;
  readonly rates: RateCounter;
  close(): Promise<void>;
}

/**
 * The cluster ports' contract (core/cluster.ts), run against every implementation (memory and
 * Redis): `clusterContract('Redis', async () => fixture)`. TTLs are short and real.
 */
export function clusterContract(name: string, open: () => Promise<ClusterFixture>): void {
  void describe(`cluster contract: ${name}`, () => {
    let fixture: ClusterFixture | undefined;
    const f = (): ClusterFixture => {
      assert.ok(fixture, 'cluster fixture failed to open');
      return fixture;
    };
    before(async () => {
      fixture = await open();
    });
    after(async () => {
      await fixture?.close();
    });

    describe('ClusterBus', () => {
      it('delivers to the named node only, broadcasts to all, in order, bytes intact', async () => {
        const [a, b, c] = [f().bus(), f().bus(), f().bus()];
        const got = { a: [] as number[][], b: [] as number[][], c: [] as number[][] };
        await a.subscribe('node-a', (bytes) => got.a.push([...bytes]));
        await b.subscribe('node-b', (bytes) => got.b.push([...bytes]));
        await c.subscribe('node-c', (bytes) => got.c.push([...bytes]));
        for (let i = 0; i < 100; i++) a.publish('node-b', new Uint8Array([i, 255, 0]));
        a.publish(BROADCAST, new Uint8Array([7]));
        await until(() => got.b.length === 101 && got.a.length === 1 && got.c.length === 1);
        assert.deepEqual(
          got.b.slice(0, 100),
          Array.from({ length: 100 }, (_, i) => [i, 255, 0]),
        );
        assert.deepEqual(got.a, [[7]]);
        assert.deepEqual(got.c, [[7]]);
        await Promise.all([a.close(), b.close(), c.close()]);
      });
    });

    describe('NodeRegistry', () => {
      it('lists a node while its heartbeat lives, and drops it on leave or expiry', async () => {
        const reg = f().registry;
        const one = nodeInfo('n1', 3);
        await reg.heartbeat(one, 60_000);
        await reg.heartbeat(nodeInfo('n2', 1), 250);
        let live = await reg.live();
        assert.deepEqual(
          live.find((n) => n.instanceId === 'n1'),
          one,
        );
        assert.ok(live.some((n) => n.instanceId === 'n2'));
        await reg.leave('n1');
        live = await reg.live();
        assert.ok(!live.some((n) => n.instanceId === 'n1'));
        await sleep(400);
        assert.ok(!(await reg.live()).some((n) => n.instanceId === 'n2'), 'expired by TTL');
        // A heartbeat after expiry brings it back, with its new load.
        await reg.heartbeat(nodeInfo('n2', 9), 60_000);
        assert.equal((await reg.live()).find((n) => n.instanceId === 'n2')?.load, 9);
        await reg.leave('n2');
      });
    });

    describe('WorkerIdLease', () => {
      it('never gives one id to two live holders, and fails clearly when all are taken', async () => {
        const lease = f().lease(3);
        const ids = await Promise.all(['i1', 'i2', 'i3'].map((i) => lease.acquire(i, 60_000)));
        assert.deepEqual([...ids].sort(), [0, 1, 2]);
        await assert.rejects(lease.acquire('i4', 60_000), WorkerIdsExhaustedError);
        assert.equal(await lease.renew('i1', ids[0] ?? -1, 60_000), true);
        assert.equal(await lease.renew('i4', ids[0] ?? -1, 60_000), false, 'held by i1');
        await lease.release('i4', ids[1] ?? -1); // not the holder: no effect
        await assert.rejects(lease.acquire('i4', 60_000), WorkerIdsExhaustedError);
        await lease.release('i2', ids[1] ?? -1);
        assert.equal(await lease.acquire('i4', 60_000), ids[1]);
        for (const [i, holder] of ['i1', 'i4', 'i3'].entries())
          await lease.release(holder, [ids[0], ids[1], ids[2]][i] ?? -1);
      });

      it('frees an expired lease; renewing a vanished lease re-takes it', async () => {
        const lease = f().lease(1);
        const id = await lease.acquire('dead', 200);
        await sleep(350);
        assert.equal(await lease.acquire('alive', 60_000), id);
        assert.equal(await lease.renew('dead', id, 60_000), false);
        await lease.release('alive', id);
        assert.equal(await lease.renew('alive', id, 60_000), true, 're-taken after it vanished');
        await lease.release('alive', id);
      });

      it('hands out distinct ids to many concurrent acquirers', async () => {
        const lease = f().lease(20);
        const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => lease.acquire(`c${i}`, 60_000)));
        assert.equal(new Set(ids).size, 20);
        await Promise.all(ids.map((id, i) => lease.release(`c${i}`, id)));
      });
    });

    describe('PresenceTable', () => {
      it('puts, reads, removes, replaces, clears, and expires with the node', async () => {
        const table = f().presence;
        const e1 = { userId: 1n, platform: 1, deviceId: 'd1', attachedAt: 10 };
        const e2 = { userId: 123456789012345678n, platform: 4, deviceId: 'd:2|x', attachedAt: 11 };
        await table.put('p1', e1, 60_000);
        await table.put('p1', e2, 60_000);
        assert.deepEqual(sortEntries(await table.read('p1')), sortEntries([e1, e2]));
        await table.remove('p1', 1n, 1);
        assert.deepEqual(await table.read('p1'), [e2]);
        await table.replace('p1', [e1], 60_000);
        assert.deepEqual(await table.read('p1'), [e1]);
        await table.clear('p1');
        assert.deepEqual(await table.read('p1'), []);
        await table.put('p2', e1, 250);
        await sleep(400);
        assert.deepEqual(await table.read('p2'), [], 'expired with its node');
        await table.put('p3', e1, 250);
        await table.touch('p3', 60_000);
        await sleep(400);
        assert.deepEqual(await table.read('p3'), [e1], 'touched: still there');
        await table.clear('p3');
      });
    });

    describe('CallStateStore', () => {
      const call = (callId: string) => ({
        callId,
        callerId: 11n,
        calleeId: 22n,
        media: 'video',
        startedAt: 1000,
        answeredAt: 0,
      });

      it('begins once, answers once, and exactly one of racing enders ends it', async () => {
        const calls = f().calls;
        const id = `c-${process.pid}-${Date.now()}`;
        assert.equal(await calls.begin(call(id), 60_000), true);
        assert.equal(await calls.begin(call(id), 60_000), false, 'the id is taken');
        assert.deepEqual(await calls.get(id), call(id));
        assert.equal(
          await calls.end(id, true).then((c) => c?.callId),
          id,
          'unanswered: the ring timeout ends it',
        );
        assert.equal(await calls.begin(call(id), 60_000), true, 'free again');
        assert.equal((await calls.answer(id, 5000, 60_000))?.answeredAt, 5000);
        assert.equal((await calls.answer(id, 6000, 60_000))?.answeredAt, 5000, 'answered once');
        assert.equal(await calls.end(id, true), undefined, 'an answered call survives the ring timeout');
        const ends = await Promise.all([calls.end(id), calls.end(id), calls.end(id)]);
        assert.equal(ends.filter((c) => c !== undefined).length, 1);
        assert.equal(await calls.get(id), undefined);
        assert.equal(await calls.answer(id, 1, 60_000), undefined);
      });

      it('forgets a call after its TTL', async () => {
        const calls = f().calls;
        const id = `t-${process.pid}-${Date.now()}`;
        await calls.begin(call(id), 200);
        await sleep(350);
        assert.equal(await calls.get(id), undefined);
      });
    });

    describe('RateCounter', () => {
      it('counts hits in a window that opens with the first hit, then starts over', async () => {
        const rates = f().rates;
        const key = `k-${process.pid}-${Date.now()}`;
        assert.equal(await rates.peek(key, 300), 0);
        const counts = await Promise.all(Array.from({ length: 20 }, () => rates.hit(key, 300)));
        assert.deepEqual(
          [...counts].sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => i + 1),
          'concurrent hits each get their own count',
        );
        assert.equal(await rates.peek(key, 300), 20);
        assert.equal(await rates.hit(`${key}-other`, 300), 1, 'keys are independent');
        await sleep(450);
        assert.equal(await rates.peek(key, 300), 0);
        assert.equal(await rates.hit(key, 300), 1, 'a new window');
        await rates.hit(key, 300);
        await rates.reset(key);
        assert.equal(await rates.peek(key, 300), 0, 'reset forgets the window');
      });
    });

    describe('ClusterSessions over the bus', () => {
      it('routes pushes to the node holding each device, one bus message per node', async () => {
        const [a, b] = await twoNodes(f());
        const alice = recordingSession(1, 100n, 1);
        const bob = recordingSession(2, 200n, 1);
        a.sessions.attach(alice);
        b.sessions.attach(bob);
        await until(() => a.sessions.isOnline(200n) && b.sessions.isOnline(100n));
        const event: PushEvent = { kind: 'typing', conversationId: 'c1', userId: 100n, deviceId: 'x' };
        a.sessions.push([100n, 200n, 300n], event, alice.sessionId);
        await until(() => bob.events.length === 1);
        assert.deepEqual(bob.events, [event]);
        assert.deepEqual(alice.events, [], 'the sending session is skipped');
        assert.equal(b.sessions.detach(bob), true);
        assert.equal(b.sessions.detach(bob), false);
        await until(() => !a.sessions.isOnline(200n));
        await Promise.all([a.close(), b.close()]);
      });

      it("an admin's ban kicks the user's sessions on every node, with reason BANNED", async () => {
        const [a, b] = await twoNodes(f());
        const here = recordingSession(1, 800n, 1);
        const there = recordingSession(2, 800n, 2);
        const bystander = recordingSession(3, 801n, 1);
        a.sessions.attach(here);
        b.sessions.attach(there);
        b.sessions.attach(bystander);
        await until(() => a.sessions.isOnline(801n) && b.sessions.isOnline(800n));
        a.sessions.push([800n], { kind: 'suspended', text: 'banned by an admin until further notice' });
        await until(() => here.kicks.length === 1 && there.kicks.length === 1);
        for (const kick of [...here.kicks, ...there.kicks]) {
          assert.equal(kick.reason, KickReason.BANNED);
          assert.equal(kick.text, 'banned by an admin until further notice');
        }
        assert.deepEqual([here.events, there.events], [[], []], 'a ban is no push to deliver');
        assert.deepEqual(bystander.kicks, []);
        // A device attached a moment ago on the other node, before this node heard of it.
        const fresh = recordingSession(4, 802n, 1);
        b.sessions.attach(fresh);
        a.sessions.push([802n], { kind: 'suspended', text: 'banned' });
        await until(() => fresh.kicks.length === 1);
        await Promise.all([a.close(), b.close()]);
      });

      it('a login on another node replaces the older session of the same platform', async () => {
        const [a, b] = await twoNodes(f());
        const older = recordingSession(1, 500n, 2, 'tok-old');
        a.sessions.attach(older);
        await until(() => b.sessions.isOnline(500n));
        const newer = recordingSession(1, 500n, 2, 'tok-new');
        b.sessions.attach(newer);
        await until(() => older.kicks.length === 1);
        assert.equal(older.kicks[0]?.byDeviceId, newer.deviceId);
        await until(() => a.revoked.includes('tok-old'));
        assert.deepEqual(newer.kicks, []);
        assert.equal(a.sessions.sessionsOf(500n).length, 0);
        assert.equal(a.sessions.isOnline(500n), true, 'still online on node b');
        // Another platform class coexists.
        const pad = recordingSession(2, 500n, 3);
        a.sessions.attach(pad);
        await sleep(50);
        assert.deepEqual(newer.kicks, []);
        await Promise.all([a.close(), b.close()]);
      });

      it("a user's devices leaving two nodes at once: both nodes are told it went offline", async () => {
        const [a, b] = await twoNodes(f());
        const onA = recordingSession(1, 950n, 1);
        const onB = recordingSession(2, 950n, 2);
        a.sessions.attach(onA);
        b.sessions.attach(onB);
        await until(
          () => a.sessions.knownNodes().has(b.instanceId) && b.sessions.knownNodes().has(a.instanceId),
        );
        // Same tick: each node still counts the other's device when it detaches its own.
        a.sessions.detach(onA);
        b.sessions.detach(onB);
        const told = (n: { gone: bigint[][] }) => n.gone.some((ids) => ids.includes(950n));
        await until(() => told(a) && told(b));
        assert.equal(a.sessions.isOnline(950n) || b.sessions.isOnline(950n), false);

        // One after the other: the second node sees nobody left and announces itself (in core);
        // nobody is told here.
        const first = recordingSession(3, 951n, 1);
        const second = recordingSession(4, 951n, 2);
        a.sessions.attach(first);
        b.sessions.attach(second);
        await until(() => a.sessions.isOnline(951n) && b.sessions.knownNodes().has(a.instanceId));
        await sleep(50);
        a.sessions.detach(first);
        await sleep(100);
        b.sessions.detach(second);
        await sleep(100);
        assert.equal([...a.gone, ...b.gone].flat().includes(951n), false);
        await Promise.all([a.close(), b.close()]);
      });

      it('forgets a dead node: its users go offline and this node is told which', async () => {
        const [a, b] = await twoNodes(f());
        a.sessions.attach(recordingSession(1, 700n, 1));
        a.sessions.attach(recordingSession(2, 701n, 1));
        b.sessions.attach(recordingSession(3, 701n, 2));
        await until(() => b.sessions.isOnline(700n) && b.sessions.isOnline(701n));
        b.sessions.forgetNodes((node) => node !== a.instanceId);
        assert.equal(b.sessions.isOnline(700n), false);
        assert.equal(b.sessions.isOnline(701n), true, 'still on node b itself');
        assert.deepEqual(b.gone, [[700n]]);
        await Promise.all([a.close(), b.close()]);
      });

      it('a starting node reads the others from the presence table; bye forgets a node', async () => {
        const [a] = await twoNodes(f());
        a.sessions.attach(recordingSession(1, 900n, 1));
        await sleep(50);
        const [late] = await twoNodes(f(), [a.instanceId]);
        assert.equal(late.sessions.isOnline(900n), true);
        await a.sessions.leave();
        await until(() => !late.sessions.isOnline(900n));
        await Promise.all([a.close(), late.close()]);
      });
    });
  });
}

interface TestNode {
  readonly instanceId: string;
  readonly sessions: ClusterSessions;
  readonly revoked: string[];
  readonly gone: bigint[][];
  close(): Promise<void>;
}

let nodeCounter = 0;

async function twoNodes(f: ClusterFixture, live: string[] = []): Promise<[TestNode, TestNode]> {
  const make = async (): Promise<TestNode> => {
    nodeCounter += 1;
    const instanceId = `node-${process.pid}-${nodeCounter}`;
    const bus = f.bus();
    const revoked: string[] = [];
    const gone: bigint[][] = [];
    const sessions = new ClusterSessions({
      instanceId,
      bus,
      presence: f.presence,
      ttlMs: 60_000,
      revokeToken: (t) => {
        revoked.push(t);
        return Promise.resolve();
      },
      membersChanged: () => undefined,
      usersGone: (ids) => gone.push(ids),
      onError: (err) => {
        throw err;
      },
    });
    await sessions.start(live);
    return {
      instanceId,
      sessions,
      revoked,
      gone,
      close: async () => {
        await f.presence.clear(instanceId);
        await bus.close();
      },
    };
  };
  const a = await make();
  live.push(a.instanceId);
  return [a, await make()];
}

function nodeInfo(instanceId: string, load: number): NodeInfo {
  return {
    instanceId,
    name: `name-${instanceId}`,
    workerId: 1,
    tcp: { host: '127.0.0.1', port: 7070 },
    http: 'http://127.0.0.1:8080',
    ws: 'ws://127.0.0.1:8080/ws',
    load,
    startedAt: 1,
  };
}

function sortEntries<T extends { userId: bigint }>(entries: T[]): T[] {
  return [...entries].sort((x, y) => (x.userId < y.userId ? -1 : 1));
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await sleep(5);
  }
}
