import { create } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ChangeResultSchema,
  ChatroomListRequestSchema,
  ChatroomListResponseSchema,
  ChatroomRefSchema,
  ChatroomInfoSchema,
  Command,
  ConversationType,
  EditRequestSchema,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  GroupMemberChangeSchema,
  GroupMembersRequestSchema,
  GroupMembersResultSchema,
  GroupRefSchema,
  GroupUpdateRequestSchema,
  MembersRequestSchema,
  MembersResponseSchema,
  ReadCountsRequestSchema,
  ReadCountsResponseSchema,
  ReadRequestSchema,
  ReadResponseSchema,
  RecallRequestSchema,
  type GroupInfo,
} from '@parley/protocol';
import { conversationIdFor, parseUserId } from '../../core/conversation-id.js';
import type { ConversationRecord } from '../../core/types.js';
import type { Dispatcher, GatewayConnection } from '../dispatcher.js';
import { decode, reply, ref, seqNumber, type NativeReply } from './native-codec.js';

const EMPTY: NativeReply = { body: new Uint8Array(0) };

export function groupInfo(record: ConversationRecord): GroupInfo {
  return create(GroupInfoSchema, {
    groupId: record.id.slice(2),
    name: record.name,
    avatarUrl: record.avatarUrl,
    notice: record.notice,
    ownerId: record.ownerId ?? 0n,
    memberCount: record.memberCount,
    muteAll: record.muteAll,
    dismissed: record.dismissed,
    maxSeq: BigInt(record.maxSeq),
  });
}

function groupId(text: string): bigint {
  return parseUserId(text);
}

/**
 * Native commands for groups, chatrooms, recall, edit and read receipts (issue 3). Returns
 * undefined for a command it does not know. Every call goes through a core service, which
 * authorizes it; this file only translates.
 */
