import {
  BadRequestError,
  ConflictError,
  ContentType,
  ConversationType,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  type MessageContent,
} from '@parley/protocol';
import { validateContent, type ContentLimits, type ValidContent } from './content.js';
import { conversationIdFor, parseUserId, type ConversationRef } from './conversation-id.js';
import type { Fanout } from './fanout.js';
import type { MemberDirectory } from './member-directory.js';
import type { MessageObserver } from './message-observer.js';
import type { RateLimits } from './rate-limits.js';
import type { UserRestrictions } from './user-restrictions.js';
import type { DeviceSession, PushPort } from './session.js';
import type { IdGenerator } from './snowflake.js';
import { requireMembership } from './membership.js';
import type { Store } from './store.js';
import {
  MemberRole,
  PullDirection,
  type AppendResult,
  type ConversationId,
  type ConversationState,
  type StoredMessage,
  type UserId,
} from './types.js';

/** Typing is best effort and cheap to abuse: one signal per session per interval. */
const TYPING_MIN_INTERVAL_MS = 300;
const MAX_MENTIONS = 100;

/** The seed's mentionedType: 0 nobody, 1 the listed targets, 2 everyone. */
export const MentionType = { NONE: 0, USERS: 1, ALL: 2 } as const;

/** Who a group message flags: listed user ids, or everyone (owner and admins only). */
export function mentionsOf(
  content: MessageContent,
  conversationType: number,
  manager: boolean,
): { mentions?: UserId[]; mentionAll?: boolean } {
  if (conversationType !== ConversationType.GROUP || content.mentionedType === MentionType.NONE) return {};
  if (content.mentionedType === MentionType.ALL) {
    if (!manager) throw new ForbiddenError('only the owner and admins may mention everyone');
    return { mentionAll: true };
  }
  if (content.mentionedType !== MentionType.USERS) throw new BadRequestError('unknown mentionedType');
  if (content.mentionedTargets.length > MAX_MENTIONS)
    throw new BadRequestError(`at most ${MAX_MENTIONS} mentions`);
  return { mentions: content.mentionedTargets.map(parseUserId) };
}

export interface MessageConfig {
  readonly content: ContentLimits;
  readonly maxPullLimit: number;
  /** Told of every stored message (media references, metrics). */
  readonly observer?: MessageObserver | undefined;
  /** Per-connection and per-user message limits (RATE_LIMITED past them); none when absent. */
  readonly rateLimits?: Pick<RateLimits, 'message'> | undefined;
  /** An admin's mute (DESIGN §8); nobody is muted when absent. */
  readonly restrictions?: Pick<UserRestrictions, 'checkSend'> | undefined;
}

export interface SendInput {
  readonly conversation: ConversationRef;
  readonly clientMsgId: string;
  readonly content: MessageContent | undefined;
  /** `content` exactly as the client encoded it, if the dialect has it (see validateContent). */
  readonly contentBytes?: Uint8Array | undefined;
}

export interface SendOutcome {
  /** Undefined for transient content (typing), which is never stored. */
  readonly result: AppendResult | undefined;
}

export interface PullInput {
  readonly conversation: ConversationRef;
  readonly fromSeq: number;
  readonly limit: number;
  readonly direction: PullDirection;
}

export interface PullOutcome {
  readonly messages: StoredMessage[];
  readonly hasMore: boolean;
  readonly maxSeq: number;
}

export interface SyncCursor {
  readonly conversation: ConversationRef;
  readonly seq: number;
}

/** A send's place in its session's order of appends. */
interface AppendTurn {
  /** Resolves when this send may append. */
  wait(): Promise<void>;
  /** Lets the next send of the session append. */
  pass(): void;
}

const CLIENT_MSG_ID = /^[\x21-\x7e]{1,64}$/;
/** Bounded memory of conversations known to exist, to skip ensureConversation on the hot path. */
const KNOWN_CONVERSATIONS_MAX = 100_000;

