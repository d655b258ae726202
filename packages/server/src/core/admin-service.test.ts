import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BadRequestError, KickReason, NotFoundError } from '@parley/protocol';
import { SqliteStore } from '../store/sqlite-store.js';
import { AdminService } from './admin-service.js';
import { SessionRegistry } from './session-registry.js';
import { recordingSession } from './recording-session.js';
import { PERMANENT, UserRestrictions } from './user-restrictions.js';

describe('AdminService', () => {
  const store = new SqliteStore({ path: ':memory:' });
  const sessions = new SessionRegistry();
  const admin = new AdminService(store, sessions, new UserRestrictions(store));
  before(async () => {
    await store.migrate();
    for (const [id, name] of [
      [1n, 'ann'],
      [2n, 'ben'],
    ] as const) {
      await store.createUser({ id, username: name, displayName: name, passwordHash: 'x', createdAt: 1 });
    }
    await store.ensureConversation({
      id: 's:1:2',
      type: 0,
      createdAt: 1,
      members: [
        { userId: 1n, role: 0 },
        { userId: 2n, role: 0 },
      ],
    });
  });
  after(async () => {
    await store.close();
  });

  it("bans: every device of the user is kicked with reason BANNED, nobody else's", async () => {
    const watcher = recordingSession(1, 1n, 1);
    sessions.attach(watcher);
    const banned = recordingSession(2, 2n, 1);
    sessions.attach(banned);
    const user = await admin.ban(2n, { permanent: true });
    assert.equal(user.bannedUntil, PERMANENT);
    assert.deepEqual(
      banned.kicks.map((k) => k.reason),
      [KickReason.BANNED],
    );
    assert.match(banned.kicks[0]?.text ?? '', /banned by an admin until further notice/);
    assert.deepEqual(watcher.kicks, []);
    sessions.detach(banned);
    sessions.detach(watcher);
  });

  it('refuses a past time and an unknown user; unban and unmute lift', async () => {
    await assert.rejects(admin.mute(2n, { until: Date.now() - 1 }), BadRequestError);
    await assert.rejects(admin.ban(99n, { permanent: true }), NotFoundError);
    const muted = await admin.mute(2n, { until: Date.now() + 60_000 });
    assert.ok(muted.mutedUntil > Date.now());
    assert.equal((await admin.unmute(2n)).mutedUntil, 0);
    assert.equal((await admin.unban(2n)).bannedUntil, 0);
    const totals = await admin.totals();
    assert.deepEqual([totals.users, totals.conversations.single], [2, 1]);
  });
});
