import {
  ChatroomInfoSchema,
  ChatroomListRequestSchema,
  ChatroomListResponseSchema,
  ChatroomRefSchema,
  Command,
  ConversationType,
  MembersRequestSchema,
  MembersResponseSchema,
  type ChatroomInfo,
  type ChatroomListResponse,
  type MembersResponse,
} from '@parley/protocol';
import type { Caller } from '../client.js';
import type { PageOptions } from './groups.js';

/** Open channels: anyone may join or leave; history is visible from the join on. */
export class ChatroomsApi {
  constructor(private readonly caller: Caller) {}

  /** Joins (creating a missing room); `joinSeq` says where this user's history starts. */
  join(name: string): Promise<ChatroomInfo> {
    return this.caller.call(Command.CHATROOM_JOIN, ChatroomRefSchema, { name }, ChatroomInfoSchema);
  }

  leave(name: string): Promise<void> {
    return this.caller.callEmpty(Command.CHATROOM_LEAVE, ChatroomRefSchema, { name });
  }

  list(options: { readonly after?: string; readonly limit?: number } = {}): Promise<ChatroomListResponse> {
    return this.caller.call(
      Command.CHATROOM_LIST,
      ChatroomListRequestSchema,
      { after: options.after ?? '', limit: options.limit ?? 100 },
      ChatroomListResponseSchema,
    );
  }

  members(name: string, options: PageOptions = {}): Promise<MembersResponse> {
    return this.caller.call(
      Command.CHATROOM_MEMBERS,
      MembersRequestSchema,
      {
        conversation: { type: ConversationType.CHATROOM, target: name.replace(/^#/, '') },
        afterUserId: options.afterUserId ?? 0n,
        limit: options.limit ?? 100,
      },
      MembersResponseSchema,
    );
  }
}