/**
 * Send, pull and sync (DESIGN §3): the sender is always the session's user; the ack follows the
 * commit; the push to every other online device of every member follows the ack's commit.
 */
export class MessageService {
  private readonly known = new Set<ConversationId>();
  private readonly lastTyping = new WeakMap<DeviceSession, number>();
  /** Per session: the turn of its latest send (see `inOrder`). */
  private readonly appendTurns = new WeakMap<DeviceSession, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly push: PushPort,
    private readonly members: MemberDirectory,
    private readonly fanout: Fanout,
    private readonly config: MessageConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Sends of one session may run concurrently (a pipelining connection); their messages still
   * reach the store in the order the sends were called (see `inOrder`).
   */
  send(session: DeviceSession, input: SendInput): Promise<SendOutcome> {
    return this.inOrder(session, async (turn) => {
      await this.config.rateLimits?.message(session);
      return this.sendAs(session, input, false, turn);
    });
  }

  /** Throws ForbiddenError while an admin has muted the user. */
  assertMaySend(userId: UserId): Promise<void> {
    return this.config.restrictions?.checkSend(userId) ?? Promise.resolve();
  }

  /** Sends content a core service built (a red packet, a call record), in the session's name. */
  sendAuthored(session: DeviceSession, input: SendInput): Promise<SendOutcome> {
    return this.inOrder(session, (turn) => this.sendAs(session, input, true, turn));
  }

  /**
   * Runs a send with its turn to append: the turn opens once the session's previous send has
   * handed its message to the store (queued, for a store that commits appends in call order, or
   * committed, for one that does not). Everything before the append (validation, authorization)
   * runs concurrently; a send that fails before appending passes its turn on.
   */
  private async inOrder(
    session: DeviceSession,
    run: (turn: AppendTurn) => Promise<SendOutcome>,
  ): Promise<SendOutcome> {
    const previous = this.appendTurns.get(session);
    let pass!: () => void;
    const mine = new Promise<void>((resolve) => {
      pass = resolve;
    });
    this.appendTurns.set(session, mine);
    try {
      return await run({ wait: () => previous ?? Promise.resolve(), pass });
    } finally {
      pass();
      if (this.appendTurns.get(session) === mine) this.appendTurns.delete(session);
    }
  }

  private async sendAs(
    session: DeviceSession,
    input: SendInput,
    authored: boolean,
    turn: AppendTurn,
  ): Promise<SendOutcome> {
    // Authored content (a call record, a red packet) is checked where it starts, or not at all:
    // a muted user may still hang up a call and have it recorded.
    if (!authored) {
      const muted = this.config.restrictions?.checkSend(session.userId);
      if (muted !== undefined) await muted;
    }
    const typing = input.content?.contentType === ContentType.TYPING;
    // Check the request before anything is looked up or created: a refused send leaves nothing.
    let valid: ValidContent | undefined;
    if (!typing) {
      if (!CLIENT_MSG_ID.test(input.clientMsgId)) {
        throw new BadRequestError('clientMsgId must be 1-64 printable ASCII characters');
      }
      valid = validateContent(input.content, this.config.content, authored, input.contentBytes);
    }
    const { conversationId, manager, peers } = await this.authorizeSend(session, input.conversation);
    if (valid === undefined) {
      const last = this.lastTyping.get(session) ?? 0;
      if (this.now() - last < TYPING_MIN_INTERVAL_MS) {
        throw new RateLimitedError(`at most one typing signal per ${TYPING_MIN_INTERVAL_MS} ms`);
      }
      this.lastTyping.set(session, this.now());
      this.push.push(
        peers ?? (await this.members.memberIds(conversationId)),
        { kind: 'typing', conversationId, userId: session.userId, deviceId: session.deviceId },
        session.sessionId,
      );
      return { result: undefined };
    }
    const mentions = mentionsOf(valid.content, input.conversation.type, manager);
    if (peers !== undefined) await this.ensureSingle(conversationId, peers);
    await turn.wait();
    const appending = this.store.appendMessage({
      ...mentions,
      id: this.ids.next(),
      conversationId,
      senderId: session.userId,
      senderDevice: session.deviceId,
      clientMsgId: input.clientMsgId,
      contentType: valid.content.contentType,
      content: valid.bytes,
      searchText: valid.searchText,
      serverTime: this.now(),
    });
    if (this.store.appendsInCallOrder === true) turn.pass();
    const result = await appending;
    if (result.duplicate && result.message.conversationId !== conversationId) {
      throw new ConflictError('clientMsgId was already used for a message to another conversation');
    }
    // Observers run before the push (a recipient may fetch the media as soon as it sees the
    // message), but their failure never withholds the push: a retried send is a duplicate and
    // would not push again. The failure still fails the send, and the retry reaches them again.
    let observerFailure: Error | undefined;
    try {
      await this.config.observer?.stored(result.message, valid.content, result.duplicate);
    } catch (err) {
      observerFailure = err instanceof Error ? err : new Error(String(err));
    }
    // A retry of a stored message was pushed the first time; pushing again would show it twice.
    // Authored content (a red packet, a call record) did not come from this device as a message: it
    // gets the push too.
    if (!result.duplicate) {
      await this.fanout.publish(result.message, session.username, authored ? undefined : session.sessionId);
    }
    if (observerFailure !== undefined) throw observerFailure;
    return { result };
  }

