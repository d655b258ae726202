import { AuthFailedError, UnauthenticatedError } from '@parley/protocol';
import type { AdminService } from '../core/admin-service.js';
import type { AuthService, LoginInput, LoginResult } from '../core/auth-service.js';
import type {
  MessageService,
  PullInput,
  PullOutcome,
  SendInput,
  SendOutcome,
  SyncCursor,
} from '../core/message-service.js';
import type { ChangeService } from '../core/change-service.js';
import type { ChatroomService } from '../core/chatroom-service.js';
import type { ContactService } from '../core/contact-service.js';
import type { ConversationService } from '../core/conversation-service.js';
import type { PresenceService } from '../core/presence-service.js';
import type { UserService } from '../core/user-service.js';
import type { RedPacketService } from '../core/red-packet-service.js';
import type { CallService } from '../core/call-service.js';
import type { GroupService } from '../core/group-service.js';
import type { SessionDirectory } from '../core/session-directory.js';
import type { DeviceSession } from '../core/session.js';
import type { ConversationState, UserId, UserRecord } from '../core/types.js';
import type { RateLimits } from '../core/rate-limits.js';

/** What the dispatcher needs from a gateway connection of any dialect. */
export interface GatewayConnection {
  readonly connectionId: number;
  /** False once the connection is closing or closed. */
  readonly isOpen: boolean;
  /** Set by the dispatcher after a successful login. */
  session: DeviceSession | undefined;
  /** Builds the DeviceSession that core will push to, bound to this connection. */
  createSession(login: LoginResult): DeviceSession;
  /** The client's address, for the per-address login limit. */
  readonly remoteAddress?: string;
}

/**
 * The one dispatcher every dialect adapter calls: it owns the authentication state of a connection
 * and routes commands to core services. Feature services (messages, groups, contacts, ...) are
 * reached through it with `requireSession(conn)`; they authorize every call themselves. Adapters
 * only translate frames to these calls and the results back to frames; no adapter routes, stores
 * or authorizes on its own. Presence follows from attach/detach here.
 */
export interface CoreServices {
  readonly admin: AdminService;
  readonly auth: AuthService;
  readonly sessions: SessionDirectory;
  readonly presence: PresenceService;
  readonly messages: MessageService;
  readonly changes: ChangeService;
  readonly groups: GroupService;
  readonly chatrooms: ChatroomService;
  readonly contacts: ContactService;
  readonly users: UserService;
  readonly conversations: ConversationService;
  readonly redPackets: RedPacketService;
  readonly calls: CallService;
  /** The failed-logins-per-address limit; none when absent. */
  readonly limits?: Pick<RateLimits, 'checkLoginAddress' | 'loginFailed'> | undefined;
}

export class Dispatcher {
  private readonly auth: AuthService;
  private readonly sessions: SessionDirectory;
  private readonly presence: PresenceService;
  readonly messages: MessageService;
  readonly changes: ChangeService;
  readonly groups: GroupService;
  readonly chatrooms: ChatroomService;
  readonly contacts: ContactService;
  readonly users: UserService;
  readonly conversations: ConversationService;
  readonly redPackets: RedPacketService;
  readonly calls: CallService;
  private readonly limits: CoreServices['limits'];

  constructor(
    services: CoreServices,
    /** Failures of background work (presence broadcasts) that no request waits for. */
    private readonly onBackgroundError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    ({
      auth: this.auth,
      sessions: this.sessions,
      presence: this.presence,
      messages: this.messages,
      changes: this.changes,
      groups: this.groups,
      chatrooms: this.chatrooms,
      contacts: this.contacts,
      users: this.users,
      conversations: this.conversations,
      redPackets: this.redPackets,
      calls: this.calls,
    } = services);
    this.limits = services.limits;
  }

  register(username: string, password: string, displayName: string): Promise<UserRecord> {
    return this.auth.register(username, password, displayName);
  }

  async login(conn: GatewayConnection, input: LoginInput): Promise<LoginResult> {
    const address = conn.remoteAddress ?? '';
    await this.limits?.checkLoginAddress(address);
    let result: LoginResult;
    try {
      result = await this.auth.login(input);
    } catch (err) {
      // Wrong passwords and unknown tokens count against the address; stale tokens do not.
      if (err instanceof AuthFailedError) await this.limits?.loginFailed(address);
      throw err;
    }
    // The client may have gone while its password was checked: attach nothing for a dead connection.
    if (!conn.isOpen) throw new UnauthenticatedError('connection closed during login');
    // A second LOGIN on an authenticated connection replaces its session.
    if (conn.session !== undefined) this.detach(conn.session);
    const session = conn.createSession(result);
    conn.session = session;
    const wasOnline = this.sessions.isOnline(session.userId);
    const { replaced } = this.sessions.attach(session);
    if (!wasOnline) this.background(this.presence.online(session.userId));
    // The replaced device signed in with its own token; that token dies with its session. In the
    // background: the new session is attached already, so this login must not report a failure.
    if (replaced !== undefined && replaced.tokenHash !== session.tokenHash) {
      this.background(this.auth.logout(replaced.tokenHash));
    }
    this.background(this.kickIfBanned(session.userId));
    return result;
  }

  /**
   * A ban that landed while this login ran (after its check, before the attach) found no session
   * to kick; read again now that the session is attached, and kick it everywhere if so.
   */
  private async kickIfBanned(userId: UserId): Promise<void> {
    const text = await this.auth.banned(userId);
    if (text !== undefined) this.sessions.push([userId], { kind: 'suspended', text });
  }

  async logout(conn: GatewayConnection): Promise<void> {
    const session = this.requireSession(conn);
    await this.auth.logout(session.tokenHash);
    this.disconnected(conn);
  }

  /** Called by the gateway when a connection closes, for whatever reason. */
  disconnected(conn: GatewayConnection): void {
    if (conn.session !== undefined) this.detach(conn.session);
    conn.session = undefined;
  }

  private detach(session: DeviceSession): void {
    this.sessions.detach(session);
    if (!this.sessions.isOnline(session.userId)) this.background(this.presence.offline(session.userId));
  }

  private background(work: Promise<void>): void {
    work.catch(this.onBackgroundError);
  }

  ping(): number {
    return this.now();
  }

  send(conn: GatewayConnection, input: SendInput): Promise<SendOutcome> {
    return this.messages.send(this.requireSession(conn), input);
  }

  pull(conn: GatewayConnection, input: PullInput): Promise<PullOutcome> {
    return this.messages.pull(this.requireSession(conn), input);
  }

  sync(conn: GatewayConnection, cursors: readonly SyncCursor[]): Promise<ConversationState[]> {
    return this.messages.sync(this.requireSession(conn), cursors);
  }

  requireSession(conn: GatewayConnection): DeviceSession {
    if (conn.session === undefined) throw new UnauthenticatedError('log in first');
    return conn.session;
  }
}
