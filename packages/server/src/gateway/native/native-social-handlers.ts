import { create } from '@bufbuild/protobuf';
import {
  BlockListResponseSchema,
  Command,
  ContactListRequestSchema,
  ContactListResponseSchema,
  ContactRequestSchema,
  ContactSchema,
  ConversationListRequestSchema,
  ConversationListResponseSchema,
  ConversationSettingsRequestSchema,
  ProfileUpdateRequestSchema,
  SearchRequestSchema,
  SearchResponseSchema,
  UserProfileSchema,
  UserSearchRequestSchema,
  UsersRequestSchema,
  UsersResponseSchema,
  type UserProfile,
} from '@parley/protocol';
import type { ContactRecord, UserRecord } from '../../core/types.js';
import type { Dispatcher, GatewayConnection } from '../dispatcher.js';
import { decode, ref, reply, type NativeReply } from './native-codec.js';
import { entryToWire, messageToWire } from './native-wire.js';

const EMPTY: NativeReply = { body: new Uint8Array(0) };

function profile(user: UserRecord, online = false, lastSeenAt = 0): UserProfile {
  return create(UserProfileSchema, {
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    online,
    lastSeenAt: BigInt(lastSeenAt),
  });
}

function contact(record: ContactRecord) {
  return create(ContactSchema, {
    userId: record.peerId,
    state: record.state,
    note: record.note,
    updatedAt: BigInt(record.updatedAt),
  });
}

/**
 * Native commands for the conversation list, search, profiles, presence and contacts (issue 3).
 * Returns undefined for a command it does not know; core services authorize every call.
 */
export async function handleSocialRequest(
  dispatcher: Dispatcher,
  conn: GatewayConnection,
  command: number,
  body: Uint8Array,
): Promise<NativeReply | undefined> {
  switch (command) {
    case Command.CONVERSATIONS: {
      const session = dispatcher.requireSession(conn);
      const req = decode(ConversationListRequestSchema, body);
      const { entries, totalUnread } = await dispatcher.conversations.list(session, req.limit);
      return reply(
        ConversationListResponseSchema,
        create(ConversationListResponseSchema, {
          conversations: entries.map((e) => entryToWire(e, session.userId)),
          totalUnread: BigInt(totalUnread),
        }),
      );
    }
    case Command.CONVERSATION_SETTINGS: {
      const session = dispatcher.requireSession(conn);
      const req = decode(ConversationSettingsRequestSchema, body);
      await dispatcher.conversations.settings(session, ref(req.conversation), {
        pinned: req.pinned,
        muted: req.muted,
        hide: req.hide,
      });
      return EMPTY;
    }
    case Command.SEARCH: {
      const session = dispatcher.requireSession(conn);
      const req = decode(SearchRequestSchema, body);
      const found = await dispatcher.conversations.search(session, req.query, req.limit, req.beforeId);
      return reply(
        SearchResponseSchema,
        create(SearchResponseSchema, { messages: found.map((m) => messageToWire(m, session.userId)) }),
      );
    }
    case Command.PROFILE_UPDATE: {
      const session = dispatcher.requireSession(conn);
      const req = decode(ProfileUpdateRequestSchema, body);
      const user = await dispatcher.users.updateProfile(session, {
        displayName: req.displayName,
        avatarUrl: req.avatarUrl,
      });
      return reply(UserProfileSchema, profile(user, true));
    }
    case Command.USER_SEARCH: {
      dispatcher.requireSession(conn);
      const req = decode(UserSearchRequestSchema, body);
      const users = await dispatcher.users.search(req.query, req.limit);
      return reply(UsersResponseSchema, create(UsersResponseSchema, { users: users.map((u) => profile(u)) }));
    }
    case Command.USERS_GET: {
      const session = dispatcher.requireSession(conn);
      const req = decode(UsersRequestSchema, body);
      const found = await dispatcher.users.profiles(session, req.userIds);
      return reply(
        UsersResponseSchema,
        create(UsersResponseSchema, { users: found.map((p) => profile(p.user, p.online, p.lastSeenAt)) }),
      );
    }
    case Command.CONTACT_REQUEST: {
      const session = dispatcher.requireSession(conn);
      const req = decode(ContactRequestSchema, body);
      return reply(ContactSchema, contact(await dispatcher.contacts.request(session, req.userId, req.note)));
    }
    case Command.CONTACT_ACCEPT: {
      const session = dispatcher.requireSession(conn);
      const req = decode(ContactRequestSchema, body);
      return reply(ContactSchema, contact(await dispatcher.contacts.accept(session, req.userId)));
    }
    case Command.CONTACT_DECLINE:
    case Command.CONTACT_REMOVE:
    case Command.BLOCK:
    case Command.UNBLOCK: {
      const session = dispatcher.requireSession(conn);
      const { userId } = decode(ContactRequestSchema, body);
      const contacts = dispatcher.contacts;
      if (command === Command.CONTACT_DECLINE) await contacts.decline(session, userId);
      else if (command === Command.CONTACT_REMOVE) await contacts.remove(session, userId);
      else if (command === Command.BLOCK) await contacts.block(session, userId);
      else await contacts.unblock(session, userId);
      return EMPTY;
    }
    case Command.CONTACT_LIST: {
      const session = dispatcher.requireSession(conn);
      const req = decode(ContactListRequestSchema, body);
      const list = await dispatcher.contacts.list(session, req.states);
      return reply(
        ContactListResponseSchema,
        create(ContactListResponseSchema, { contacts: list.map(contact) }),
      );
    }
    case Command.BLOCK_LIST: {
      const session = dispatcher.requireSession(conn);
      const ids = await dispatcher.contacts.listBlocked(session);
      return reply(BlockListResponseSchema, create(BlockListResponseSchema, { userIds: ids }));
    }
    default:
      return undefined;
  }
}
