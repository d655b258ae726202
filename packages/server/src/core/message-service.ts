import {
  BadRequestError,
  ConflictError,
  ContentType,
  ConversationType,
  NotFoundError,
  type MessageContent,
} from '@parley/protocol';
import { validateContent, type ContentLimits } from './content.js';
import { conversationIdFor, parseUserId, type ConversationRef } from './conversation-id.js';
import type { DeviceSession, PushPort } from './session.js';
import type { IdGenerator } from './snowflake.js';
import type { Store } from './store.js';
import {
  PullDirection,
  type AppendResult,
  type ConversationId,
  type ConversationState,
  type StoredMessage,
} from './types.js';

export interface MessageConfig {
  readonly content: ContentLimits;
  readonly maxPullLimit: number;
}

export interface SendInput {
  readonly conversation: ConversationRef;
  readonly clientMsgId: string;
  readonly content: MessageContent | undefined;
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

const CLIENT_MSG_ID = /^[\x21-\x7e]{1,64}$/;
/** Bounded memory of conversations known to exist, to skip ensureConversation on the hot path. */
const KNOWN_CONVERSATIONS_MAX = 100_000;

/**
 * Send, pull and sync (DESIGN §3): the sender is always the session's user; the ack follows the
 * commit; the push to every other online device of every member follows the ack's commit.
 */
export class MessageService {
  private readonly known = new Set<ConversationId>();

  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly push: PushPort,
    private readonly config: MessageConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async send(session: DeviceSession, input: SendInput): Promise<SendOutcome> {
    const { conversationId, members } = await this.resolveForSend(session, input.conversation);
    if (input.content?.contentType === ContentType.TYPING) {
      this.push.push(
        members,
        { kind: 'typing', conversationId, userId: session.userId, deviceId: session.deviceId },
        session.sessionId,
      );
      return { result: undefined };
    }
    if (!CLIENT_MSG_ID.test(input.clientMsgId)) {
      throw new BadRequestError('clientMsgId must be 1-64 printable ASCII characters');
    }
    const valid = validateContent(input.content, this.config.content);
    const result = await this.store.appendMessage({
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
    if (result.duplicate && result.message.conversationId !== conversationId) {
      throw new ConflictError('clientMsgId was already used for a message to another conversation');
    }
    // A retry of a stored message was pushed the first time; pushing again would show it twice.
    if (!result.duplicate) {
      this.push.push(
        members,
        { kind: 'message', message: result.message, senderName: session.username },
        session.sessionId,
      );
    }
    return { result };
  }

  async pull(session: DeviceSession, input: PullInput): Promise<PullOutcome> {
    const conversationId = conversationIdFor(session.userId, input.conversation);
    const state = await this.memberState(session, conversationId);
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

  /** The user's conversations whose head is past the device's cursor (unlisted = cursor 0). */
  async sync(session: DeviceSession, cursors: readonly SyncCursor[]): Promise<ConversationState[]> {
    const known = new Map<ConversationId, number>();
    for (const cursor of cursors) {
      known.set(conversationIdFor(session.userId, cursor.conversation), cursor.seq);
    }
    const states = await this.store.listConversationStates(session.userId);
    return states.filter((s) => s.maxSeq > (known.get(s.conversationId) ?? 0));
  }

  private async memberState(
    session: DeviceSession,
    conversationId: ConversationId,
  ): Promise<ConversationState> {
    const state = await this.store.getConversationState(session.userId, conversationId);
    // Not found rather than forbidden: whether a conversation exists is not the caller's business.
    if (state === undefined) throw new NotFoundError('no such conversation');
    return state;
  }

  private async resolveForSend(
    session: DeviceSession,
    ref: ConversationRef,
  ): Promise<{ conversationId: ConversationId; members: bigint[] }> {
    const conversationId = conversationIdFor(session.userId, ref);
    const peerId = parseUserId(ref.target);
    const members = peerId === session.userId ? [session.userId] : [session.userId, peerId];
    if (!this.known.has(conversationId)) {
      if ((await this.store.getUserById(peerId)) === undefined) throw new NotFoundError('no such user');
      await this.store.ensureConversation({
        id: conversationId,
        type: ConversationType.SINGLE,
        createdAt: this.now(),
        members,
      });
      if (this.known.size >= KNOWN_CONVERSATIONS_MAX) this.known.clear();
      this.known.add(conversationId);
    }
    return { conversationId, members };
  }
}
