import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ForbiddenError } from '@parley/protocol';
import { SqliteStore } from '../store/sqlite-store.js';
import { PERMANENT, UserRestrictions, untilText } from './user-restrictions.js';

describe('UserRestrictions', () => {
  const store = new SqliteStore({ path: ':memory:' });
  let clock = 1_000_000;
  const now = () => clock;
  before(async () => {
    await store.migrate();
    await store.createUser({ id: 7n, username: 'gil', displayName: 'gil', passwordHash: 'x', createdAt: 1 });
  });
  after(async () => {
    await store.close();
  });

  it('reads the store once, then answers from memory until the TTL runs out', async () => {
    const restrictions = new UserRestrictions(store, now, 2000);
    const first = restrictions.checkSend(7n);
    assert.ok(first instanceof Promise, 'the first check reads the store');
    await first;
    assert.equal(restrictions.checkSend(7n), undefined, 'then a map look-up');
    // Muted elsewhere (another node): this node follows once its copy is older than the TTL.
    await store.restrictUser(7n, { mutedUntil: clock + 60_000 });
    assert.equal(restrictions.checkSend(7n), undefined, 'still the old copy');
    clock += 2000;
    await assert.rejects(restrictions.checkSend(7n) ?? Promise.resolve(), ForbiddenError);
    assert.throws(() => restrictions.checkSend(7n), /muted by an admin until/);
    // Lifted on this node: forgotten at once.
    await store.restrictUser(7n, { mutedUntil: 0 });
    restrictions.forget(7n);
    await restrictions.checkSend(7n);
    assert.equal(restrictions.checkSend(7n), undefined);
  });

  it('lets a mute run out at its time, and nobody mutes a guest', async () => {
    const restrictions = new UserRestrictions(store, now, 60_000);
    await store.restrictUser(7n, { mutedUntil: clock + 500 });
    await assert.rejects(restrictions.checkSend(7n) ?? Promise.resolve(), ForbiddenError);
    clock += 500;
    assert.equal(restrictions.checkSend(7n), undefined, 'ran out, from the cached time');
    await restrictions.checkSend(424242n);
    assert.equal(restrictions.checkSend(424242n), undefined);
  });

  it('does not keep a read that a mute on this node overtook', async () => {
    await store.createUser({ id: 8n, username: 'hal', displayName: 'hal', passwordHash: 'x', createdAt: 1 });
    const restrictions = new UserRestrictions(store, now, 60_000);
    const before = restrictions.checkSend(8n);
    const shared = restrictions.checkSend(8n);
    assert.ok(before instanceof Promise && shared instanceof Promise);
    // Muted while that read is in flight (as AdminService.mute does: store, then forget).
    await store.restrictUser(8n, { mutedUntil: clock + 60_000 });
    restrictions.forget(8n);
    await Promise.allSettled([before, shared]);
    await assert.rejects(restrictions.checkSend(8n) ?? Promise.resolve(), ForbiddenError);
    assert.throws(() => restrictions.checkSend(8n), ForbiddenError);
  });

  it('writes a mute without end as "further notice"', () => {
    assert.equal(untilText(PERMANENT), 'further notice');
    assert.equal(untilText(0), '1970-01-01T00:00:00.000Z');
  });
});
