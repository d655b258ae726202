import { createHash, randomBytes } from 'node:crypto';
import {
  ConversationType,
  ForbiddenError,
  JimCommand,
  JimDecoder,
  Platform,
  Status,
  UnauthenticatedError,
  UnknownCommandError,
  BadRequestError,
  encodeJimAuthOk,
  encodeJimBody,
  encodeJimStatus,
  parseJimAuth,
  parseJimMessage,
  toParleyError,
  type JimFrame,
} from '@parley/protocol';
import type { Logger } from 'pino';
import { conversationRefFor, type ConversationRef } from '../../core/conversation-id.js';
import type { DeviceSession, KickInfo, PushEvent } from '../../core/session.js';
import { PullDirection, type ConversationId, type StoredMessage } from '../../core/types.js';
import type { ByteStream } from '../byte-stream.js';
import type { Dispatcher } from '../dispatcher.js';
import type { ConnectionFactory } from '../native/native-gateway.js';
import { StreamConnection, type ConnectionLimits, type Decoded } from '../stream-connection.js';
import { jimToContent } from './jim-content.js';
import { jimProfiles } from './jim-profiles.js';
import { closeFrame, jimFrame, messageFrame, noticeFrame, serverEnvelope } from './jim-wire.js';

/** Unread messages delivered per conversation right after B002 (the newest ones). */
const OFFLINE_PER_CONVERSATION = 100;
/** Messages pulled per MN notify. */
const NOTIFY_PULL_LIMIT = 100;
/** Pushes waiting for a profile lookup or a pull; past it the client is too slow and is closed. */
const MAX_PENDING_PUSHES = 1024;
/** How often delivered messages are recorded as read (and always on close). */
const READ_FLUSH_EVERY_MS = 5000;
/** Conversations remembered per connection; past it the cursors are flushed and forgotten. */
const MAX_CURSORS = 1000;

/** The same bytes for every Jim viewer of a message event (DESIGN §12: encode once). */
const pushCache = new WeakMap<PushEvent, Uint8Array>();

/**
 * One Jim connection (seed 001, DESIGN §5; docs/protocols/jim.md). Jim has no sync, no read
 * receipts and no cursor of its own, so this adapter keeps one: what it delivers (live, after an
 * MN notify, or offline right after B002) counts as read, recorded every few seconds and on close.
 */
