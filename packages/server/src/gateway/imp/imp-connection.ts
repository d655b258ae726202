import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import {
  KickReason,
  BadRequestError,
  ContentType,
  ConversationType,
  ImpDecoder,
  MessageContentSchema,
  NotFoundError,
  Platform,
  Status,
  encodeImpChannels,
  encodeImpErr,
  encodeImpMsg,
  encodeImpOk,
  encodeImpPong,
  encodeImpUsers,
  toParleyError,
  type ImpRequest,
} from '@parley/protocol';
import type { Logger } from 'pino';
import {
  conversationRefFor,
  groupConversationId,
  parseUserId,
  roomConversationId,
  type ConversationRef,
} from '../../core/conversation-id.js';
import type { DeviceSession, KickInfo, PushEvent } from '../../core/session.js';
import { PullDirection, type ConversationId, type StoredMessage, type UserId } from '../../core/types.js';
import type { ByteStream } from '../byte-stream.js';
import type { Dispatcher } from '../dispatcher.js';
import type { ConnectionFactory } from '../native/native-gateway.js';
import { StreamConnection, type ConnectionLimits, type Decoded } from '../stream-connection.js';
import { renderImpText } from './imp-render.js';
import { findUserByUsername, usernamesOf, type NameCache } from './imp-users.js';

/** The longest IMP line (without its terminator); a longer one closes the connection. */
export const IMP_MAX_LINE_LENGTH = 4096;
/** A MSG payload is bounded by the frame limit and by core's largest content (64 KiB). */
const IMP_MAX_PAYLOAD = 64 * 1024;
/** Unread messages delivered per conversation on REG (the newest ones). */
const OFFLINE_PER_CONVERSATION = 100;
/** List replies stop after this many entries (CHNS, USERS). */
const MAX_LISTED = 1000;
const PAGE = 200;
/**
 * Pushes held while REG delivers the offline messages; past it only the conversation and its
 * head are remembered, and the missing messages are pulled once REG is done.
 */
const MAX_HELD_PUSHES = 1000;
/** Conversations whose shown seq is remembered (for dedup and notify pulls). */
const MAX_TRACKED_CONVERSATIONS = 10_000;
/** Prefix of a closed group as an IMP channel: `#g:<groupId>` (`:` cannot be in a room name). */
const GROUP_CHANNEL = /^g:([0-9]{1,20})$/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes of a delivered message; the same for every IMP viewer, so encoded once (DESIGN §12). */
const encodedMessages = new WeakMap<StoredMessage, Uint8Array>();

/** Where a message is shown: `#room`, `#g:<id>`, or undefined for a direct message. */
function channelOf(conversationId: ConversationId): string | undefined {
  if (conversationId.startsWith('r:')) return conversationId.slice(2);
  if (conversationId.startsWith('g:')) return conversationId;
  return undefined;
}

function encodeMessage(message: StoredMessage, senderName: string): Uint8Array {
  let bytes = encodedMessages.get(message);
  if (bytes === undefined) {
    const text = renderImpText(message);
    const channel = channelOf(message.conversationId);
    const sender = senderName === '' ? String(message.senderId) : senderName;
    bytes =
      channel === undefined
        ? encodeImpMsg({ target: 'USER', sender, text })
        : encodeImpMsg({ target: 'CHN', channel, sender, text });
    encodedMessages.set(message, bytes);
  }
  return bytes;
}

/** An IMP channel name as a conversation reference: a chatroom, or `g:<id>` for a group. */
function channelRef(channel: string): ConversationRef {
  const group = GROUP_CHANNEL.exec(channel)?.[1];
  if (group !== undefined) return { type: ConversationType.GROUP, target: group };
  return { type: ConversationType.CHATROOM, target: channel };
}

function channelConversationId(channel: string): ConversationId {
  const ref = channelRef(channel);
  return ref.type === ConversationType.GROUP
    ? groupConversationId(parseUserId(ref.target))
    : roomConversationId(ref.target);
}

/**
 * One IMP connection (seed 004, DESIGN §5): text lines in, text lines out. Commands become
 * dispatcher calls; core events become `MSG` lines. See docs/protocols/imp.md for the mapping.
 */
