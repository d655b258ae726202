import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  ChangeResultSchema,
  Command,
  ContentType,
  EditRequestSchema,
  MessageContentSchema,
  MessageSchema,
  PullRequestSchema,
  PullResponseSchema,
  ReadCountsRequestSchema,
  ReadCountsResponseSchema,
  ReadRequestSchema,
  ReadResponseSchema,
  RecallRequestSchema,
  SearchRequestSchema,
  SearchResponseSchema,
  SendResultSchema,
  type ChangeResult,
  type Message,
  type PullResponse,
  type ReadResponse,
  type SendResult,
} from '@parley/protocol';
import { randomId } from '../backoff.js';
import type { Caller } from '../client.js';
import type { ConversationRef } from '../conversation.js';

export type ContentInit = MessageInitShape<typeof MessageContentSchema>;

/** The client internals the message API uses. */
export interface MessagesHost {
  enqueue(message: Message): Promise<SendResult>;
  cursor(conversation: ConversationRef): bigint;
}

export interface SendOptions {
  /** The dedup key; default a random UUID. Reuse it to retry a send safely. */
  readonly clientMsgId?: string;
}

export interface HistoryOptions {
  /** Forward: the first seq (inclusive, default 1). Backward: the last seq (0 = the head). */
  readonly fromSeq?: bigint;
  readonly limit?: number;
  readonly direction?: 'forward' | 'backward';
}

export interface SearchOptions {
  readonly limit?: number;
  /** Paging: only messages older than this id. */
  readonly beforeId?: bigint;
}

/** Sending and everything about stored messages (recall, edit, read, history, search). */
export class MessagesApi {
  constructor(
    private readonly caller: Caller,
    private readonly host: MessagesHost,
  ) {}

  /**
   * Queues a message in the outbox; resolves with the server's ack (message id, seq), however
   * many reconnects that takes. Rejects only when the server refuses it (or the client stops).
   */
  send(conversation: ConversationRef, content: ContentInit, options: SendOptions = {}): Promise<SendResult> {
    const message = create(MessageSchema, {
      conversation,
      clientMsgId: options.clientMsgId ?? randomId(),
      messageContent: content,
    });
    return this.host.enqueue(message);
  }

  /** A TEXT message. `mentions`: user ids (groups), or 'all' (owners and admins). */
  sendText(
    conversation: ConversationRef,
    text: string,
    options: SendOptions & { readonly mentions?: readonly bigint[] | 'all' } = {},
  ): Promise<SendResult> {
    const mentions = options.mentions;
    const content: ContentInit = { contentType: ContentType.TEXT, text };
    if (mentions === 'all') content.mentionedType = 2;
    else if (mentions !== undefined && mentions.length > 0) {
      content.mentionedType = 1;
      content.mentionedTargets = mentions.map(String);
    }
    return this.send(conversation, content, options);
  }

  /** Recalls the message at `seq` (sender within the window, or a group owner/admin). */
  recall(conversation: ConversationRef, seq: bigint): Promise<ChangeResult> {
    return this.caller.call(Command.MR, RecallRequestSchema, { conversation, seq }, ChangeResultSchema);
  }

  /** Replaces the text of one of this user's messages (within the recall window). */
  edit(conversation: ConversationRef, seq: bigint, text: string): Promise<ChangeResult> {
    return this.caller.call(
      Command.EDIT,
      EditRequestSchema,
      { conversation, seq, messageContent: { contentType: ContentType.TEXT, text } },
      ChangeResultSchema,
    );
  }

  /** Moves the read cursor to `seq` (default: the last message this client delivered). */
  markRead(conversation: ConversationRef, seq?: bigint): Promise<ReadResponse> {
    return this.caller.call(
      Command.READ,
      ReadRequestSchema,
      { conversation, seq: seq ?? this.host.cursor(conversation) },
      ReadResponseSchema,
    );
  }

  /** How many other members have read each seq (≤ 200 seqs). */
  async readCounts(conversation: ConversationRef, seqs: readonly bigint[]): Promise<Map<bigint, number>> {
    const res = await this.caller.call(
      Command.READ_COUNTS,
      ReadCountsRequestSchema,
      { conversation, seqs: [...seqs] },
      ReadCountsResponseSchema,
    );
    const out = new Map<bigint, number>();
    res.seqs.forEach((seq, i) => out.set(seq, res.counts[i] ?? 0));
    return out;
  }

  /**
   * A typing signal (never stored; at most one per 300 ms per device, RATE_LIMITED past that).
   * Not queued in the outbox: a late typing signal is worse than none.
   */
  async typing(conversation: ConversationRef): Promise<void> {
    await this.caller.call(
      Command.MS,
      MessageSchema,
      { conversation, clientMsgId: randomId(), messageContent: { contentType: ContentType.TYPING } },
      SendResultSchema,
    );
  }

  /**
   * A page of stored history, ascending by seq, without touching the sync cursors (for
   * scrolling back). Forward from `fromSeq`, or backward ending at `fromSeq` (0 = head).
   */
  history(conversation: ConversationRef, options: HistoryOptions = {}): Promise<PullResponse> {
    const backward = options.direction === 'backward';
    return this.caller.call(
      Command.MP,
      PullRequestSchema,
      {
        conversation,
        fromSeq: options.fromSeq ?? (backward ? 0n : 1n),
        limit: options.limit ?? 50,
        backward,
      },
      PullResponseSchema,
    );
  }

  /** Full-text search over this user's conversations, newest first. */
  async search(query: string, options: SearchOptions = {}): Promise<Message[]> {
    const res = await this.caller.call(
      Command.SEARCH,
      SearchRequestSchema,
      { query, limit: options.limit ?? 20, beforeId: options.beforeId ?? 0n },
      SearchResponseSchema,
    );
    return res.messages;
  }
}