export class JimConnection extends StreamConnection<JimFrame> {
  private readonly decoder: JimDecoder;
  /** B001's client_id: part of every clientMsgId, so a retried request id dedups. */
  private clientId = '';
  /** The session pushes and read cursors belong to; outlives a kick or logout for the last flush. */
  private readSession: DeviceSession | undefined;
  /** Pushes that wait (for a profile lookup, a pull, or B002) are written in order from here. */
  private outbox: Promise<void> = Promise.resolve();
  private pending = 0;
  private overflowing = false;
  /** Highest seq delivered per conversation, and the highest recorded as read. */
  private readonly delivered = new Map<ConversationId, number>();
  private readonly recorded = new Map<ConversationId, number>();
  private lastReadFlush = 0;

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
    this.decoder = new JimDecoder({ maxBodyLength: limits.maxBodyLength });
    this.lastReadFlush = now;
  }

  protected decode(chunk: Uint8Array): Decoded<JimFrame> {
    this.decoder.push(chunk);
    const frames: JimFrame[] = [];
    for (;;) {
      const result = this.decoder.next();
      if (result.kind === 'need-more') return { kind: 'frames', frames };
      if (result.kind === 'fault') {
        const { error } = result.fault;
        return { kind: 'fault', frames, status: error.status, reason: error.message };
      }
      frames.push(result.frame);
    }
  }

  /** The close that follows a fault says why (A999); nothing more is needed before it. */
  protected encodeFault(): undefined {
    return undefined;
  }

  protected encodeClose(status: Status, reason: string): Uint8Array {
    return closeFrame(status, reason);
  }

  /** A B103 notice saying why, then A999 (KICKED). */
  protected encodeKick(info: KickInfo): Uint8Array {
    const receiver = this.session === undefined ? '' : String(this.session.userId);
    const text =
      info.text !== '' ? info.text : `signed in on another device (${info.byDeviceId || 'unknown'})`;
    const notice = noticeFrame(0, serverEnvelope(receiver), text, Status.KICKED);
    const close = closeFrame(Status.KICKED, text);
    const out = new Uint8Array(notice.length + close.length);
    out.set(notice);
    out.set(close, notice.length);
    return out;
  }

  protected encodePush(event: PushEvent): Uint8Array | undefined {
    switch (event.kind) {
      case 'message': {
        const message = event.message;
        this.noteDelivered(message.conversationId, message.seq);
        const cached = pushCache.get(event);
        if (cached !== undefined && this.pending === 0) return cached;
        const profile = jimProfiles.get(message.senderId);
        if (profile !== undefined && this.pending === 0) {
          const bytes = messageFrame(message, profile, event.senderName);
          pushCache.set(event, bytes);
          return bytes;
        }
        this.later(async (session) => {
          let bytes = pushCache.get(event);
          if (bytes === undefined) {
            await jimProfiles.load(this.dispatcher, session, [message.senderId]);
            bytes = messageFrame(message, jimProfiles.get(message.senderId) ?? noProfile, event.senderName);
            pushCache.set(event, bytes);
          }
          return [bytes];
        });
        return undefined;
      }
      case 'notify':
        this.later((session) => this.pullNotified(session, event.conversationId, event.maxSeq));
        return undefined;
      case 'read':
      case 'presence':
      case 'typing':
      case 'contact':
      case 'call':
      case 'resync':
        // Jim has no frames for these; see docs/protocols/jim.md.
        return undefined;
    }
  }

  /** Also records delivered messages as read every READ_FLUSH_EVERY_MS. */
  override sweep(now: number): void {
    super.sweep(now);
    if (now - this.lastReadFlush >= READ_FLUSH_EVERY_MS) {
      this.lastReadFlush = now;
      this.flushReads();
    }
  }

  protected async handle(frame: JimFrame): Promise<void> {
    try {
      switch (frame.command) {
        case JimCommand.PING:
          this.writeIfOpen(jimFrame(JimCommand.PONG, frame.requestId, new Uint8Array(0)));
          return;
        case JimCommand.CLIENT_CLOSE:
          this.shutdown();
          return;
        case JimCommand.AUTH:
          await this.authenticate(frame);
          return;
        case JimCommand.LOGOUT:
          await this.dispatcher.logout(this);
          this.writeIfOpen(closeFrame(Status.OK, 'logged out'));
          this.shutdown();
          return;
        case JimCommand.C2C:
        case JimCommand.C2G:
          await this.send(frame);
          return;
        case JimCommand.PONG:
        case JimCommand.SERVER_CLOSE:
        case JimCommand.AUTH_OK:
        case JimCommand.AUTH_FAIL:
        case JimCommand.PUSH:
          throw new BadRequestError(`${frame.command} is sent by the server only`);
        default:
          throw new UnknownCommandError(`unknown command ${frame.command}`);
      }
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId, command: frame.command }, 'jim request failed');
      }
      const receiver = this.session === undefined ? '' : String(this.session.userId);
      this.writeIfOpen(noticeFrame(frame.requestId, serverEnvelope(receiver), error.message, error.status));
    }
  }

  /** B001 → login with the token → B002, then the unread messages; B003 on failure. */
  private async authenticate(frame: JimFrame): Promise<void> {
    // Pushes that arrive while logging in wait until B002 is written.
    const release = this.hold();
    try {
      const auth = parseJimAuth(frame.body);
      // The token's own device id and platform class stay (core); client_id names this client.
      const login = await this.dispatcher.login(this, {
        credentials: { kind: 'token', token: auth.token },
        deviceId: auth.clientId,
        platform: Platform.MOBILE,
      });
      const session = this.dispatcher.requireSession(this);
      this.clientId = auth.clientId !== '' ? auth.clientId : session.deviceId.slice(0, 48);
      if (this.readSession !== undefined && this.readSession.userId !== session.userId) this.flushReads();
      this.readSession = session;
      this.writeIfOpen(
        jimFrame(
          JimCommand.AUTH_OK,
          frame.requestId,
          encodeJimAuthOk({ userId: String(login.user.id), username: login.user.username }),
        ),
      );
      this.later((s) => this.offlineFrames(s));
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId }, 'jim auth failed');
      }
      this.writeIfOpen(
        jimFrame(
          JimCommand.AUTH_FAIL,
          frame.requestId,
          encodeJimStatus({ code: error.status, message: error.message }),
        ),
      );
    } finally {
      release();
    }
  }

  /** B101/B102 → send → ack (after the commit) on the same command with the request's id. */
  private async send(frame: JimFrame): Promise<void> {
    const session = this.session;
    if (session === undefined) throw new UnauthenticatedError('authenticate first (B001)');
    const body = parseJimMessage(frame.body);
    // The server fills the sender; a body naming someone else is refused, not rewritten.
    if (body.data.senderId !== '' && body.data.senderId !== String(session.userId)) {
      throw new ForbiddenError('sender_id is not the authenticated user');
    }
    const receiverId = body.data.receiverId;
    if (receiverId === '') throw new BadRequestError('receiver_id is missing');
    const conversation = this.conversationOf(frame.command, receiverId);
    // A retry repeats the request id and the body: the same clientMsgId gets the original message
    // back. A client that restarts its request ids sends other bodies under old ids, so the key
    // also hashes the device and the body: a new message is never mistaken for a retry.
    // Request id 0 is what a client without ids sends: no dedup then.
    const clientMsgId =
      frame.requestId === 0
        ? `jim-0-${randomBytes(12).toString('base64url')}`
        : `jim-${frame.requestId}-${createHash('sha256').update(this.clientId).update('\0').update(frame.body).digest('base64url').slice(0, 32)}`;
    const { result } = await this.dispatcher.messages.send(session, {
      conversation,
      clientMsgId,
      content: jimToContent(body),
    });
    const messageId = result === undefined ? '0' : String(result.message.id);
    this.writeIfOpen(
      jimFrame(
        frame.command,
        frame.requestId,
        encodeJimBody({ type: 'ack', data: { receiverId, requestId: frame.requestId, messageId } }),
      ),
    );
  }

  /** B101: a user id. B102: a group id, or `#name` for a chatroom. */
  private conversationOf(command: string, receiverId: string): ConversationRef {
    if (command === JimCommand.C2C) return { type: ConversationType.SINGLE, target: receiverId };
    if (receiverId.startsWith('#')) return { type: ConversationType.CHATROOM, target: receiverId.slice(1) };
    return { type: ConversationType.GROUP, target: receiverId };
  }

  /** Unread messages of every conversation, oldest first per conversation; then counted read. */
  private async offlineFrames(session: DeviceSession): Promise<Uint8Array[]> {
    const groups = await this.dispatcher.messages.offline(session, OFFLINE_PER_CONVERSATION);
    const senders = groups.flatMap((g) => g.messages.map((m) => m.senderId));
    await jimProfiles.load(this.dispatcher, session, senders);
    const out: Uint8Array[] = [];
    for (const { state, messages } of groups) {
      for (const m of [...messages].sort((a, b) => a.seq - b.seq)) out.push(this.frameOf(m));
      // Older unread messages past the page are counted read too: Jim cannot page history.
      this.noteDelivered(state.conversationId, state.maxSeq);
    }
    // Recorded once these frames are written (the next queued step).
    this.later(() => {
      this.flushReads();
      return Promise.resolve([]);
    });
    return out;
  }

  /** MN: pull what this connection has not delivered yet (at most NOTIFY_PULL_LIMIT). */
  private async pullNotified(
    session: DeviceSession,
    conversationId: ConversationId,
    maxSeq: number,
  ): Promise<Uint8Array[]> {
    const known = this.delivered.get(conversationId);
    const from = Math.max(known === undefined ? maxSeq : known + 1, maxSeq - NOTIFY_PULL_LIMIT + 1, 1);
    if (from > maxSeq) return [];
    const { messages } = await this.dispatcher.messages.pull(session, {
      conversation: conversationRefFor(session.userId, conversationId),
      fromSeq: from,
      limit: maxSeq - from + 1,
      direction: PullDirection.FORWARD,
    });
    // This device's own messages were acked to it, not pushed.
    const fresh = messages.filter(
      (m) =>
        m.seq > (this.delivered.get(conversationId) ?? 0) &&
        !(m.senderId === session.userId && m.senderDevice === session.deviceId),
    );
    await jimProfiles.load(
      this.dispatcher,
      session,
      fresh.map((m) => m.senderId),
    );
    const out = fresh.map((m) => this.frameOf(m));
    for (const m of messages) this.noteDelivered(conversationId, m.seq);
    return out;
  }

  private frameOf(message: StoredMessage): Uint8Array {
    return messageFrame(message, jimProfiles.get(message.senderId) ?? noProfile, '');
  }

  /** Queues work whose frames are written in order after everything queued before. */
  private later(work: (session: DeviceSession) => Promise<Uint8Array[]>): void {
    if (this.pending >= MAX_PENDING_PUSHES) {
      if (!this.overflowing) {
        this.overflowing = true;
        this.log.warn({ conn: this.connectionId }, 'jim pushes pile up; closing');
        // Not from inside core's push loop: the close detaches the session.
        setImmediate(() => {
          this.close(Status.SLOW_CONSUMER, 'too many pushes waiting');
        });
      }
      return;
    }
    this.pending += 1;
    this.outbox = this.outbox.then(async () => {
      try {
        const session = this.readSession;
        if (session === undefined || !this.isOpen) return;
        for (const bytes of await work(session)) this.writeIfOpen(bytes);
      } catch (err) {
        this.log.warn({ err, conn: this.connectionId }, 'jim push failed');
      } finally {
        this.pending -= 1;
      }
    });
  }

  /** Makes later pushes wait until the returned function is called. */
  private hold(): () => void {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.pending += 1;
    this.outbox = this.outbox
      .then(() => gate)
      .finally(() => {
        this.pending -= 1;
      });
    return release;
  }

  private noteDelivered(conversationId: ConversationId, seq: number): void {
    if (seq <= (this.delivered.get(conversationId) ?? 0)) return;
    if (!this.delivered.has(conversationId) && this.delivered.size >= MAX_CURSORS) {
      this.flushReads();
      this.delivered.clear();
      this.recorded.clear();
    }
    this.delivered.set(conversationId, seq);
  }

  /** Records what was delivered as read (Jim clients have no read receipts of their own). */
  flushReads(): void {
    const session = this.readSession;
    if (session === undefined) return;
    for (const [conversationId, seq] of this.delivered) {
      if (seq <= (this.recorded.get(conversationId) ?? 0)) continue;
      this.recorded.set(conversationId, seq);
      this.dispatcher.messages
        .markRead(session, conversationRefFor(session.userId, conversationId), seq)
        .catch((err: unknown) => {
          this.log.warn({ err, conn: this.connectionId }, 'jim read cursor not recorded');
        });
    }
  }
}

const noProfile = { name: '', avatar: '' };

export const createJimConnection: ConnectionFactory = (
  connectionId,
  stream,
  dispatcher,
  limits,
  log,
  onClosed,
  now,
) => {
  const conn: JimConnection = new JimConnection(
    connectionId,
    stream,
    dispatcher,
    limits,
    log,
    (closed) => {
      conn.flushReads();
      onClosed(closed);
    },
    now,
  );
  return conn;
};
