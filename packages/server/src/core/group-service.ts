import {
  BadRequestError,
  ConversationType,
  ForbiddenError,
  NotFoundError,
  TooLargeError,
} from '@parley/protocol';
import { groupConversationId } from './conversation-id.js';
import { isDisplayText, isMediaUrl } from './text-rules.js';
import type { MemberDirectory } from './member-directory.js';
import { requireMembership } from './membership.js';
import type { DeviceSession } from './session.js';
import type { IdGenerator } from './snowflake.js';
import type { Store } from './store.js';
import type { SystemMessages } from './system-messages.js';
import {
  MemberRole,
  type ConversationId,
  type ConversationPatch,
  type ConversationRecord,
  type MemberRecord,
  type UserId,
} from './types.js';

export interface GroupConfig {
  readonly maxGroupSize: number;
  readonly maxPageSize: number;
}

export interface GroupProfileInput {
  readonly name?: string | undefined;
  readonly avatarUrl?: string | undefined;
  readonly notice?: string | undefined;
  readonly muteAll?: boolean | undefined;
}

const MAX_NAME = 64;
const MAX_NOTICE = 2000;

function checkProfile(input: GroupProfileInput): void {
  if (input.name !== undefined && input.name !== '' && !isDisplayText(input.name, MAX_NAME)) {
    throw new BadRequestError(`group name must be at most ${MAX_NAME} characters without control characters`);
  }
  if (input.notice !== undefined && input.notice.length > MAX_NOTICE) {
    throw new BadRequestError(`group notice must be at most ${MAX_NOTICE} characters`);
  }
  if (input.avatarUrl !== undefined && input.avatarUrl !== '' && !isMediaUrl(input.avatarUrl)) {
    throw new BadRequestError('avatar url must be an http(s) url or a path on this server');
  }
}

function isManager(role: number): boolean {
  return role === MemberRole.OWNER || role === MemberRole.ADMIN;
}

/**
 * Groups (DESIGN §2): closed membership with owner/admin roles. Every change is checked against
 * the actor's role here, applied in the store, and recorded as a SYSTEM message so history and
 * sync carry it. Not-a-member is NOT_FOUND (a group's existence is not public); a role too low is
 * FORBIDDEN; a dismissed group refuses every change with FORBIDDEN.
 */