  async pull(session: DeviceSession, input: PullInput): Promise<PullOutcome> {
    const conversationId = conversationIdFor(session.userId, input.conversation);
    const state = await requireMembership(this.store, session.userId, conversationId);
    const limit = Math.min(
      Math.max(Math.trunc(input.limit) || this.config.maxPullLimit, 1),
      this.config.maxPullLimit,
    );
    const joinSeq = Math.max(state.joinSeq, 1);
    let messages: StoredMessage[];
    let hasMore: boolean;
    if (input.direction === PullDirection.FORWARD) {
      const from = Math.max(input.fromSeq, joinSeq);
      messages = await this.store.getMessages(conversationId, from, limit, PullDirection.FORWARD);
      const last = messages.at(-1)?.seq ?? from - 1;
      hasMore = last < state.maxSeq;
    } else {
      const from = input.fromSeq === 0 ? state.maxSeq : input.fromSeq;
      messages =
        from < joinSeq
          ? []
          : await this.store.getMessages(conversationId, from, limit, PullDirection.BACKWARD);
      messages = messages.filter((m) => m.seq >= joinSeq);
      const first = messages[0]?.seq ?? joinSeq;
      hasMore = first > joinSeq;
    }
    return { messages, hasMore, maxSeq: state.maxSeq };
  }

  /**
   * For dialects without sync (Jim, IMP): the unread messages of every conversation, oldest
   * first, at most `perConversation` newest of each. The adapter delivers them on login and then
   * calls markRead, since such clients have no cursor of their own.
   */
  async offline(
    session: DeviceSession,
    perConversation: number,
  ): Promise<{ state: ConversationState; messages: StoredMessage[] }[]> {
    const out = [];
    for (const state of await this.store.listConversationStates(session.userId)) {
      if (state.maxSeq <= state.readSeq) continue;
      const page = await this.store.getMessages(
        state.conversationId,
        state.maxSeq,
        perConversation,
        PullDirection.BACKWARD,
      );
      const messages = page.filter(
        (m) => m.seq > state.readSeq && m.seq >= state.joinSeq && m.senderId !== session.userId,
      );
      if (messages.length > 0) out.push({ state, messages });
    }
    return out;
  }

  /** The user's conversations whose head is past the device's cursor (unlisted = cursor 0). */
  async sync(session: DeviceSession, cursors: readonly SyncCursor[]): Promise<ConversationState[]> {
    const known = new Map<ConversationId, number>();
    for (const cursor of cursors) {
      known.set(conversationIdFor(session.userId, cursor.conversation), cursor.seq);
    }
    const states = await this.store.listConversationStates(session.userId);
    return states.filter((s) => s.maxSeq > (known.get(s.conversationId) ?? 0));
  }