export class ImpConnection extends StreamConnection<ImpRequest> {
  private readonly decoder: ImpDecoder;
  /** Makes clientMsgIds unique across server restarts (connection ids start over). */
  private readonly nonce = randomBytes(4).toString('hex');
  private sent = 0;
  private faulted = false;
  /** True while REG delivers offline messages: pushes wait so that nothing shows twice. */
  private registering = false;
  private held: { event: PushEvent; viewer: UserId }[] = [];
  /** Conversations (and their head seq) whose pushes did not fit in `held`. */
  private overflow = new Map<ConversationId, number>();
  /** The highest seq shown per conversation. */
  private readonly shown = new Map<ConversationId, number>();
  /** Read cursors to move, flushed once per event-loop turn. */
  private readonly toMark = new Map<ConversationId, number>();
  private markScheduled = false;
  private readonly names: NameCache = new Map();
  private pulls: Promise<void> = Promise.resolve();

  constructor(
    connectionId: number,
    stream: ByteStream,
    dispatcher: Dispatcher,
    limits: ConnectionLimits,
    log: Logger,
    onClosed: (conn: StreamConnection<unknown>) => void,
    now: number,
  ) {
    super(connectionId, stream, dispatcher, limits, log, onClosed, now);
    this.decoder = new ImpDecoder({
      maxLineLength: IMP_MAX_LINE_LENGTH,
      maxPayloadLength: Math.max(1, Math.min(limits.maxBodyLength, IMP_MAX_PAYLOAD)),
    });
  }

  protected decode(chunk: Uint8Array): Decoded<ImpRequest> {
    this.decoder.push(chunk);
    const frames: ImpRequest[] = [];
    for (;;) {
      const result = this.decoder.next();
      switch (result.kind) {
        case 'need-more':
          return { kind: 'frames', frames };
        case 'fault':
          return { kind: 'fault', frames, status: result.error.status, reason: result.error.message };
        case 'request':
          frames.push(result.request);
      }
    }
  }

  protected encodeFault(_status: Status, reason: string): Uint8Array {
    this.faulted = true;
    return encodeImpErr(reason);
  }

  protected encodeKick(info: KickInfo): Uint8Array {
    return encodeImpErr(info.reason === KickReason.BANNED ? info.text : 'signed in elsewhere');
  }

  protected encodeClose(_status: Status, reason: string): Uint8Array | undefined {
    // A fault already said why.
    return this.faulted ? undefined : encodeImpErr(reason);
  }

  protected encodePush(event: PushEvent, viewer: UserId): Uint8Array | undefined {
    switch (event.kind) {
      case 'message':
      case 'notify':
        if (this.registering) {
          if (this.held.length < MAX_HELD_PUSHES) this.held.push({ event, viewer });
          else {
            const id = event.kind === 'notify' ? event.conversationId : event.message.conversationId;
            const seq = event.kind === 'notify' ? event.maxSeq : event.message.seq;
            this.overflow.set(id, Math.max(seq, this.overflow.get(id) ?? 0));
          }
          return undefined;
        }
        if (event.kind === 'notify') {
          this.pullNew(event.conversationId, event.maxSeq);
          return undefined;
        }
        return this.show(event.message, event.senderName, viewer);
      case 'read':
      case 'presence':
      case 'contact':
      case 'typing':
      case 'call':
      case 'resync':
        // IMP has no way to show these (a call's record arrives as a message).
        return undefined;
    }
  }

