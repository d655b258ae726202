import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KickReason, Platform } from '@parley/protocol';
import { SessionRegistry } from './session-registry.js';
import type { DeviceSession, KickInfo, PushEvent } from './session.js';
import type { UserId } from './types.js';

interface FakeSession extends DeviceSession {
  readonly delivered: PushEvent[];
  readonly kicks: KickInfo[];
}

let nextSessionId = 1;

function fakeSession(userId: UserId, platform: number, deviceId = `dev-${nextSessionId}`): FakeSession {
  const delivered: PushEvent[] = [];
  const kicks: KickInfo[] = [];
  return {
    sessionId: nextSessionId++,
    userId,
    username: `user${userId}`,
    deviceId,
    platform,
    tokenHash: `hash-${deviceId}`,
    delivered,
    kicks,
    deliver(event) {
      delivered.push(event);
    },
    kick(info) {
      kicks.push(info);
    },
  };
}

const typing = (userId: UserId): PushEvent => ({
  kind: 'typing',
  conversationId: 's:1:2',
  userId,
  deviceId: 'd',
});

describe('SessionRegistry', () => {
  it('tracks attach, detach, size, sessionsOf and isOnline', () => {
    const reg = new SessionRegistry();
    assert.equal(reg.size, 0);
    assert.equal(reg.isOnline(1n), false);
    assert.deepEqual(reg.sessionsOf(1n), []);

    const a = fakeSession(1n, Platform.PC);
    const b = fakeSession(1n, Platform.MOBILE);
    const c = fakeSession(2n, Platform.WEB);
    assert.equal(reg.attach(a).replaced, undefined);
    assert.equal(reg.attach(b).replaced, undefined);
    assert.equal(reg.attach(c).replaced, undefined);
    assert.equal(reg.size, 3);
    assert.equal(reg.isOnline(1n), true);
    assert.equal(reg.isOnline(2n), true);
    assert.equal(reg.isOnline(3n), false);
    assert.deepEqual(new Set(reg.sessionsOf(1n)), new Set([a, b]));
    assert.deepEqual(reg.sessionsOf(2n), [c]);

    reg.detach(a);
    assert.equal(reg.size, 2);
    assert.deepEqual(reg.sessionsOf(1n), [b]);
    assert.equal(reg.isOnline(1n), true);
    reg.detach(b);
    assert.equal(reg.size, 1);
    assert.equal(reg.isOnline(1n), false);
    assert.deepEqual(reg.sessionsOf(1n), []);

    // Detaching twice, or a session never attached, changes nothing.
    reg.detach(b);
    reg.detach(fakeSession(2n, Platform.WEB));
    reg.detach(fakeSession(9n, Platform.PC));
    assert.equal(reg.size, 1);
    assert.deepEqual(reg.sessionsOf(2n), [c]);
    for (const s of [a, b, c]) assert.deepEqual(s.kicks, []);
  });

  it('sessionsOf returns a copy the caller may change', () => {
    const reg = new SessionRegistry();
    const a = fakeSession(1n, Platform.PC);
    reg.attach(a);
    const list = reg.sessionsOf(1n);
    list.pop();
    assert.deepEqual(reg.sessionsOf(1n), [a]);
  });

  it('a new login on the same user and platform kicks the old session once', () => {
    const reg = new SessionRegistry();
    const old = fakeSession(1n, Platform.PC, 'laptop-old');
    const other = fakeSession(1n, Platform.MOBILE, 'phone');
    reg.attach(old);
    reg.attach(other);
    const fresh = fakeSession(1n, Platform.PC, 'laptop-new');
    const { replaced } = reg.attach(fresh);

    assert.equal(replaced, old);
    assert.equal(old.kicks.length, 1);
    const [kick] = old.kicks;
    assert.ok(kick !== undefined);
    assert.equal(kick.reason, KickReason.REPLACED);
    assert.equal(kick.byDeviceId, 'laptop-new');
    assert.equal(kick.byPlatform, Platform.PC);
    assert.notEqual(kick.text, '');
    assert.deepEqual(fresh.kicks, []);
    assert.deepEqual(other.kicks, [], 'a different platform class is not kicked');
    assert.equal(reg.size, 2, 'the replacement does not add to the count');
    assert.deepEqual(new Set(reg.sessionsOf(1n)), new Set([fresh, other]));
  });

  it('the same user with different platform classes coexists', () => {
    const reg = new SessionRegistry();
    const sessions = [Platform.WEB, Platform.PC, Platform.MOBILE, Platform.PAD, Platform.BOT].map((p) =>
      fakeSession(5n, p),
    );
    for (const s of sessions) assert.equal(reg.attach(s).replaced, undefined);
    assert.equal(reg.size, 5);
    assert.equal(reg.sessionsOf(5n).length, 5);
    for (const s of sessions) assert.deepEqual(s.kicks, []);
  });

  it('different users on the same platform do not replace each other', () => {
    const reg = new SessionRegistry();
    const a = fakeSession(1n, Platform.PC);
    const b = fakeSession(2n, Platform.PC);
    reg.attach(a);
    assert.equal(reg.attach(b).replaced, undefined);
    assert.deepEqual(a.kicks, []);
    assert.equal(reg.size, 2);
  });

  it('detaching a replaced session does nothing', () => {
    const reg = new SessionRegistry();
    const old = fakeSession(1n, Platform.PC);
    const fresh = fakeSession(1n, Platform.PC);
    reg.attach(old);
    reg.attach(fresh);
    reg.detach(old); // the old connection closes after its kick
    assert.equal(reg.size, 1);
    assert.equal(reg.isOnline(1n), true);
    assert.deepEqual(reg.sessionsOf(1n), [fresh]);
    reg.push([1n], typing(2n));
    assert.equal(fresh.delivered.length, 1);
    assert.equal(old.delivered.length, 0, 'a replaced session gets no pushes');
  });

  it('attaching the same session twice neither kicks it nor counts it twice', () => {
    const reg = new SessionRegistry();
    const s = fakeSession(1n, Platform.PC);
    reg.attach(s);
    assert.equal(reg.attach(s).replaced, undefined);
    assert.deepEqual(s.kicks, []);
    assert.equal(reg.size, 1);
    reg.detach(s);
    assert.equal(reg.size, 0);
  });

  it('push reaches every device of every listed user except skipSessionId', () => {
    const reg = new SessionRegistry();
    const alicePc = fakeSession(1n, Platform.PC);
    const alicePhone = fakeSession(1n, Platform.MOBILE);
    const bobWeb = fakeSession(2n, Platform.WEB);
    const bobPad = fakeSession(2n, Platform.PAD);
    const carol = fakeSession(3n, Platform.PC);
    for (const s of [alicePc, alicePhone, bobWeb, bobPad, carol]) reg.attach(s);

    const event = typing(1n);
    reg.push([1n, 2n, 4n], event, alicePc.sessionId);
    assert.deepEqual(alicePc.delivered, [], 'the sending session is skipped');
    assert.deepEqual(alicePhone.delivered, [event], "the sender's other device gets it");
    assert.deepEqual(bobWeb.delivered, [event]);
    assert.deepEqual(bobPad.delivered, [event]);
    assert.deepEqual(carol.delivered, [], 'users not listed get nothing');

    reg.push([3n, 1n], event);
    assert.equal(alicePc.delivered.length, 1, 'without skipSessionId every device gets it');
    assert.equal(alicePhone.delivered.length, 2);
    assert.equal(carol.delivered.length, 1);
    assert.equal(bobWeb.delivered.length, 1);

    reg.push([], event);
    reg.push([99n], event);
    const total = [alicePc, alicePhone, bobWeb, bobPad, carol].reduce((n, s) => n + s.delivered.length, 0);
    assert.equal(total, 6);
  });

  it('keeps count and membership consistent over random attach/detach sequences', () => {
    const reg = new SessionRegistry();
    const live = new Map<string, FakeSession>();
    const all: FakeSession[] = [];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 2000; step++) {
      if (rand(3) !== 0 || all.length === 0) {
        const s = fakeSession(BigInt(1 + rand(5)), 1 + rand(5));
        const key = `${s.userId}:${s.platform}`;
        const expectReplaced = live.get(key);
        assert.equal(reg.attach(s).replaced, expectReplaced);
        if (expectReplaced !== undefined) assert.equal(expectReplaced.kicks.length, 1);
        live.set(key, s);
        all.push(s);
      } else {
        const s = all[rand(all.length)];
        assert.ok(s !== undefined);
        reg.detach(s);
        const key = `${s.userId}:${s.platform}`;
        if (live.get(key) === s) live.delete(key);
      }
      assert.equal(reg.size, live.size);
    }
    for (let u = 1n; u <= 5n; u++) {
      const expected = [...live.values()].filter((s) => s.userId === u);
      assert.deepEqual(new Set(reg.sessionsOf(u)), new Set(expected));
      assert.equal(reg.isOnline(u), expected.length > 0);
    }
    for (const s of all) assert.ok(s.kicks.length <= 1, 'no session is kicked twice');
  });
});
