/**
 * Row shapes, column lists and row mappers shared by SqliteStore and PostgresStore. Both schemas
 * use the same column names, so one set of mappers serves both drivers: better-sqlite3 (safe
 * integers) reads every INTEGER as bigint, pg reads bigint as a decimal string, integer as a
 * number and boolean as a boolean. Ids are converted with BigInt (exact), counts, seqs and times
 * with Number.
 */
import { BadRequestError, ConversationType, InternalError, isConversationType } from '@parley/protocol';
import {
  ContactState,
  MemberRole,
  type ContactRecord,
  type ConversationProfile,
  type ConversationRecord,
  type ConversationState,
  type MemberRecord,
  type MembershipSettings,
  type NewMember,
  type NewMessage,
  type StoredMessage,
  type StoreTotals,
  type TokenRecord,
  type UserId,
  type UserRecord,
} from '../core/types.js';

/** An integer column as either driver returns it. */
export type Int = bigint | string | number;
/** A boolean column: PostgreSQL boolean, or SQLite INTEGER 0/1. */
export type Flag = boolean | Int;

export interface UserRow {
  id: Int;
  username: string;
  display_name: string;
  avatar_url: string;
  password_hash: string;
  created_at: Int;
  last_seen_at: Int;
  banned_until: Int;
  muted_until: Int;
}

export interface TokenRow {
  token_hash: string;
  user_id: Int;
  device_id: string;
  platform: Int;
  created_at: Int;
  expires_at: Int;
  revoked_at: Int | null;
}

export interface ConversationRow {
  id: string;
  type: Int;
  max_seq: Int;
  created_at: Int;
  name: string;
  avatar_url: string;
  notice: string;
  owner_id: Int | null;
  dismissed: Flag;
  mute_all: Flag;
  member_count: Int;
}

export interface StateRow {
  conversation_id: string;
  type: Int;
  max_seq: Int;
  join_seq: Int;
  read_seq: Int;
  role: Int;
  muted_until: Int;
  mention_seq: Int;
  pinned: Flag;
  muted: Flag;
  hidden_seq: Int;
}

export interface MemberRow {
  user_id: Int;
  role: Int;
  join_seq: Int;
  read_seq: Int;
  muted_until: Int;
}

export interface MessageRow {
  id: Int;
  conversation_id: string;
  seq: Int;
  sender_id: Int;
  sender_device: string;
  client_msg_id: string;
  content_type: Int;
  /** Buffer from both drivers; any Uint8Array will do. */
  content: Uint8Array;
  search_text: string;
  server_time: Int;
  flags: Int;
}

export interface ContactRow {
  user_id: Int;
  peer_id: Int;
  state: Int;
  note: string;
  updated_at: Int;
}

export const USER_COLUMNS =
  'id, username, display_name, avatar_url, password_hash, created_at, last_seen_at, banned_until, muted_until';
export const CONTACT_COLUMNS = 'user_id, peer_id, state, note, updated_at';
export const TOKEN_COLUMNS = 'token_hash, user_id, device_id, platform, created_at, expires_at, revoked_at';
export const CONVERSATION_COLUMNS =
  'id, type, max_seq, created_at, name, avatar_url, notice, owner_id, dismissed, mute_all, member_count';
export const MEMBER_COLUMNS = 'user_id, role, join_seq, read_seq, muted_until';
export const MESSAGE_COLUMNS =
  'id, conversation_id, seq, sender_id, sender_device, client_msg_id, content_type, content, search_text, server_time, flags';
export const STATE_SELECT = `
  SELECT c.id AS conversation_id, c.type, c.max_seq, m.join_seq, m.read_seq, m.role, m.muted_until,
         m.mention_seq, m.pinned, m.muted, m.hidden_seq
  FROM memberships m JOIN conversations c ON c.id = m.conversation_id`;

/** Case-insensitive uniqueness: both stores must derive the same key. */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** Negative or fractional values are caller bugs; SQLite would read a negative LIMIT as "all". */
export function checkPage(fromSeq: number, limit: number): void {
  checkSeq(fromSeq, 'fromSeq');
  checkLimit(limit);
}