  /**
   * Checks the session's user may send here. Returns the stored conversation key, whether the
   * user manages it (group owner or admin), and for SINGLE the two members (the conversation may
   * not exist yet: it is created with the first stored message, never by a refused one).
   */
  private async authorizeSend(
    session: DeviceSession,
    ref: ConversationRef,
  ): Promise<{ conversationId: ConversationId; manager: boolean; peers?: UserId[] }> {
    const conversationId = conversationIdFor(session.userId, ref);
    if (ref.type === ConversationType.SINGLE) {
      const peerId = parseUserId(ref.target);
      if (!this.known.has(conversationId) && (await this.store.getUserById(peerId)) === undefined) {
        throw new NotFoundError('no such user');
      }
      if (peerId !== session.userId && (await this.store.isBlocked(peerId, session.userId))) {
        throw new ForbiddenError('this user does not accept your messages');
      }
      const peers = peerId === session.userId ? [session.userId] : [session.userId, peerId];
      return { conversationId, manager: false, peers };
    }
    const state = await requireMembership(this.store, session.userId, conversationId);
    const manager = state.role === MemberRole.OWNER || state.role === MemberRole.ADMIN;
    if (ref.type === ConversationType.GROUP) {
      const group = await this.store.getConversation(conversationId);
      if (group === undefined) throw new NotFoundError('no such conversation');
      if (group.dismissed) throw new ForbiddenError('the group was dismissed');
      if (group.muteAll && !manager) throw new ForbiddenError('only the owner and admins may send now');
      if (state.mutedUntil > this.now()) throw new ForbiddenError('you are muted in this group');
    }
    return { conversationId, manager };
  }

  private async ensureSingle(conversationId: ConversationId, members: readonly UserId[]): Promise<void> {
    if (this.known.has(conversationId)) return;
    await this.store.ensureConversation({
      id: conversationId,
      type: ConversationType.SINGLE,
      createdAt: this.now(),
      members: members.map((userId) => ({ userId, role: MemberRole.MEMBER })),
    });
    if (this.known.size >= KNOWN_CONVERSATIONS_MAX) this.known.clear();
    this.known.add(conversationId);
  }

  /**
   * Moves the read cursor forward. The reader's other devices and the SINGLE peer are told; in a
   * group, the senders of the newly read messages are told (they can ask for read counts).
   */
  async markRead(
    session: DeviceSession,
    ref: ConversationRef,
    seq: number,
  ): Promise<{ readSeq: number; unread: number }> {
    const conversationId = conversationIdFor(session.userId, ref);
    const state = await requireMembership(this.store, session.userId, conversationId);
    const readSeq = await this.store.markRead(session.userId, conversationId, seq);
    if (readSeq > state.readSeq) {
      const event = { kind: 'read', conversationId, userId: session.userId, readSeq } as const;
      let told: UserId[] = [session.userId];
      if (ref.type === ConversationType.SINGLE) {
        told = await this.members.memberIds(conversationId);
      } else if (ref.type === ConversationType.GROUP) {
        const senders = await this.store.sendersBetween(conversationId, state.readSeq + 1, readSeq);
        told = [session.userId, ...senders.filter((id) => id !== session.userId)];
      }
      this.push.push(told, event, session.sessionId);
    }
    return { readSeq, unread: Math.max(0, state.maxSeq - readSeq) };
  }

  async readCounts(session: DeviceSession, ref: ConversationRef, seqs: readonly number[]): Promise<number[]> {
    if (seqs.length > 200) throw new BadRequestError('at most 200 seqs per request');
    const conversationId = conversationIdFor(session.userId, ref);
    await requireMembership(this.store, session.userId, conversationId);
    return Promise.all(seqs.map((seq) => this.store.countReaders(conversationId, seq, session.userId)));
  }
}
