import { createHash, randomBytes } from 'node:crypto';
import {
  BadRequestError,
  ConversationType,
  ForbiddenError,
  IMTP_OFFLINE_ENTRY_OVERHEAD,
  ImtpCommand,
  ImtpDecoder,
  Platform,
  Status,
  UnauthenticatedError,
  UnknownCommandError,
  decodeImtpAuth,
  decodeImtpLogin,
  decodeImtpMessage,
  encodeImtpLoginResult,
  encodeImtpOfflineBody,
  isImtpMessageCommand,
  imtpCallCommand,
  imtpCallKind,
  encodeImtpFrame,
  encodeImtpMessage,
  isImtpUnsupportedCommand,
  peekImtpAckId,
  toParleyError,
  type ImtpFrame,
  type ImtpMessageBody,
  type ImtpOfflineEntry,
} from '@parley/protocol';
import type { Credentials } from '../../core/auth-service.js';
import { conversationRefFor } from '../../core/conversation-id.js';
import type { DeviceSession, KickInfo, PushEvent } from '../../core/session.js';
import { PullDirection, type ConversationId, type StoredMessage, type UserId } from '../../core/types.js';
import type { ConnectionFactory } from '../native/native-gateway.js';
import { StreamConnection, type Decoded } from '../stream-connection.js';
import { contentFromImtp } from './imtp-content.js';
import { entryFrame, messageEntry, msgRes, noticeFrame, serverFrame } from './imtp-wire.js';

/** Unread messages per conversation handed over by OFFLINE (and after login). */
const OFFLINE_PER_CONVERSATION = 100;
/** How far back a large-group notify is pulled for a connection that has seen nothing of it. */
const NOTIFY_WINDOW = 50;
/** Bound on the per-connection "highest seq delivered" memory (cleared past it). */
const MAX_TRACKED_CONVERSATIONS = 10_000;

/** Frames of one push, per point of view (encode once, write many: DESIGN §12). */
const pushCache = new WeakMap<PushEvent, Map<string, Uint8Array>>();

/**
 * One IMTP connection (seed 000, docs/protocols/imtp.md): the frame codec is
 * `@parley/protocol`'s ImtpDecoder; every command goes through the one Dispatcher. The lifecycle
 * (timeouts, ordering, backpressure, close) is StreamConnection's.
 */
export class ImtpConnection extends StreamConnection<ImtpFrame> {
  private decoder: ImtpDecoder | undefined;
  /** After a framing fault the stream is closed without a notice. */
  private faulted = false;
  /** Highest seq written to this connection per conversation (pushes, offline, notify pulls). */
  private readonly delivered = new Map<ConversationId, number>();
  /** Large-group notifies waiting for their pull (one pending pull per conversation). */
  private readonly pendingNotify = new Map<ConversationId, number>();
  private notifyChain: Promise<void> = Promise.resolve();

  protected decode(chunk: Uint8Array): Decoded<ImtpFrame> {
    this.decoder ??= new ImtpDecoder({ maxBodyLength: this.limits.maxBodyLength });
    this.decoder.push(chunk);
    const frames: ImtpFrame[] = [];
    for (;;) {
      const result = this.decoder.next();
      if (result.kind === 'need-more') return { kind: 'frames', frames };
      if (result.kind === 'fault') {
        this.faulted = true;
        return { kind: 'fault', frames, status: result.error.status, reason: result.error.message };
      }
      frames.push(result.frame);
    }
  }

  private get viewer(): UserId {
    return this.session?.userId ?? 0n;
  }

