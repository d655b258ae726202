import { create, toBinary } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ConflictError,
  ContentType,
  ConversationType,
  ExpiredError,
  ForbiddenError,
  MessageContentSchema,
  MessageFlag,
  NotFoundError,
  type MessageContent,
} from '@parley/protocol';
import { validateContent, type ContentLimits } from './content.js';
import { conversationIdFor, type ConversationRef } from './conversation-id.js';
import type { DeviceSession } from './session.js';
import { requireMembership } from './membership.js';
import type { Store } from './store.js';
import type { SystemMessages } from './system-messages.js';
import { MemberRole, type ConversationId, type ConversationState, type StoredMessage } from './types.js';

export interface ChangeConfig {
  readonly content: ContentLimits;
  /** How long a sender may recall or edit a message. */
  readonly recallWindowMs: number;
}

/** Checked only after the caller's permission, so a refused caller learns nothing of the message. */
function assertChangeable(message: StoredMessage): void {
  if (message.contentType === ContentType.SYSTEM)
    throw new BadRequestError('system messages cannot be changed');
  if ((message.flags & MessageFlag.RECALLED) !== 0) throw new ConflictError('the message was recalled');
}

export interface ChangeOutcome {
  readonly seq: number;
  /** The seq of the SYSTEM message that records the change. */
  readonly eventSeq: number;
}

/**
 * Recall and edit (DESIGN §3.6): the stored message is rewritten in place and a SYSTEM message
 * records the change with its own seq, so every device learns of it through push or sync.
 */
export class ChangeService {
  constructor(
    private readonly store: Store,
    private readonly system: SystemMessages,
    private readonly config: ChangeConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Recall (DESIGN §3.6): the sender within the window; a group owner or admin any time. */
  async recall(
    session: DeviceSession,
    ref: ConversationRef,
    seq: number,
    messageId: bigint,
  ): Promise<ChangeOutcome> {
    const conversationId = conversationIdFor(session.userId, ref);
    const state = await requireMembership(this.store, session.userId, conversationId);
    const message = await this.visibleMessage(conversationId, seq, messageId, state);
    const own = message.senderId === session.userId;
    const manager =
      ref.type === ConversationType.GROUP &&
      (state.role === MemberRole.OWNER || state.role === MemberRole.ADMIN);
    if (!manager) {
      if (!own) throw new ForbiddenError('only the sender or a group owner/admin may recall');
      if (this.now() - message.serverTime > this.config.recallWindowMs)
        throw new ExpiredError('the recall window has passed');
    }
    assertChangeable(message);
    const blank = create(MessageContentSchema, { contentType: message.contentType });
    await this.store.updateMessage(conversationId, seq, {
      flags: message.flags | MessageFlag.RECALLED,
      contentType: message.contentType,
      content: toBinary(MessageContentSchema, blank),
      searchText: '',
    });
    const event = await this.system.append(
      conversationId,
      session,
      `${session.username} recalled a message`,
      {
        kind: 'recalled',
        targetSeq: BigInt(seq),
      },
    );
    return { seq, eventSeq: event.seq };
  }

  /** Edit: the sender, within the recall window, of a text message. */
  async edit(
    session: DeviceSession,
    ref: ConversationRef,
    seq: number,
    content: MessageContent | undefined,
  ): Promise<ChangeOutcome> {
    const conversationId = conversationIdFor(session.userId, ref);
    const state = await requireMembership(this.store, session.userId, conversationId);
    const message = await this.visibleMessage(conversationId, seq, 0n, state);
    if (message.senderId !== session.userId) throw new ForbiddenError('only the sender may edit a message');
    if (this.now() - message.serverTime > this.config.recallWindowMs)
      throw new ExpiredError('the edit window has passed');
    assertChangeable(message);
    if (message.contentType !== ContentType.TEXT || content?.contentType !== ContentType.TEXT) {
      throw new BadRequestError('only text messages can be edited, into text');
    }
    const valid = validateContent(content, this.config.content);
    await this.store.updateMessage(conversationId, seq, {
      flags: message.flags | MessageFlag.EDITED,
      contentType: ContentType.TEXT,
      content: valid.bytes,
      searchText: valid.searchText,
    });
    const event = await this.system.append(conversationId, session, `${session.username} edited a message`, {
      kind: 'edited',
      targetSeq: BigInt(seq),
      newContent: valid.content,
    });
    return { seq, eventSeq: event.seq };
  }

  /** A stored message the member can see (from its join on). Permission is checked after this. */
  private async visibleMessage(
    conversationId: ConversationId,
    seq: number,
    messageId: bigint,
    state: ConversationState,
  ): Promise<StoredMessage> {
    const message =
      seq >= Math.max(state.joinSeq, 1) ? await this.store.getMessage(conversationId, seq) : undefined;
    if (message === undefined || (messageId !== 0n && message.id !== messageId)) {
      throw new NotFoundError('no such message');
    }
    return message;
  }
}
