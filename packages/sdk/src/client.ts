import { create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import {
  AuthFailedError,
  Command,
  ContentType,
  DisconnectSchema,
  ForbiddenError,
  KickNoticeSchema,
  KickReason,
  KickedError,
  LoginRequestSchema,
  LoginResponseSchema,
  LogoutRequestSchema,
  LogoutResponseSchema,
  MessageSchema,
  NotifySchema,
  Platform,
  PresenceNoticeSchema,
  CallSignalSchema,
  ContactNoticeSchema,
  PullRequestSchema,
  PullResponseSchema,
  ReadNoticeSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
  Status,
  SyncRequestSchema,
  SyncResponseSchema,
  TimeoutError,
  TokenExpiredError,
  TokenRevokedError,
  commandName,
  type Frame,
  type LoginResponse,
  type Message,
  type SendResult,
} from '@parley/protocol';
import { fromBinary } from '@bufbuild/protobuf';
import { ChatroomsApi } from './api/chatrooms.js';
import { ContactsApi } from './api/contacts.js';
import { ConversationsApi } from './api/conversations.js';
import { GroupsApi } from './api/groups.js';
import { MessagesApi } from './api/messages.js';
import { UsersApi } from './api/users.js';
import { CallsApi } from './api/calls.js';
import { WalletApi } from './api/wallet.js';
import { DEFAULT_BACKOFF, backoffDelay, randomId, type BackoffOptions } from './backoff.js';
import { Connection } from './connection.js';
import { refOf } from './conversation.js';
import { Emitter } from './emitter.js';
import { serverKeySource, type EncryptionOptions, type ServerKeySource } from './encryption.js';
import { ClientStoppedError, ConnectionClosedError } from './errors.js';
import { ConnectionState, GroupEventKind, type ParleyEvents } from './events.js';
import { Outbox } from './outbox.js';
import { MemoryStorage, type ClientStorage, type StoredSession } from './storage.js';
import { SyncEngine } from './sync.js';
import type { TransportFactory } from './transport.js';

export interface ParleyClientOptions {
  /** How to reach the server: `tcpTransport(...)`, `tlsTransport(...)`, `webSocketTransport(...)`. */
  readonly transport: TransportFactory;
  /** Cursors, outbox and token. Default: in memory. Browsers: `IndexedDbStorage`. */
  readonly storage?: ClientStorage;
  /** Stable per installation; default: the stored one, else a random one. */
  readonly deviceId?: string;
  /** Platform class (one live session per user and class). Default PC. */
  readonly platform?: Platform;
  /** Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** PING period; default 25 000 (the server drops connections idle for 90 s). */
  readonly heartbeatIntervalMs?: number;
  /** A pong later than this means the connection is dead. Default 10 000. */
  readonly heartbeatTimeoutMs?: number;
  readonly reconnect?: Partial<BackoffOptions>;
  /** Messages in flight at once. Default 32. */
  readonly outboxWindow?: number;
  /** MP page size (≤ 200). Default 200. */
  readonly pullLimit?: number;
  /** RSA LOGIN, then AES-256-GCM frames both ways, over any transport (./encryption.ts). */
  readonly encryption?: EncryptionOptions;
}

export type Credentials =
  { readonly username: string; readonly password: string } | { readonly token: string };

/** The typed request function the feature APIs use. */
export interface Caller {
  call<Req extends DescMessage, Res extends DescMessage>(
    command: number,
    reqSchema: Req,
    init: MessageInitShape<Req>,
    resSchema: Res,
  ): Promise<MessageShape<Res>>;
  /** A request whose response body is empty. */
  callEmpty<Req extends DescMessage>(
    command: number,
    reqSchema: Req,
    init: MessageInitShape<Req>,
  ): Promise<void>;
}

const GROUP_KINDS: ReadonlySet<string> = new Set(Object.values(GroupEventKind));

/**
 * The SDK's facade: log in once with a password, then stay connected. The client reconnects on
 * its own (jittered exponential backoff), logs in again with the token from the first login,
 * re-sends its outbox, syncs, and hands the app every message exactly once, in order.
 */
export class ParleyClient implements Caller {
  readonly messages: MessagesApi;
  readonly groups: GroupsApi;
  readonly chatrooms: ChatroomsApi;
  readonly contacts: ContactsApi;
  readonly users: UsersApi;
  readonly conversations: ConversationsApi;
  readonly calls: CallsApi;
  readonly wallet: WalletApi;

  private readonly storage: ClientStorage;
  private readonly emitter: Emitter<ParleyEvents>;
  private readonly sync: SyncEngine;
  private readonly outbox: Outbox;
  private readonly backoff: BackoffOptions;
  private readonly requestTimeoutMs: number;
  private currentState: ConnectionState = ConnectionState.IDLE;
  /** The online connection (logged in). */
  private conn: Connection | undefined;
  private session: StoredSession | undefined;
  private deviceIdValue: string | undefined;
  /** True once the client must not (re)connect: before the first login and after a final state. */
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set by a DISCONNECT notice: the server's own delay for the next attempt. */
  private serverDelayMs: number | undefined;
  private onlineWaiters: { resolve: (c: Connection) => void; reject: (e: Error) => void }[] = [];
  private loaded: Promise<void> | undefined;
  private readonly serverKey: ServerKeySource | undefined;

  constructor(private readonly options: ParleyClientOptions) {
    this.serverKey = options.encryption === undefined ? undefined : serverKeySource(options.encryption);
    this.storage = options.storage ?? new MemoryStorage();
    this.backoff = { ...DEFAULT_BACKOFF, ...options.reconnect };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.deviceIdValue = options.deviceId;
    this.emitter = new Emitter<ParleyEvents>((error, event) => {
      if (event !== 'error')
        this.report(error instanceof Error ? error : new Error(String(error)), `handler:${event}`);
    });
    this.sync = new SyncEngine(
      {
        pull: (conversation, fromSeq, limit) =>
          this.call(Command.MP, PullRequestSchema, { conversation, fromSeq, limit }, PullResponseSchema),
        sync: (cursors) => this.call(Command.SYNC, SyncRequestSchema, { cursors }, SyncResponseSchema),
        deliver: (message) => {
          this.deliver(message);
        },
        saveCursor: (key, seq) => {
          this.persist(this.storage.saveCursor(key, seq));
        },
        stalled: () => {
          this.conn?.close(new TimeoutError('a pull got no response in time'));
        },
        report: (error, context) => {
          this.report(error, context);
        },
      },
      Math.min(200, Math.max(1, options.pullLimit ?? 200)),
    );
    this.outbox = new Outbox(
      {
        connection: () => this.conn,
        acked: (message, result) => {
          this.onAcked(message, result);
        },
        dropConnection: () => {
          this.conn?.close(new TimeoutError('a send got no ack in time'));
        },
        putRecord: (record) => {
          this.persist(this.storage.putOutbox(record));
        },
        deleteRecord: (id) => {
          this.persist(this.storage.deleteOutbox(id));
        },
        report: (error, context) => {
          this.report(error, context);
        },
      },
      Math.max(1, options.outboxWindow ?? 32),
    );
    this.messages = new MessagesApi(this, {
      enqueue: (message) => this.outbox.enqueue(message),
      cursor: (c) => this.sync.cursor(c),
    });
    this.groups = new GroupsApi(this);
    this.chatrooms = new ChatroomsApi(this);
    this.contacts = new ContactsApi(this);
    this.users = new UsersApi(this);
    this.conversations = new ConversationsApi(this);
    this.calls = new CallsApi(this);
    this.wallet = new WalletApi(this);
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The logged-in user, once known. */
  get userId(): bigint | undefined {
    return this.session === undefined ? undefined : BigInt(this.session.userId);
  }

  /** The token reconnects use (from the first login). */
  get token(): string | undefined {
    return this.session?.token;
  }

  get deviceId(): string | undefined {
    return this.deviceIdValue;
  }

  /** Messages waiting for their ack (clientMsgIds, in send order). */
  get pendingMessages(): string[] {
    return this.outbox.pending();
  }

  on<K extends keyof ParleyEvents>(event: K, handler: (payload: ParleyEvents[K]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  off<K extends keyof ParleyEvents>(event: K, handler: (payload: ParleyEvents[K]) => void): void {
    this.emitter.off(event, handler);
  }

  /** Creates an account (on the live connection, or on a short-lived one). Returns the user id. */
  async register(username: string, password: string, displayName = ''): Promise<bigint> {
    const init = { username, password, displayName };
    if (this.conn !== undefined) {
      return (await this.conn.call(Command.REGISTER, RegisterRequestSchema, init, RegisterResponseSchema))
        .userId;
    }
    const conn = this.newConnection();
    try {
      await conn.open();
      return (await conn.call(Command.REGISTER, RegisterRequestSchema, init, RegisterResponseSchema)).userId;
    } finally {
      conn.close();
    }
  }

  /**
   * Logs in and stays connected until `close`, `logout`, a kick or a rejected token. The token
   * of this login is what every reconnect uses. Throws the server's error (e.g. AuthFailedError)
   * without retrying.
   */
  async login(credentials: Credentials): Promise<LoginResponse> {
    if (!this.stopped) throw new Error(`already ${this.currentState}`);
    await this.loadStorage();
    this.stopped = false;
    this.setState(ConnectionState.CONNECTING);
    let conn: Connection | undefined;
    try {
      conn = this.newConnection();
      await conn.open();
      const res = await this.sendLogin(conn, credentials);
      if (this.isStopped()) throw new ClientStoppedError();
      await this.adoptSession(res, 'token' in credentials ? credentials.token : res.token);
      this.adopt(conn);
      return res;
    } catch (err) {
      conn?.close();
      if (!this.isStopped()) {
        this.stopped = true;
        this.setState(isAuthError(err) ? ConnectionState.UNAUTHENTICATED : ConnectionState.IDLE);
      }
      throw err;
    }
  }

  /** Logs in with the token a previous run stored. */
  async resume(): Promise<LoginResponse> {
    await this.loadStorage();
    const token = this.session?.token;
    if (token === undefined || token === '') throw new AuthFailedError('no stored session');
    return this.login({ token });
  }

  /** Revokes the token on the server, then stops. The stored session is forgotten. */
  async logout(): Promise<void> {
    const conn = this.conn;
    try {
      if (conn !== undefined) await conn.call(Command.LOGOUT, LogoutRequestSchema, {}, LogoutResponseSchema);
    } finally {
      if (this.session !== undefined) {
        this.session = { ...this.session, token: '' };
        this.persist(this.storage.saveSession(this.session));
      }
      this.stop(ConnectionState.CLOSED, new ClientStoppedError('logged out'));
    }
  }

  /** Stops without logging out: the stored token and outbox stay for `resume()`. */
  close(): void {
    this.stop(ConnectionState.CLOSED, new ClientStoppedError());
  }

  /**
   * A typed request on the live connection. While the client is (re)connecting it waits for
   * the connection, up to the request timeout.
   */
  async call<Req extends DescMessage, Res extends DescMessage>(
    command: number,
    reqSchema: Req,
    init: MessageInitShape<Req>,
    resSchema: Res,
  ): Promise<MessageShape<Res>> {
    const conn = this.conn ?? (await this.whenOnline());
    return conn.call(command, reqSchema, init, resSchema);
  }

  async callEmpty<Req extends DescMessage>(
    command: number,
    reqSchema: Req,
    init: MessageInitShape<Req>,
  ): Promise<void> {
    await this.call(command, reqSchema, init, LogoutResponseSchema);
  }

  /** Resolves when the current (re)connect's sync has pulled everything (or at once if idle). */
  whenSynced(): Promise<void> {
    return this.syncing ?? Promise.resolve();
  }

  private syncing: Promise<void> | undefined;

  // ---- connection lifecycle ----

  private newConnection(): Connection {
    return new Connection(this.options.transport(), {
      requestTimeoutMs: this.requestTimeoutMs,
      ...(this.serverKey === undefined ? {} : { encryption: this.serverKey }),
    });
  }

  private loadStorage(): Promise<void> {
    this.loaded ??= (async () => {
      const [session, cursors, outbox] = await Promise.all([
        this.storage.loadSession(),
        this.storage.loadCursors(),
        this.storage.loadOutbox(),
      ]);
      this.session = session;
      this.deviceIdValue ??= session?.deviceId ?? `sdk-${randomId().replace(/-/g, '').slice(0, 20)}`;
      this.sync.load(cursors);
      this.outbox.load(outbox);
    })();
    return this.loaded;
  }

  private sendLogin(conn: Connection, credentials: Credentials): Promise<LoginResponse> {
    const platform = this.options.platform ?? Platform.PC;
    const init =
      'token' in credentials
        ? { token: credentials.token, deviceId: this.deviceIdValue ?? '', platform }
        : {
            username: credentials.username,
            password: credentials.password,
            deviceId: this.deviceIdValue ?? '',
            platform,
          };
    // Notifications may follow the LOGIN response in the same chunk: handle them from the start.
    conn.onNotify((frame) => {
      this.onNotify(conn, frame);
    });
    return conn.call(Command.LOGIN, LoginRequestSchema, init, LoginResponseSchema);
  }

  /** Stores the session; a different user than the stored one starts from empty state. */
  private async adoptSession(res: LoginResponse, token: string): Promise<void> {
    const userId = String(res.userId);
    if (this.session !== undefined && this.session.userId !== userId) {
      await this.storage.clear();
      this.sync.reset();
      this.outbox.rejectWaiters(new ClientStoppedError('another user signed in'));
      this.outbox.clear();
    }
    this.session = { userId, token, deviceId: this.deviceIdValue ?? '' };
    this.persist(this.storage.saveSession(this.session));
  }

  private adopt(conn: Connection): void {
    this.conn = conn;
    this.attempt = 0;
    this.serverDelayMs = undefined;
    conn.onClose(() => {
      this.onConnectionClosed(conn);
    });
    if (conn.isClosed) return;
    conn.startHeartbeat(
      this.options.heartbeatIntervalMs ?? 25_000,
      this.options.heartbeatTimeoutMs ?? 10_000,
    );
    this.setState(ConnectionState.ONLINE);
    for (const w of this.onlineWaiters.splice(0)) w.resolve(conn);
    // The outbox goes first: its requests precede the sync's on the wire, so acks of messages
    // the server already had come back before the pulls that would contain them.
    this.outbox.pump();
    const syncing = this.sync.syncAll().then(
      (conversations) => {
        if (this.conn === conn) this.emitter.emit('synced', { conversations });
      },
      (err: unknown) => {
        if (err instanceof ConnectionClosedError || err instanceof ClientStoppedError) return;
        this.report(err instanceof Error ? err : new Error(String(err)), 'sync');
      },
    );
    this.syncing = syncing;
  }

  private onConnectionClosed(conn: Connection): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.outbox.connectionLost();
    if (this.stopped) return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.serverDelayMs ?? backoffDelay(this.backoff, this.attempt);
    this.serverDelayMs = undefined;
    this.attempt += 1;
    this.setState(ConnectionState.RECONNECTING);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    const token = this.session?.token ?? '';
    this.setState(ConnectionState.CONNECTING);
    const conn = this.newConnection();
    try {
      await conn.open();
      const res = await this.sendLogin(conn, { token });
      if (this.isStopped()) {
        conn.close();
        return;
      }
      await this.adoptSession(res, token);
      this.adopt(conn);
    } catch (err) {
      conn.close();
      if (this.isStopped()) return;
      if (err instanceof ForbiddenError) {
        // Banned by an admin: retrying cannot help until the ban ends; the token stays for then.
        this.stop(ConnectionState.UNAUTHENTICATED, err);
        this.report(err, 'reconnect');
        return;
      }
      if (isAuthError(err)) {
        // The token is dead (revoked, expired, unknown): retrying cannot help.
        const error = err instanceof Error ? err : new Error(String(err));
        if (this.session !== undefined) {
          this.session = { ...this.session, token: '' };
          this.persist(this.storage.saveSession(this.session));
        }
        this.stop(ConnectionState.UNAUTHENTICATED, error);
        this.report(error, 'reconnect');
        return;
      }
      this.scheduleReconnect();
    }
  }

  /** Enters a final state: no reconnect; waiting calls and sends are rejected. */
  private stop(state: ConnectionState, error: Error): void {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const conn = this.conn;
    this.conn = undefined;
    this.outbox.connectionLost();
    conn?.close(error);
    for (const w of this.onlineWaiters.splice(0)) w.reject(error);
    this.outbox.rejectWaiters(error);
    this.setState(state);
  }

  /** A method, not the field: `close()` may run while a login awaits, which narrowing misses. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private whenOnline(): Promise<Connection> {
    if (this.stopped) return Promise.reject(new ClientStoppedError(`client is ${this.currentState}`));
    return new Promise<Connection>((resolve, reject) => {
      const waiter = {
        resolve: (c: Connection) => {
          clearTimeout(timer);
          resolve(c);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.onlineWaiters = this.onlineWaiters.filter((w) => w !== waiter);
        reject(new TimeoutError(`not connected within ${String(this.requestTimeoutMs)} ms`));
      }, this.requestTimeoutMs);
      this.onlineWaiters.push(waiter);
    });
  }

  private setState(state: ConnectionState): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    this.emitter.emit('state', { state, previous });
  }

  // ---- inbound ----

  private onNotify(conn: Connection, frame: Frame): void {
    if (conn.isClosed) return;
    try {
      this.handleNotify(conn, frame);
    } catch (err) {
      // An undecodable body is the server's bug; the connection stays usable.
      this.report(
        err instanceof Error ? err : new Error(String(err)),
        `notify:${commandName(frame.command)}`,
      );
    }
  }

  private handleNotify(conn: Connection, frame: Frame): void {
    switch (frame.command) {
      case Command.MPS: {
        const message = fromBinary(MessageSchema, frame.body);
        if (message.messageContent?.contentType === ContentType.TYPING) {
          this.emitter.emit('typing', {
            conversation: refOf(message.conversation),
            userId: message.senderId,
          });
          return;
        }
        this.sync.ingest(message);
        return;
      }
      case Command.SYNC:
        // The server may have lost pushes to this device (a cluster bus outage): sync now.
        this.sync.syncAll().catch((err: unknown) => {
          if (err instanceof ConnectionClosedError || err instanceof ClientStoppedError) return;
          this.report(err instanceof Error ? err : new Error(String(err)), 'sync');
        });
        return;
      case Command.MN: {
        const notify = fromBinary(NotifySchema, frame.body);
        this.sync.notify(refOf(notify.conversation), notify.maxSeq);
        return;
      }
      case Command.READ: {
        const notice = fromBinary(ReadNoticeSchema, frame.body);
        this.emitter.emit('read', {
          conversation: refOf(notice.conversation),
          userId: notice.userId,
          readSeq: notice.readSeq,
        });
        return;
      }
      case Command.PRESENCE:
        this.emitter.emit('presence', fromBinary(PresenceNoticeSchema, frame.body));
        return;
      case Command.CALL:
        this.emitter.emit('call', fromBinary(CallSignalSchema, frame.body));
        return;
      case Command.CONTACT_NOTICE: {
        const contact = fromBinary(ContactNoticeSchema, frame.body).contact;
        if (contact !== undefined) this.emitter.emit('contact', contact);
        return;
      }
      case Command.KICK: {
        // Replaced by another login of this platform class (the server revoked our token, and
        // reconnecting would only kick the new session back), or banned by an admin: stop for
        // good. A ban leaves the token alive, for when it is lifted (resume()).
        const notice = fromBinary(KickNoticeSchema, frame.body);
        if (this.conn !== conn && this.conn !== undefined) return;
        if (this.session !== undefined && notice.reason !== KickReason.BANNED) {
          this.session = { ...this.session, token: '' };
          this.persist(this.storage.saveSession(this.session));
        }
        this.emitter.emit('kick', notice);
        this.stop(ConnectionState.KICKED, new KickedError(notice.text === '' ? 'kicked' : notice.text));
        return;
      }
      case Command.DISCONNECT: {
        // The server closes the connection right after; a shutdown says when to come back.
        const notice = fromBinary(DisconnectSchema, frame.body);
        if (frame.status === Status.SHUTTING_DOWN) {
          this.serverDelayMs =
            notice.reconnectAfterMs + Math.round(Math.random() * this.backoff.initialDelayMs);
        }
        return;
      }
      default:
        // A notification this SDK version does not know: newer servers may add some.
        return;
    }
  }

  /** A message reaches the app (from the sync engine: in order, once). */
  private deliver(message: Message): void {
    this.emitter.emit('message', message);
    const content = message.messageContent;
    const system = content?.system;
    if (content?.contentType !== ContentType.SYSTEM || system === undefined) return;
    const conversation = refOf(message.conversation);
    if (system.kind === 'recalled') {
      this.emitter.emit('recall', { conversation, seq: system.targetSeq, actorId: system.actorId, message });
    } else if (system.kind === 'edited') {
      this.emitter.emit('edit', {
        conversation,
        seq: system.targetSeq,
        content: system.newContent,
        actorId: system.actorId,
        message,
      });
    } else if (GROUP_KINDS.has(system.kind)) {
      this.emitter.emit('group', {
        conversation,
        kind: system.kind as GroupEventKind,
        event: system,
        message,
      });
    }
  }

  /** The ack of one of our messages: tell the app, and feed the message to the sync engine. */
  private onAcked(sent: Message, result: SendResult): void {
    this.emitter.emit('sent', { clientMsgId: sent.clientMsgId, result });
    const session = this.session;
    if (session === undefined) return;
    const message = create(MessageSchema, {
      messageId: result.messageId,
      messageContent: sent.messageContent,
      conversation: sent.conversation,
      from: session.userId,
      to: sent.conversation?.target ?? '',
      seq: result.seq,
      clientMsgId: sent.clientMsgId,
      senderId: BigInt(session.userId),
      senderDevice: session.deviceId,
      serverTime: result.serverTime,
    });
    this.sync.ingest(message);
  }

  private report(error: Error, context: string): void {
    this.emitter.emit('error', { error, context });
  }

  /** Storage writes are not awaited on the hot path; a failure is reported, not thrown. */
  private persist(write: Promise<void>): void {
    write.catch((err: unknown) => {
      this.report(err instanceof Error ? err : new Error(String(err)), 'storage');
    });
  }
}

function isAuthError(err: unknown): boolean {
  return (
    err instanceof TokenRevokedError || err instanceof TokenExpiredError || err instanceof AuthFailedError
  );
}