export class GroupService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly members: MemberDirectory,
    private readonly system: SystemMessages,
    private readonly config: GroupConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async create(
    actor: DeviceSession,
    profile: GroupProfileInput,
    memberIds: readonly UserId[],
  ): Promise<ConversationRecord> {
    checkProfile(profile);
    const others = [...new Set(memberIds)].filter((id) => id !== actor.userId);
    if (others.length + 1 > this.config.maxGroupSize) {
      throw new TooLargeError(`a group has at most ${this.config.maxGroupSize} members`);
    }
    await this.requireUsers(others);
    const groupId = this.ids.next();
    const id = groupConversationId(groupId);
    await this.store.createConversation({
      id,
      type: ConversationType.GROUP,
      createdAt: this.now(),
      members: [
        { userId: actor.userId, role: MemberRole.OWNER },
        ...others.map((userId) => ({ userId, role: MemberRole.MEMBER })),
      ],
      profile: {
        name: profile.name === undefined || profile.name === '' ? `${actor.username}'s group` : profile.name,
        avatarUrl: profile.avatarUrl ?? '',
        notice: profile.notice ?? '',
        ownerId: actor.userId,
        muteAll: profile.muteAll ?? false,
      },
    });
    await this.system.append(id, actor, `${actor.username} created the group`, {
      kind: 'group_created',
      userIds: others,
    });
    return this.info(actor, groupId);
  }

  async info(actor: DeviceSession, groupId: bigint): Promise<ConversationRecord> {
    const id = groupConversationId(groupId);
    await requireMembership(this.store, actor.userId, id);
    const record = await this.store.getConversation(id);
    if (record === undefined) throw new NotFoundError('no such group');
    return record;
  }

  async update(actor: DeviceSession, groupId: bigint, input: GroupProfileInput): Promise<ConversationRecord> {
    checkProfile(input);
    const { id } = await this.requireManager(actor, groupId);
    const patch: { -readonly [K in keyof ConversationPatch]: ConversationPatch[K] } = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.avatarUrl !== undefined) patch.avatarUrl = input.avatarUrl;
    if (input.notice !== undefined) patch.notice = input.notice;
    if (input.muteAll !== undefined) patch.muteAll = input.muteAll;
    const record = await this.store.updateConversation(id, patch);
    await this.system.append(id, actor, `${actor.username} updated the group`, {
      kind: 'group_updated',
      group: {
        groupId: String(groupId),
        name: record.name,
        avatarUrl: record.avatarUrl,
        notice: record.notice,
        muteAll: record.muteAll,
      },
    });
    return record;
  }

  async addMembers(actor: DeviceSession, groupId: bigint, userIds: readonly UserId[]): Promise<UserId[]> {
    const { id, group } = await this.requireManager(actor, groupId);
    const wanted = [...new Set(userIds)];
    if (group.memberCount + wanted.length > this.config.maxGroupSize) {
      throw new TooLargeError(`a group has at most ${this.config.maxGroupSize} members`);
    }
    await this.requireUsers(wanted);
    const added = await this.store.addMembers(
      id,
      wanted.map((userId) => ({ userId, role: MemberRole.MEMBER })),
    );
    this.members.invalidate(id);
    if (added.length > 0) {
      await this.system.append(id, actor, `${actor.username} added ${added.length} member(s)`, {
        kind: 'members_added',
        userIds: added,
      });
    }
    return added;
  }

  async removeMembers(actor: DeviceSession, groupId: bigint, userIds: readonly UserId[]): Promise<UserId[]> {
    const { id, role } = await this.requireManager(actor, groupId);
    const targets = [...new Set(userIds)];
    for (const userId of targets) {
      if (userId === actor.userId) throw new BadRequestError('use GROUP_LEAVE to leave a group');
      const state = await this.store.getConversationState(userId, id);
      if (state === undefined) continue;
      if (state.role === MemberRole.OWNER || (state.role === MemberRole.ADMIN && role !== MemberRole.OWNER)) {
        throw new ForbiddenError('only the owner removes admins, and nobody removes the owner');
      }
    }
    // The event is stored before the removal so the removed members' devices receive it.
    const present = [];
    for (const userId of targets) {
      if ((await this.store.getConversationState(userId, id)) !== undefined) present.push(userId);
    }
    if (present.length === 0) return [];
    await this.system.append(id, actor, `${actor.username} removed ${present.length} member(s)`, {
      kind: 'members_removed',
      userIds: present,
    });
    const removed = await this.store.removeMembers(id, present);
    this.members.invalidate(id);
    return removed;
  }

  async leave(actor: DeviceSession, groupId: bigint): Promise<void> {
    const id = groupConversationId(groupId);
    const state = await requireMembership(this.store, actor.userId, id);
    if (state.role === MemberRole.OWNER) {
      throw new ForbiddenError('the owner must transfer ownership or dismiss the group before leaving');
    }
    const group = await this.requireGroup(id);
    if (!group.dismissed) {
      await this.system.append(id, actor, `${actor.username} left the group`, {
        kind: 'member_left',
        userIds: [actor.userId],
      });
    }
    await this.store.removeMembers(id, [actor.userId]);
    this.members.invalidate(id);
  }

  async transfer(actor: DeviceSession, groupId: bigint, newOwner: UserId): Promise<ConversationRecord> {
    const { id, role } = await this.requireManager(actor, groupId);
    if (role !== MemberRole.OWNER) throw new ForbiddenError('only the owner transfers ownership');
    if (newOwner === actor.userId) throw new BadRequestError('you already own this group');
    if ((await this.store.getConversationState(newOwner, id)) === undefined) {
      throw new NotFoundError('the new owner must be a member');
    }
    await this.store.updateMember(id, newOwner, { role: MemberRole.OWNER });
    await this.store.updateMember(id, actor.userId, { role: MemberRole.ADMIN });
    const record = await this.store.updateConversation(id, { ownerId: newOwner });
    await this.system.append(id, actor, `${actor.username} transferred ownership`, {
      kind: 'owner_transferred',
      userIds: [newOwner],
    });
    return record;
  }

  async dismiss(actor: DeviceSession, groupId: bigint): Promise<void> {
    const { id, role } = await this.requireManager(actor, groupId);
    if (role !== MemberRole.OWNER) throw new ForbiddenError('only the owner dismisses the group');
    await this.system.append(id, actor, `${actor.username} dismissed the group`, { kind: 'group_dismissed' });
    await this.store.updateConversation(id, { dismissed: true });
  }

  async setRole(actor: DeviceSession, groupId: bigint, userId: UserId, role: number): Promise<void> {
    const { id, role: actorRole } = await this.requireManager(actor, groupId);
    if (actorRole !== MemberRole.OWNER) throw new ForbiddenError('only the owner appoints admins');
    if (role !== MemberRole.MEMBER && role !== MemberRole.ADMIN) {
      throw new BadRequestError('role must be 0 (member) or 1 (admin); use GROUP_TRANSFER for the owner');
    }
    if (userId === actor.userId) throw new BadRequestError('the owner keeps the owner role');
    const state = await this.store.getConversationState(userId, id);
    if (state === undefined) throw new NotFoundError('not a member');
    await this.store.updateMember(id, userId, { role });
    await this.system.append(id, actor, `${actor.username} changed a member's role`, {
      kind: 'role_changed',
      userIds: [userId],
      value: BigInt(role),
    });
  }

  async mute(actor: DeviceSession, groupId: bigint, userId: UserId, mutedUntil: number): Promise<void> {
    const { id, role } = await this.requireManager(actor, groupId);
    if (!Number.isSafeInteger(mutedUntil) || mutedUntil < 0) throw new BadRequestError('bad mute time');
    const state = await this.store.getConversationState(userId, id);
    if (state === undefined) throw new NotFoundError('not a member');
    if (state.role === MemberRole.OWNER || (state.role === MemberRole.ADMIN && role !== MemberRole.OWNER)) {
      throw new ForbiddenError('the owner cannot be muted, and only the owner mutes admins');
    }
    await this.store.updateMember(id, userId, { mutedUntil });
    await this.system.append(
      id,
      actor,
      mutedUntil > this.now() ? `${actor.username} muted a member` : `${actor.username} unmuted a member`,
      {
        kind: 'member_muted',
        userIds: [userId],
        value: BigInt(mutedUntil),
      },
    );
  }

  async listMembers(
    actor: DeviceSession,
    id: ConversationId,
    afterUserId: UserId,
    limit: number,
  ): Promise<{ members: MemberRecord[]; hasMore: boolean }> {
    await requireMembership(this.store, actor.userId, id);
    const size = Math.min(Math.max(Math.trunc(limit) || this.config.maxPageSize, 1), this.config.maxPageSize);
    const page = await this.store.listMembers(id, afterUserId, size + 1);
    return { members: page.slice(0, size), hasMore: page.length > size };
  }

  private async requireGroup(id: ConversationId): Promise<ConversationRecord> {
    const group = await this.store.getConversation(id);
    if (group === undefined) throw new NotFoundError('no such group');
    return group;
  }

  /** The actor must be the owner or an admin of a live group. */
  private async requireManager(
    actor: DeviceSession,
    groupId: bigint,
  ): Promise<{ id: ConversationId; group: ConversationRecord; role: MemberRole }> {
    const id = groupConversationId(groupId);
    const state = await requireMembership(this.store, actor.userId, id);
    const group = await this.requireGroup(id);
    if (group.dismissed) throw new ForbiddenError('the group was dismissed');
    if (!isManager(state.role)) throw new ForbiddenError('only the owner or an admin may do this');
    return { id, group, role: state.role };
  }

  private async requireUsers(userIds: readonly UserId[]): Promise<void> {
    const found = new Set(await this.store.existingUserIds(userIds));
    const missing = userIds.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundError(`no user ${missing}`);
  }
}
