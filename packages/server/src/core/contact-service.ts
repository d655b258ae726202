import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '@parley/protocol';
import type { PushPort } from './session.js';
import type { DeviceSession } from './session.js';
import type { Store } from './store.js';
import { ContactState, type ContactRecord, type UserId } from './types.js';

const MAX_NOTE = 200;

/**
 * Friend requests, friends and blocks. A relation is a pair of rows (one per direction) written
 * together; both users' devices hear of every change. Blocking is one-way and independent of
 * friendship: a blocked user cannot message the blocker, and neither sees the other's presence.
 */
export class ContactService {
  constructor(
    private readonly store: Store,
    private readonly push: PushPort,
    private readonly now: () => number = Date.now,
  ) {}

  async request(actor: DeviceSession, peerId: UserId, note: string): Promise<ContactRecord> {
    if (note.length > MAX_NOTE)
      throw new BadRequestError(`a request note has at most ${MAX_NOTE} characters`);
    await this.requirePeer(actor, peerId);
    if (await this.store.isBlocked(peerId, actor.userId))
      throw new ForbiddenError('this user does not accept requests from you');
    const existing = await this.store.getContact(actor.userId, peerId);
    if (existing?.state === ContactState.FRIENDS) throw new ConflictError('already friends');
    // They asked first: a request back is an acceptance.
    if (existing?.state === ContactState.PENDING) return this.accept(actor, peerId);
    return this.put(actor.userId, peerId, ContactState.REQUESTED, ContactState.PENDING, note);
  }

  async accept(actor: DeviceSession, peerId: UserId): Promise<ContactRecord> {
    const existing = await this.store.getContact(actor.userId, peerId);
    if (existing?.state !== ContactState.PENDING) throw new NotFoundError('no request from this user');
    return this.put(actor.userId, peerId, ContactState.FRIENDS, ContactState.FRIENDS, existing.note);
  }

  async decline(actor: DeviceSession, peerId: UserId): Promise<void> {
    const existing = await this.store.getContact(actor.userId, peerId);
    if (existing?.state !== ContactState.PENDING) throw new NotFoundError('no request from this user');
    await this.drop(actor.userId, peerId);
  }

  async remove(actor: DeviceSession, peerId: UserId): Promise<void> {
    if ((await this.store.getContact(actor.userId, peerId)) === undefined)
      throw new NotFoundError('not a contact');
    await this.drop(actor.userId, peerId);
  }

  list(actor: DeviceSession, states: readonly number[]): Promise<ContactRecord[]> {
    const valid = states.filter((s): s is ContactState => Object.values<number>(ContactState).includes(s));
    if (valid.length !== states.length) throw new BadRequestError('unknown contact state');
    return this.store.listContacts(actor.userId, valid.length > 0 ? valid : undefined);
  }

  async block(actor: DeviceSession, peerId: UserId): Promise<void> {
    await this.requirePeer(actor, peerId);
    await this.store.block(actor.userId, peerId, this.now());
  }

  async unblock(actor: DeviceSession, peerId: UserId): Promise<void> {
    await this.store.unblock(actor.userId, peerId);
  }

  listBlocked(actor: DeviceSession): Promise<UserId[]> {
    return this.store.listBlocked(actor.userId);
  }

  private async requirePeer(actor: DeviceSession, peerId: UserId): Promise<void> {
    if (peerId === actor.userId) throw new BadRequestError('that is you');
    if ((await this.store.getUserById(peerId)) === undefined) throw new NotFoundError('no such user');
  }

  private async put(
    a: UserId,
    b: UserId,
    aState: ContactState,
    bState: ContactState,
    note: string,
  ): Promise<ContactRecord> {
    const at = this.now();
    await this.store.putContactPair(a, b, aState, bState, note, at);
    this.push.push([a], { kind: 'contact', peerId: b, state: aState, note, updatedAt: at });
    this.push.push([b], { kind: 'contact', peerId: a, state: bState, note, updatedAt: at });
    return { userId: a, peerId: b, state: aState, note, updatedAt: at };
  }

  private async drop(a: UserId, b: UserId): Promise<void> {
    await this.store.deleteContactPair(a, b);
    const at = this.now();
    this.push.push([a], { kind: 'contact', peerId: b, state: 0, note: '', updatedAt: at });
    this.push.push([b], { kind: 'contact', peerId: a, state: 0, note: '', updatedAt: at });
  }
}