  protected async handle(frame: ImtpFrame): Promise<void> {
    try {
      if (frame.cmd === ImtpCommand.LOGIN || frame.cmd === ImtpCommand.AUTH) {
        await this.login(frame);
      } else if (frame.cmd === ImtpCommand.HEARTBEAT) {
        this.writeIfOpen(serverFrame(ImtpCommand.HEARTBEAT_RES, new Uint8Array(0), this.viewer));
      } else if (isImtpUnsupportedCommand(frame.cmd)) {
        this.writeIfOpen(msgRes(Status.UNSUPPORTED, ackIdOf(frame.body), this.viewer));
      } else if (isImtpMessageCommand(frame.cmd)) {
        await this.send(frame);
      } else if (imtpCallKind(frame.cmd) !== undefined) {
        await this.call(frame);
      } else if (frame.cmd === ImtpCommand.OFFLINE) {
        await this.deliverOffline(this.dispatcher.requireSession(this), true);
      } else if (frame.cmd === ImtpCommand.MSG_RES) {
        // Clients may acknowledge the messages they receive; Parley needs no such ack.
      } else {
        throw new UnknownCommandError(`unknown IMTP command ${frame.cmd}`);
      }
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId, cmd: frame.cmd }, 'IMTP request failed');
      }
      this.writeIfOpen(msgRes(error.status, 0n, this.viewer));
    }
  }

  /** LOGIN (126) or AUTH (120) → LOGIN_RES / AUTH_RES: user info JSON + state byte. */
  private async login(frame: ImtpFrame): Promise<void> {
    const answer = frame.cmd === ImtpCommand.LOGIN ? ImtpCommand.LOGIN_RES : ImtpCommand.AUTH_RES;
    let session: DeviceSession;
    try {
      let credentials: Credentials;
      if (frame.cmd === ImtpCommand.LOGIN) {
        const req = decodeImtpLogin(frame.body);
        credentials = { kind: 'password', username: req.username, password: req.password };
      } else {
        credentials = { kind: 'token', token: decodeImtpAuth(frame.body) };
      }
      const login = await this.dispatcher.login(this, {
        credentials,
        deviceId: `imtp-${randomBytes(8).toString('hex')}`,
        platform: Platform.PC,
      });
      session = this.dispatcher.requireSession(this);
      const info = {
        id: String(login.user.id),
        username: login.user.username,
        displayName: login.user.displayName,
        avatarUrl: login.user.avatarUrl,
        token: login.token,
      };
      this.writeIfOpen(serverFrame(answer, encodeImtpLoginResult(Status.OK, info), login.user.id));
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL)
        this.log.error({ err, conn: this.connectionId }, 'IMTP login failed');
      this.writeIfOpen(
        serverFrame(answer, encodeImtpLoginResult(error.status, { message: error.message }), this.viewer),
      );
      return;
    }
    // IMTP clients have no sync: what arrived while they were away follows the login.
    await this.deliverOffline(session, false);
  }

  /** Message commands → MessageService.send; MSG_RES after the commit. */
  private async send(frame: ImtpFrame): Promise<void> {
    let ackId = peekImtpAckId(frame.body) ?? 0n;
    try {
      const msg = decodeImtpMessage(frame.body);
      ackId = msg.ackId;
      const session = this.session;
      if (session === undefined) throw new UnauthenticatedError('log in first');
      // The sender field is checked, never trusted: the session says who sends.
      if (frame.sender !== session.userId) throw new ForbiddenError('sender is not the logged-in user');
      if (frame.receiver <= 0n) throw new BadRequestError('receiver must be a user or group id');
      const conversation = {
        type: frame.group ? ConversationType.GROUP : ConversationType.SINGLE,
        target: String(frame.receiver),
      };
      await this.dispatcher.messages.send(session, {
        conversation,
        clientMsgId: retryKey(frame.cmd, msg),
        content: contentFromImtp(frame.cmd, msg),
      });
      this.writeIfOpen(msgRes(Status.OK, msg.ackId, session.userId));
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId, cmd: frame.cmd }, 'IMTP send failed');
      }
      this.writeIfOpen(msgRes(error.status, ackId, this.viewer));
    }
  }

  /** Call signals (7, 8, 40-46) → CallService; MSG_RES with the request's ackId. */
  private async call(frame: ImtpFrame): Promise<void> {
    let ackId = peekImtpAckId(frame.body) ?? 0n;
    try {
      const msg = decodeImtpMessage(frame.body);
      ackId = msg.ackId;
      const session = this.dispatcher.requireSession(this);
      if (frame.sender !== session.userId) throw new ForbiddenError('sender is not the logged-in user');
      const kind = imtpCallKind(frame.cmd) ?? '';
      const invite = kind === 'invite';
      // An invite may leave the call id to the server: it is then derived from the request id.
      const callId = msg.metadata?.name ?? (invite ? `imtp-${session.userId}-${msg.ackId}` : '');
      await this.dispatcher.calls.signal(session, {
        callId,
        peerId: frame.receiver,
        kind,
        media: frame.cmd === ImtpCommand.VIDEO_CALL ? 'video' : 'voice',
        payload: msg.text,
      });
      this.writeIfOpen(msgRes(Status.OK, msg.ackId, session.userId));
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId, cmd: frame.cmd }, 'IMTP call signal failed');
      }
      this.writeIfOpen(msgRes(error.status, ackId, this.viewer));
    }
  }

  /**
   * The unread messages of every conversation as OFFLINE_RES frames (each under the body limit),
   * then the read cursors move past them: IMTP clients keep no cursor of their own.
   */
  private async deliverOffline(session: DeviceSession, answerEmpty: boolean): Promise<void> {
    const unread = await this.dispatcher.messages.offline(session, OFFLINE_PER_CONVERSATION);
    const viewer = session.userId;
    const entries: ImtpOfflineEntry[] = [];
    const readUpTo = new Map<ConversationId, number>();
    for (const { state, messages } of unread) {
      const already = this.delivered.get(state.conversationId) ?? 0;
      for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
        readUpTo.set(state.conversationId, Math.max(readUpTo.get(state.conversationId) ?? 0, m.seq));
        if (m.seq <= already) continue;
        entries.push(messageEntry(m, viewer));
        this.remember(m.conversationId, m.seq);
      }
    }
    if (entries.length > 0 || answerEmpty) this.writeOffline(entries, viewer);
    for (const [conversationId, seq] of readUpTo) {
      try {
        await this.dispatcher.messages.markRead(session, conversationRefFor(viewer, conversationId), seq);
      } catch (err) {
        this.log.warn({ err, conn: this.connectionId, conversationId }, 'IMTP offline read cursor not moved');
      }
    }
  }

  private writeOffline(entries: readonly ImtpOfflineEntry[], viewer: UserId): void {
    const max = this.limits.maxBodyLength;
    let batch: ImtpOfflineEntry[] = [];
    let size = 4;
    const flush = (): void => {
      this.writeIfOpen(serverFrame(ImtpCommand.OFFLINE_RES, encodeImtpOfflineBody(batch), viewer));
      batch = [];
      size = 4;
    };
    for (const entry of entries) {
      const entrySize = IMTP_OFFLINE_ENTRY_OVERHEAD + entry.body.length;
      if (batch.length > 0 && size + entrySize > max) flush();
      if (4 + entrySize > max) continue; // cannot be carried at all (content is far smaller in practice)
      batch.push(entry);
      size += entrySize;
    }
    if (batch.length > 0 || entries.length === 0) flush();
  }

  private remember(conversationId: ConversationId, seq: number): void {
    if (!this.delivered.has(conversationId) && this.delivered.size >= MAX_TRACKED_CONVERSATIONS) {
      this.delivered.clear();
    }
    if (seq > (this.delivered.get(conversationId) ?? 0)) this.delivered.set(conversationId, seq);
  }

  protected encodePush(event: PushEvent, viewer: bigint): Uint8Array | undefined {
    switch (event.kind) {
      case 'message': {
        const message = event.message;
        this.remember(message.conversationId, message.seq);
        return cachedMessageFrame(event, message, viewer);
      }
      case 'notify':
        this.scheduleNotifyPull(event.conversationId, event.maxSeq);
        return undefined;
      case 'read':
      case 'presence':
      case 'contact':
      case 'typing':
      case 'resync':
        // IMTP has no frames for these.
        return undefined;
      case 'call': {
        const cmd = imtpCallCommand(event.signal, event.media);
        if (cmd === undefined) return undefined;
        const body = encodeImtpMessage({
          text: event.payload,
          ackId: 0n,
          timestamp: BigInt(Date.now()),
          metadata: { name: event.callId },
        });
        return encodeImtpFrame({ sender: event.fromUserId, receiver: viewer, group: false, cmd, body });
      }
    }
  }

  /** A large group moved (MN): pull what this connection has not seen and deliver it. */
  private scheduleNotifyPull(conversationId: ConversationId, maxSeq: number): void {
    const pending = this.pendingNotify.get(conversationId);
    this.pendingNotify.set(conversationId, Math.max(pending ?? 0, maxSeq));
    if (pending !== undefined) return;
    this.notifyChain = this.notifyChain
      .then(() => this.pullNotified(conversationId))
      .catch((err: unknown) => {
        this.log.warn({ err, conn: this.connectionId, conversationId }, 'IMTP notify pull failed');
      });
  }

  private async pullNotified(conversationId: ConversationId): Promise<void> {
    const maxSeq = this.pendingNotify.get(conversationId) ?? 0;
    this.pendingNotify.delete(conversationId);
    const session = this.session;
    if (session === undefined || !this.isOpen) return;
    const from = Math.max(this.delivered.get(conversationId) ?? 0, maxSeq - NOTIFY_WINDOW) + 1;
    if (from > maxSeq) return;
    const outcome = await this.dispatcher.messages.pull(session, {
      conversation: conversationRefFor(session.userId, conversationId),
      fromSeq: from,
      limit: maxSeq - from + 1,
      direction: PullDirection.FORWARD,
    });
    for (const message of outcome.messages) {
      if (message.seq <= (this.delivered.get(conversationId) ?? 0)) continue;
      this.remember(conversationId, message.seq);
      // This device's own sends were acked with MSG_RES; they are not echoed back.
      if (message.senderDevice === session.deviceId) continue;
      this.writeIfOpen(entryFrame(messageEntry(message, session.userId)));
    }
  }

  protected encodeKick(info: KickInfo): Uint8Array {
    const why = info.text === '' ? 'this account signed in on another device' : info.text;
    return noticeFrame(`[signed out] ${why}`, this.viewer);
  }

  protected encodeClose(status: Status, reason: string): Uint8Array | undefined {
    if (this.faulted) return undefined;
    return noticeFrame(`[disconnected] ${reason} (status ${status})`, this.viewer);
  }

  /** The framing is lost: IMTP has no error frame; the connection just closes. */
  protected encodeFault(): undefined {
    return undefined;
  }
}