  protected async handle(request: ImpRequest): Promise<void> {
    try {
      await this.run(request);
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId, command: request.cmd }, 'IMP command failed');
      }
      const text = error.status === Status.UNAUTHENTICATED ? 'register first' : error.message;
      this.writeIfOpen(encodeImpErr(text));
    }
  }

  private async run(request: ImpRequest): Promise<void> {
    switch (request.cmd) {
      case 'INVALID':
        this.writeIfOpen(encodeImpErr(request.reason));
        return;
      case 'PING':
        this.writeIfOpen(encodeImpPong(request.token));
        return;
      case 'QUIT':
        if (this.session !== undefined) await this.dispatcher.logout(this).catch(() => undefined);
        this.writeIfOpen(encodeImpOk());
        this.shutdown();
        return;
      case 'REG':
        await this.register(request.handle, request.password);
        return;
      case 'CHNS':
      case 'JOIN':
      case 'LEAVE':
      case 'USERS':
      case 'MSG':
        break;
    }
    const session = this.session;
    if (session === undefined) {
      this.writeIfOpen(encodeImpErr('register first'));
      return;
    }
    switch (request.cmd) {
      case 'CHNS':
        this.writeIfOpen(encodeImpChannels(await this.channels()));
        return;
      case 'JOIN':
        if (channelRef(request.channel).type === ConversationType.GROUP) {
          throw new BadRequestError('groups are joined by invitation, not with JOIN');
        }
        await this.dispatcher.chatrooms.join(session, request.channel);
        this.writeIfOpen(encodeImpOk());
        return;
      case 'LEAVE':
        if (channelRef(request.channel).type === ConversationType.GROUP) {
          throw new BadRequestError('IMP cannot leave a group; use another client');
        }
        await this.dispatcher.chatrooms.leave(session, request.channel);
        this.writeIfOpen(encodeImpOk());
        return;
      case 'USERS':
        this.writeIfOpen(encodeImpUsers(request.channel, await this.members(session, request.channel)));
        return;
      case 'MSG':
        await this.send(session, request.target, request.id, request.payload);
        this.writeIfOpen(encodeImpOk());
        return;
    }
  }

  /** REG @handle password: signs in, creating the user first if the handle is free. */
  private async register(handle: string, password: string | undefined): Promise<void> {
    if (this.session !== undefined) {
      throw new BadRequestError(`already registered as @${this.session.username}`);
    }
    if (password === undefined) {
      throw new BadRequestError('guests are not enabled: REG @handle password');
    }
    this.registering = true;
    try {
      try {
        await this.dispatcher.register(handle, password, '');
      } catch (err) {
        // Taken: then this is a sign-in, and the password must match.
        if (toParleyError(err).status !== Status.CONFLICT) throw err;
      }
      await this.dispatcher.login(this, {
        credentials: { kind: 'password', username: handle, password },
        deviceId: `imp-${randomBytes(6).toString('hex')}`,
        platform: Platform.PC,
      });
      this.writeIfOpen(encodeImpOk());
      await this.deliverOffline(this.dispatcher.requireSession(this));
    } finally {
      this.registering = false;
      const held = this.held;
      this.held = [];
      for (const { event, viewer } of held) {
        const bytes = this.encodePush(event, viewer);
        if (bytes !== undefined) this.writeIfOpen(bytes);
      }
      const overflow = this.overflow;
      this.overflow = new Map();
      for (const [conversationId, maxSeq] of overflow) this.pullNew(conversationId, maxSeq);
    }
  }

  /** Unread messages of every conversation, oldest first; then they count as read. */
  private async deliverOffline(session: DeviceSession): Promise<void> {
    const batches = await this.dispatcher.messages.offline(session, OFFLINE_PER_CONVERSATION);
    const messages = batches
      .flatMap((b) => b.messages)
      // Snowflake ids order messages of one millisecond too (seqs of two conversations cannot).
      .sort((a, b) => a.serverTime - b.serverTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await this.showAll(session, messages);
    for (const { state } of batches) this.markRead(state.conversationId, state.maxSeq);
  }

  /** A large conversation moved (DESIGN §3.7): pull what this connection has not shown. */
  private pullNew(conversationId: ConversationId, maxSeq: number): void {
    this.pulls = this.pulls
      .then(async () => {
        const session = this.session;
        if (session === undefined || !this.isOpen) return;
        // Page until the head is shown: a burst may be longer than one page.
        for (;;) {
          const last = this.shown.get(conversationId) ?? maxSeq - 1;
          if (maxSeq <= last) return;
          const outcome = await this.dispatcher.messages.pull(session, {
            conversation: conversationRefFor(session.userId, conversationId),
            fromSeq: last + 1,
            limit: Math.min(maxSeq - last, PAGE),
            direction: PullDirection.FORWARD,
          });
          if (outcome.messages.length === 0) return;
          await this.showAll(session, outcome.messages);
          if ((this.shown.get(conversationId) ?? 0) <= last) return;
        }
      })
      .catch((err: unknown) => {
        this.log.warn({ err, conn: this.connectionId }, 'IMP pull after notify failed');
      });
  }

  private async showAll(session: DeviceSession, messages: readonly StoredMessage[]): Promise<void> {
    const names = await usernamesOf(
      this.dispatcher,
      session,
      messages.map((m) => m.senderId),
      this.names,
    );
    for (const m of messages) {
      const bytes = this.show(m, names.get(m.senderId) ?? '', session.userId);
      if (bytes !== undefined) this.writeIfOpen(bytes);
    }
  }

  /** The bytes showing `message` to `viewer`, once; undefined when it was shown or IMP hides it. */
  private show(message: StoredMessage, senderName: string, viewer: UserId): Uint8Array | undefined {
    const id = message.conversationId;
    if (message.seq <= (this.shown.get(id) ?? 0)) return undefined;
    if (!this.shown.has(id) && this.shown.size >= MAX_TRACKED_CONVERSATIONS) this.shown.clear();
    this.shown.set(id, message.seq);
    // The typing signal is never stored; and a direct message of one's own (sent from another
    // device) would read `MSG USER @me`: IMP cannot say "you wrote to @bob", so it is not shown.
    if (message.contentType === ContentType.TYPING) return undefined;
    if (channelOf(id) === undefined && message.senderId === viewer) {
      const peer = conversationRefFor(viewer, id).target;
      if (peer !== String(viewer)) return undefined;
    }
    this.markRead(id, message.seq);
    return encodeMessage(message, senderName);
  }

  /**
   * An IMP client has no read receipts and no cursor: what it was shown counts as read, so the
   * next REG does not deliver it again. Coalesced per conversation, once per event-loop turn.
   */
  private markRead(conversationId: ConversationId, seq: number): void {
    if (seq <= (this.toMark.get(conversationId) ?? 0)) return;
    this.toMark.set(conversationId, seq);
    if (this.markScheduled) return;
    this.markScheduled = true;
    setImmediate(() => {
      void this.flushReads();
    });
  }

  private async flushReads(): Promise<void> {
    this.markScheduled = false;
    const marks = [...this.toMark];
    this.toMark.clear();
    const session = this.session;
    if (session === undefined) return;
    for (const [conversationId, seq] of marks) {
      try {
        await this.dispatcher.messages.markRead(
          session,
          conversationRefFor(session.userId, conversationId),
          seq,
        );
      } catch (err) {
        // The member may have left meanwhile; nothing to repair.
        this.log.debug({ err, conn: this.connectionId }, 'IMP mark read failed');
      }
    }
  }

  private async channels(): Promise<string[]> {
    const out: string[] = [];
    let after = '';
    while (out.length < MAX_LISTED) {
      const page = await this.dispatcher.chatrooms.list(after, PAGE);
      for (const room of page.rooms) out.push(room.id.startsWith('r:') ? room.id.slice(2) : room.id);
      const last = out.at(-1);
      if (!page.hasMore || last === undefined) break;
      after = last;
    }
    return out.slice(0, MAX_LISTED);
  }

  private async members(session: DeviceSession, channel: string): Promise<string[]> {
    const id = channelConversationId(channel);
    const ids: UserId[] = [];
    let after = 0n;
    try {
      while (ids.length < MAX_LISTED) {
        const page = await this.dispatcher.groups.listMembers(session, id, after, PAGE);
        for (const m of page.members) ids.push(m.userId);
        const last = ids.at(-1);
        if (!page.hasMore || last === undefined) break;
        after = last;
      }
    } catch (err) {
      if (toParleyError(err).status === Status.NOT_FOUND) {
        throw new NotFoundError(`you are not in #${channel}`);
      }
      throw err;
    }
    const names = await usernamesOf(this.dispatcher, session, ids, this.names);
    return ids.flatMap((u) => {
      const name = names.get(u);
      return name === undefined ? [] : [name];
    });
  }

  private async send(
    session: DeviceSession,
    target: 'CHN' | 'USER',
    id: string,
    payload: Uint8Array,
  ): Promise<void> {
    let text: string;
    try {
      text = strictUtf8.decode(payload);
    } catch {
      throw new BadRequestError('the message is not valid UTF-8');
    }
    let conversation: ConversationRef;
    if (target === 'CHN') {
      conversation = channelRef(id);
    } else {
      const user = await findUserByUsername(this.dispatcher, id);
      if (user === undefined) throw new NotFoundError(`no such user @${id}`);
      conversation = { type: ConversationType.SINGLE, target: String(user.id) };
    }
    this.sent += 1;
    try {
      await this.dispatcher.messages.send(session, {
        conversation,
        clientMsgId: `imp-${this.connectionId}-${this.nonce}-${this.sent}`,
        content: create(MessageContentSchema, { contentType: ContentType.TEXT, text }),
      });
    } catch (err) {
      if (target === 'CHN' && toParleyError(err).status === Status.NOT_FOUND) {
        throw new NotFoundError(`join #${id} first`);
      }
      throw err;
    }
  }
}

/** The IMP dialect for `gateway.register(Dialect.IMP, createImpConnection)`. */
export const createImpConnection: ConnectionFactory = (...args) => new ImpConnection(...args);
