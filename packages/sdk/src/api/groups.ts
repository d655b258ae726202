import {
  Command,
  ConversationType,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  GroupMemberChangeSchema,
  GroupMembersRequestSchema,
  GroupMembersResultSchema,
  GroupRefSchema,
  GroupUpdateRequestSchema,
  MembersRequestSchema,
  MembersResponseSchema,
  type GroupInfo,
  type MembersResponse,
} from '@parley/protocol';
import type { Caller } from '../client.js';

/** Member roles in a group. */
export const GroupRole = { MEMBER: 0, ADMIN: 1, OWNER: 2 } as const;
export type GroupRole = (typeof GroupRole)[keyof typeof GroupRole];

export interface GroupCreateOptions {
  readonly name: string;
  readonly avatarUrl?: string;
  readonly notice?: string;
  /** Initial members besides the creator (who becomes the owner). */
  readonly memberIds?: readonly bigint[];
}

export interface GroupUpdate {
  readonly name?: string;
  readonly avatarUrl?: string;
  readonly notice?: string;
  readonly muteAll?: boolean;
}

export interface PageOptions {
  readonly afterUserId?: bigint;
  readonly limit?: number;
}

/** Closed groups: owner/admin roles; every change arrives to members as a `group` event. */
export class GroupsApi {
  constructor(private readonly caller: Caller) {}

  create(options: GroupCreateOptions): Promise<GroupInfo> {
    return this.caller.call(
      Command.GROUP_CREATE,
      GroupCreateRequestSchema,
      {
        name: options.name,
        avatarUrl: options.avatarUrl ?? '',
        notice: options.notice ?? '',
        memberIds: [...(options.memberIds ?? [])],
      },
      GroupInfoSchema,
    );
  }

  /** Changes only the given fields (owner/admin). */
  update(groupId: string, changes: GroupUpdate): Promise<GroupInfo> {
    return this.caller.call(
      Command.GROUP_UPDATE,
      GroupUpdateRequestSchema,
      { groupId, ...changes },
      GroupInfoSchema,
    );
  }

  /** Returns the users actually added. */
  async addMembers(groupId: string, userIds: readonly bigint[]): Promise<bigint[]> {
    const res = await this.caller.call(
      Command.GROUP_ADD,
      GroupMembersRequestSchema,
      { groupId, userIds: [...userIds] },
      GroupMembersResultSchema,
    );
    return res.userIds;
  }

  /** Returns the users actually removed (removing a non-member is not an error). */
  async removeMembers(groupId: string, userIds: readonly bigint[]): Promise<bigint[]> {
    const res = await this.caller.call(
      Command.GROUP_REMOVE,
      GroupMembersRequestSchema,
      { groupId, userIds: [...userIds] },
      GroupMembersResultSchema,
    );
    return res.userIds;
  }

  leave(groupId: string): Promise<void> {
    return this.caller.callEmpty(Command.GROUP_LEAVE, GroupRefSchema, { groupId });
  }

  /** Makes `userId` the owner; the old owner becomes an admin. */
  transfer(groupId: string, userId: bigint): Promise<GroupInfo> {
    return this.caller.call(
      Command.GROUP_TRANSFER,
      GroupMemberChangeSchema,
      { groupId, userId },
      GroupInfoSchema,
    );
  }

  dismiss(groupId: string): Promise<void> {
    return this.caller.callEmpty(Command.GROUP_DISMISS, GroupRefSchema, { groupId });
  }

  /** Owner only: member or admin. */
  setRole(
    groupId: string,
    userId: bigint,
    role: typeof GroupRole.MEMBER | typeof GroupRole.ADMIN,
  ): Promise<void> {
    return this.caller.callEmpty(Command.GROUP_SET_ROLE, GroupMemberChangeSchema, {
      groupId,
      userId,
      value: BigInt(role),
    });
  }

  /** Mutes a member until `until` (ms since the epoch); 0 unmutes. */
  mute(groupId: string, userId: bigint, until: number): Promise<void> {
    return this.caller.callEmpty(Command.GROUP_MUTE, GroupMemberChangeSchema, {
      groupId,
      userId,
      value: BigInt(until),
    });
  }

  members(groupId: string, options: PageOptions = {}): Promise<MembersResponse> {
    return this.caller.call(
      Command.GROUP_MEMBERS,
      MembersRequestSchema,
      {
        conversation: { type: ConversationType.GROUP, target: groupId },
        afterUserId: options.afterUserId ?? 0n,
        limit: options.limit ?? 100,
      },
      MembersResponseSchema,
    );
  }

  info(groupId: string): Promise<GroupInfo> {
    return this.caller.call(Command.GROUP_INFO, GroupRefSchema, { groupId }, GroupInfoSchema);
  }
}