export function checkSeq(seq: number, what = 'seq'): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new BadRequestError(`bad ${what} ${seq}`);
}

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new BadRequestError(`bad limit ${limit}`);
}

const memberRoles: ReadonlySet<number> = new Set(Object.values(MemberRole));

export function isMemberRole(value: number): value is MemberRole {
  return memberRoles.has(value);
}

export function checkRole(role: number): void {
  if (!isMemberRole(role)) throw new BadRequestError(`bad member role ${role}`);
}

export function checkMutedUntil(mutedUntil: number): void {
  if (!Number.isSafeInteger(mutedUntil) || mutedUntil < 0) {
    throw new BadRequestError(`bad mutedUntil ${mutedUntil}`);
  }
}

/** Milliseconds since the epoch. */
export function checkTime(at: number, what: string): void {
  if (!Number.isSafeInteger(at) || at < 0) throw new BadRequestError(`bad ${what} ${at}`);
}

const contactStates: ReadonlySet<number> = new Set(Object.values(ContactState));

export function isContactState(value: number): value is ContactState {
  return contactStates.has(value);
}

export function checkContactState(state: number): void {
  if (!isContactState(state)) throw new BadRequestError(`bad contact state ${state}`);
}

/** A contact pair needs two distinct users. */
export function checkContactPair(a: UserId, b: UserId, aState: number, bState: number, at: number): void {
  if (a === b) throw new BadRequestError(`user ${a} cannot be their own contact`);
  checkContactState(aState);
  checkContactState(bState);
  checkTime(at, 'time');
}

export function checkSettings(settings: MembershipSettings): void {
  if (settings.hiddenSeq !== undefined) checkSeq(settings.hiddenSeq, 'hiddenSeq');
}

/**
 * The FTS5 query for plain user input: every whitespace-separated token becomes a quoted FTS5
 * string (an embedded `"` doubled), so operators, parentheses, `*`, `-` and column filters are
 * just text; juxtaposed strings must all match. '' when the input has no tokens.
 */
export function ftsQuery(input: string): string {
  return input
    .split(/\s+/u)
    .filter((token) => token !== '')
    .map((token) => `"${token.replaceAll('"', '""')}"`)
    .join(' ');
}

/**
 * Validates the members of one call and drops repeated user ids (the first occurrence wins), so
 * a store inserts each user at most once.
 */
export function distinctMembers(members: readonly NewMember[]): NewMember[] {
  const byId = new Map<UserId, NewMember>();
  for (const m of members) {
    checkRole(m.role);
    if (!byId.has(m.userId)) byId.set(m.userId, m);
  }
  return [...byId.values()];
}

export function distinctIds(ids: readonly UserId[]): UserId[] {
  return [...new Set(ids)];
}

/** A complete profile: the given fields over the defaults. */
export function fullProfile(profile: Partial<ConversationProfile> | undefined): ConversationProfile {
  return {
    name: profile?.name ?? '',
    avatarUrl: profile?.avatarUrl ?? '',
    notice: profile?.notice ?? '',
    ownerId: profile?.ownerId ?? null,
    dismissed: profile?.dismissed ?? false,
    muteAll: profile?.muteAll ?? false,
  };
}

export function stored(m: NewMessage, seq: number): StoredMessage {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq,
    senderId: m.senderId,
    senderDevice: m.senderDevice,
    clientMsgId: m.clientMsgId,
    contentType: m.contentType,
    content: m.content,
    searchText: m.searchText,
    serverTime: m.serverTime,
    flags: 0,
  };
}

export function optional<R, T>(row: R | undefined, map: (row: R) => T): T | undefined {
  return row === undefined ? undefined : map(row);
}

export function conversationType(value: Int): ConversationType {
  const n = Number(value);
  if (!isConversationType(n)) throw new InternalError(`stored conversation type ${n} is unknown`);
  return n;
}