export async function handleFeatureRequest(
  dispatcher: Dispatcher,
  conn: GatewayConnection,
  command: number,
  body: Uint8Array,
): Promise<NativeReply | undefined> {
  switch (command) {
    case Command.GROUP_CREATE: {
      const session = dispatcher.requireSession(conn);
      const req = decode(GroupCreateRequestSchema, body);
      const record = await dispatcher.groups.create(
        session,
        { name: req.name, avatarUrl: req.avatarUrl, notice: req.notice },
        req.memberIds,
      );
      return reply(GroupInfoSchema, groupInfo(record));
    }
    case Command.GROUP_UPDATE: {
      const session = dispatcher.requireSession(conn);
      const req = decode(GroupUpdateRequestSchema, body);
      const record = await dispatcher.groups.update(session, groupId(req.groupId), {
        name: req.name,
        avatarUrl: req.avatarUrl,
        notice: req.notice,
        muteAll: req.muteAll,
      });
      return reply(GroupInfoSchema, groupInfo(record));
    }
    case Command.GROUP_INFO: {
      const session = dispatcher.requireSession(conn);
      const req = decode(GroupRefSchema, body);
      return reply(GroupInfoSchema, groupInfo(await dispatcher.groups.info(session, groupId(req.groupId))));
    }
    case Command.GROUP_ADD:
    case Command.GROUP_REMOVE: {
      const session = dispatcher.requireSession(conn);
      const req = decode(GroupMembersRequestSchema, body);
      const changed =
        command === Command.GROUP_ADD
          ? await dispatcher.groups.addMembers(session, groupId(req.groupId), req.userIds)
          : await dispatcher.groups.removeMembers(session, groupId(req.groupId), req.userIds);
      return reply(GroupMembersResultSchema, create(GroupMembersResultSchema, { userIds: changed }));
    }
    case Command.GROUP_LEAVE: {
      const session = dispatcher.requireSession(conn);
      await dispatcher.groups.leave(session, groupId(decode(GroupRefSchema, body).groupId));
      return EMPTY;
    }
    case Command.GROUP_DISMISS: {
      const session = dispatcher.requireSession(conn);
      await dispatcher.groups.dismiss(session, groupId(decode(GroupRefSchema, body).groupId));
      return EMPTY;
    }
    case Command.GROUP_TRANSFER: {
      const session = dispatcher.requireSession(conn);
      const req = decode(GroupMemberChangeSchema, body);
      const record = await dispatcher.groups.transfer(session, groupId(req.groupId), req.userId);
      return reply(GroupInfoSchema, groupInfo(record));
    }
    case Command.GROUP_SET_ROLE: {
      const session = dispatcher.requireSession(conn);
      const req = decode(GroupMemberChangeSchema, body);
      await dispatcher.groups.setRole(session, groupId(req.groupId), req.userId, Number(req.value));
      return EMPTY;
    }
    case Command.GROUP_MUTE: {
      const session = dispatcher.requireSession(conn);
      const req = decode(GroupMemberChangeSchema, body);
      await dispatcher.groups.mute(session, groupId(req.groupId), req.userId, Number(req.value));
      return EMPTY;
    }
    case Command.GROUP_MEMBERS:
    case Command.CHATROOM_MEMBERS: {
      const session = dispatcher.requireSession(conn);
      const req = decode(MembersRequestSchema, body);
      const conversation = ref(req.conversation);
      const wanted = command === Command.GROUP_MEMBERS ? ConversationType.GROUP : ConversationType.CHATROOM;
      if (conversation.type !== wanted) throw new BadRequestError('wrong conversation type for this command');
      const id = conversationIdFor(session.userId, conversation);
      const page = await dispatcher.groups.listMembers(session, id, req.afterUserId, req.limit);
      return reply(
        MembersResponseSchema,
        create(MembersResponseSchema, {
          members: page.members.map((m) => ({
            userId: m.userId,
            role: m.role,
            mutedUntil: BigInt(m.mutedUntil),
            joinSeq: BigInt(m.joinSeq),
          })),
          hasMore: page.hasMore,
        }),
      );
    }
    case Command.CHATROOM_JOIN: {
      const session = dispatcher.requireSession(conn);
      const { room, state } = await dispatcher.chatrooms.join(session, decode(ChatroomRefSchema, body).name);
      return reply(
        ChatroomInfoSchema,
        create(ChatroomInfoSchema, {
          name: room.name,
          memberCount: room.memberCount,
          maxSeq: BigInt(room.maxSeq),
          joinSeq: BigInt(state.joinSeq),
        }),
      );
    }
    case Command.CHATROOM_LEAVE: {
      const session = dispatcher.requireSession(conn);
      await dispatcher.chatrooms.leave(session, decode(ChatroomRefSchema, body).name);
      return EMPTY;
    }
    case Command.CHATROOM_LIST: {
      dispatcher.requireSession(conn);
      const req = decode(ChatroomListRequestSchema, body);
      const page = await dispatcher.chatrooms.list(req.after, req.limit);
      return reply(
        ChatroomListResponseSchema,
        create(ChatroomListResponseSchema, {
          rooms: page.rooms.map((r) => ({
            name: r.name,
            memberCount: r.memberCount,
            maxSeq: BigInt(r.maxSeq),
          })),
          hasMore: page.hasMore,
        }),
      );
    }
    case Command.MR: {
      const session = dispatcher.requireSession(conn);
      const req = decode(RecallRequestSchema, body);
      const outcome = await dispatcher.changes.recall(
        session,
        ref(req.conversation),
        seqNumber(req.seq),
        req.messageId,
      );
      return reply(
        ChangeResultSchema,
        create(ChangeResultSchema, { seq: BigInt(outcome.seq), eventSeq: BigInt(outcome.eventSeq) }),
      );
    }
    case Command.EDIT: {
      const session = dispatcher.requireSession(conn);
      const req = decode(EditRequestSchema, body);
      const outcome = await dispatcher.changes.edit(
        session,
        ref(req.conversation),
        seqNumber(req.seq),
        req.messageContent,
      );
      return reply(
        ChangeResultSchema,
        create(ChangeResultSchema, { seq: BigInt(outcome.seq), eventSeq: BigInt(outcome.eventSeq) }),
      );
    }
    case Command.READ: {
      const session = dispatcher.requireSession(conn);
      const req = decode(ReadRequestSchema, body);
      const result = await dispatcher.messages.markRead(session, ref(req.conversation), seqNumber(req.seq));
      return reply(
        ReadResponseSchema,
        create(ReadResponseSchema, { readSeq: BigInt(result.readSeq), unread: BigInt(result.unread) }),
      );
    }
    case Command.READ_COUNTS: {
      const session = dispatcher.requireSession(conn);
      const req = decode(ReadCountsRequestSchema, body);
      const counts = await dispatcher.messages.readCounts(
        session,
        ref(req.conversation),
        req.seqs.map(seqNumber),
      );
      return reply(ReadCountsResponseSchema, create(ReadCountsResponseSchema, { seqs: req.seqs, counts }));
    }
    default:
      return undefined;
  }
}
