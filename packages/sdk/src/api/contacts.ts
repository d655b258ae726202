import {
  BlockListResponseSchema,
  Command,
  ContactListRequestSchema,
  ContactListResponseSchema,
  ContactRequestSchema,
  ContactSchema,
  PingSchema,
  type Contact,
} from '@parley/protocol';
import type { Caller } from '../client.js';

/** Contact states as the server reports them. */
export const ContactState = { NONE: 0, REQUESTED: 1, PENDING: 2, FRIENDS: 3 } as const;
export type ContactState = (typeof ContactState)[keyof typeof ContactState];

/** Friend requests and blocking; changes arrive as `contact` events on both sides. */
export class ContactsApi {
  constructor(private readonly caller: Caller) {}

  /** Asks `userId` to be a contact (accepts at once if they asked first). */
  request(userId: bigint, note = ''): Promise<Contact> {
    return this.caller.call(Command.CONTACT_REQUEST, ContactRequestSchema, { userId, note }, ContactSchema);
  }

  accept(userId: bigint): Promise<Contact> {
    return this.caller.call(Command.CONTACT_ACCEPT, ContactRequestSchema, { userId }, ContactSchema);
  }

  decline(userId: bigint): Promise<void> {
    return this.caller.callEmpty(Command.CONTACT_DECLINE, ContactRequestSchema, { userId });
  }

  remove(userId: bigint): Promise<void> {
    return this.caller.callEmpty(Command.CONTACT_REMOVE, ContactRequestSchema, { userId });
  }

  /** Contacts in the given states (all when empty). */
  async list(states: readonly ContactState[] = []): Promise<Contact[]> {
    const res = await this.caller.call(
      Command.CONTACT_LIST,
      ContactListRequestSchema,
      { states: [...states] },
      ContactListResponseSchema,
    );
    return res.contacts;
  }

  block(userId: bigint): Promise<void> {
    return this.caller.callEmpty(Command.BLOCK, ContactRequestSchema, { userId });
  }

  unblock(userId: bigint): Promise<void> {
    return this.caller.callEmpty(Command.UNBLOCK, ContactRequestSchema, { userId });
  }

  /** The users this user blocks. */
  async blocked(): Promise<bigint[]> {
    const res = await this.caller.call(Command.BLOCK_LIST, PingSchema, {}, BlockListResponseSchema);
    return res.userIds;
  }
}