export function memberRole(value: Int): MemberRole {
  const n = Number(value);
  if (!isMemberRole(n)) throw new InternalError(`stored member role ${n} is unknown`);
  return n;
}

function flag(value: Flag): boolean {
  return typeof value === 'boolean' ? value : Number(value) !== 0;
}

export function toUser(r: UserRow): UserRecord {
  return {
    id: BigInt(r.id),
    username: r.username,
    displayName: r.display_name,
    avatarUrl: r.avatar_url,
    passwordHash: r.password_hash,
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    bannedUntil: Number(r.banned_until),
    mutedUntil: Number(r.muted_until),
  };
}

export function toContact(r: ContactRow): ContactRecord {
  const state = Number(r.state);
  if (!isContactState(state)) throw new InternalError(`stored contact state ${state} is unknown`);
  return {
    userId: BigInt(r.user_id),
    peerId: BigInt(r.peer_id),
    state,
    note: r.note,
    updatedAt: Number(r.updated_at),
  };
}

export function toToken(r: TokenRow): TokenRecord {
  return {
    tokenHash: r.token_hash,
    userId: BigInt(r.user_id),
    deviceId: r.device_id,
    platform: Number(r.platform),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

export function toConversation(r: ConversationRow): ConversationRecord {
  return {
    id: r.id,
    type: conversationType(r.type),
    maxSeq: Number(r.max_seq),
    createdAt: Number(r.created_at),
    name: r.name,
    avatarUrl: r.avatar_url,
    notice: r.notice,
    ownerId: r.owner_id === null ? null : BigInt(r.owner_id),
    dismissed: flag(r.dismissed),
    muteAll: flag(r.mute_all),
    memberCount: Number(r.member_count),
  };
}

export function toState(r: StateRow): ConversationState {
  return {
    conversationId: r.conversation_id,
    type: conversationType(r.type),
    maxSeq: Number(r.max_seq),
    readSeq: Number(r.read_seq),
    joinSeq: Number(r.join_seq),
    role: memberRole(r.role),
    mutedUntil: Number(r.muted_until),
    mentionSeq: Number(r.mention_seq),
    pinned: flag(r.pinned),
    muted: flag(r.muted),
    hiddenSeq: Number(r.hidden_seq),
  };
}

export function toMember(r: MemberRow): MemberRecord {
  return {
    userId: BigInt(r.user_id),
    role: memberRole(r.role),
    joinSeq: Number(r.join_seq),
    readSeq: Number(r.read_seq),
    mutedUntil: Number(r.muted_until),
  };
}

export function toMessage(r: MessageRow): StoredMessage {
  return {
    id: BigInt(r.id),
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: BigInt(r.sender_id),
    senderDevice: r.sender_device,
    clientMsgId: r.client_msg_id,
    contentType: Number(r.content_type),
    // A plain Uint8Array view (no copy), so callers comparing bytes never meet Buffer semantics.
    content: new Uint8Array(r.content.buffer, r.content.byteOffset, r.content.byteLength),
    searchText: r.search_text,
    serverTime: Number(r.server_time),
    flags: Number(r.flags),
  };
}

/** One row of `SELECT type, count(*) AS n, sum(max_seq) AS messages FROM conversations GROUP BY type`. */
export interface ConversationTotalsRow {
  type: Int;
  n: Int;
  messages: Int | null;
}

/** Store totals from the user count and the conversation totals by type. */
export function toTotals(users: Int, rows: readonly ConversationTotalsRow[]): StoreTotals {
  const byType = new Map(rows.map((r) => [Number(r.type), r]));
  const count = (type: number) => Number(byType.get(type)?.n ?? 0);
  let messages = 0;
  for (const r of rows) messages += Number(r.messages ?? 0);
  return {
    users: Number(users),
    conversations: {
      single: count(ConversationType.SINGLE),
      group: count(ConversationType.GROUP),
      chatroom: count(ConversationType.CHATROOM),
    },
    messages,
  };
}