function cachedMessageFrame(event: PushEvent, message: StoredMessage, viewer: UserId): Uint8Array {
  // Every view of a SINGLE or group message is the same frame (a SINGLE message's receiver is the
  // member who did not send it, whoever looks); chatroom lines are addressed to each viewer.
  const key = message.conversationId.startsWith('r:') ? String(viewer) : '';
  let views = pushCache.get(event);
  if (views === undefined) {
    views = new Map();
    pushCache.set(event, views);
  }
  let frame = views.get(key);
  if (frame === undefined) {
    frame = entryFrame(messageEntry(message, viewer));
    views.set(key, frame);
  }
  return frame;
}

/** The ackId of a message-shaped body, or 0 when it has none. */
function ackIdOf(body: Uint8Array): bigint {
  return peekImtpAckId(body) ?? 0n;
}

export const createImtpConnection: ConnectionFactory = (...args) => new ImtpConnection(...args);

/**
 * The dedup key of an IMTP message: a retry repeats the ackId and the message (its timestamp may
 * be rebuilt). Hashing the command, text and metadata too means a client that reuses ackIds (say,
 * after a restart) never has a new message taken for an old one and dropped.
 */
function retryKey(cmd: number, msg: ImtpMessageBody): string {
  const hash = createHash('sha256')
    .update(`${cmd}\0${msg.text}\0${JSON.stringify(msg.metadata ?? {})}`)
    .digest('base64url');
  return `imtp-${msg.ackId}-${hash.slice(0, 32)}`;
}
