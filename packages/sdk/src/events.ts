import type {
  CallSignal,
  Contact,
  KickNotice,
  Message,
  MessageContent,
  PresenceNotice,
  SendResult,
  SystemEvent,
} from '@parley/protocol';
import type { ConversationRef } from './conversation.js';

/** Where the client is. Only `online` sends; `kicked`, `unauthenticated` and `closed` are final. */
export const ConnectionState = {
  /** Not logged in yet (or the first login failed). */
  IDLE: 'idle',
  CONNECTING: 'connecting',
  ONLINE: 'online',
  /** Lost the connection; waiting for the next attempt. */
  RECONNECTING: 'reconnecting',
  /** Another login of the same platform class replaced this one. No reconnect. */
  KICKED: 'kicked',
  /** The token was revoked or expired (or is unknown). No reconnect until `login` again. */
  UNAUTHENTICATED: 'unauthenticated',
  /** `close()` or `logout()`. */
  CLOSED: 'closed',
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

/** System message kinds that describe a group change (recalled/edited have their own events). */
export const GroupEventKind = {
  GROUP_CREATED: 'group_created',
  MEMBERS_ADDED: 'members_added',
  MEMBERS_REMOVED: 'members_removed',
  MEMBER_LEFT: 'member_left',
  OWNER_TRANSFERRED: 'owner_transferred',
  ROLE_CHANGED: 'role_changed',
  MEMBER_MUTED: 'member_muted',
  GROUP_UPDATED: 'group_updated',
  GROUP_DISMISSED: 'group_dismissed',
} as const;
export type GroupEventKind = (typeof GroupEventKind)[keyof typeof GroupEventKind];

export interface RecallEvent {
  readonly conversation: ConversationRef;
  /** The seq of the recalled message. */
  readonly seq: bigint;
  readonly actorId: bigint;
  /** The SYSTEM message that records it. */
  readonly message: Message;
}

export interface EditEvent {
  readonly conversation: ConversationRef;
  readonly seq: bigint;
  readonly content: MessageContent | undefined;
  readonly actorId: bigint;
  readonly message: Message;
}

export interface GroupEvent {
  readonly conversation: ConversationRef;
  readonly kind: GroupEventKind;
  readonly event: SystemEvent;
  readonly message: Message;
}

export interface ReadEvent {
  readonly conversation: ConversationRef;
  readonly userId: bigint;
  readonly readSeq: bigint;
}

export interface TypingEvent {
  readonly conversation: ConversationRef;
  readonly userId: bigint;
}

export interface StateEvent {
  readonly state: ConnectionState;
  readonly previous: ConnectionState;
}

export interface ErrorEvent {
  readonly error: Error;
  /** What the SDK was doing, e.g. `reconnect`, `sync`, `outbox`, `handler:message`. */
  readonly context: string;
}

export interface SentEvent {
  readonly clientMsgId: string;
  readonly result: SendResult;
}

export interface SyncedEvent {
  /** Conversations that had moved since the last cursors. */
  readonly conversations: number;
}

/** Every event of `ParleyClient.on`. */
export interface ParleyEvents {
  /**
   * A stored message (including this user's own, and SYSTEM messages), exactly once, in seq
   * order per conversation, whether it came as a push, after a gap pull or in a sync.
   */
  readonly message: Message;
  readonly recall: RecallEvent;
  readonly edit: EditEvent;
  readonly group: GroupEvent;
  readonly read: ReadEvent;
  readonly typing: TypingEvent;
  readonly presence: PresenceNotice;
  /** A call signal from the peer (or `answered_elsewhere` from the server): see CallsApi. */
  readonly call: CallSignal;
  readonly contact: Contact;
  readonly kick: KickNotice;
  readonly state: StateEvent;
  readonly error: ErrorEvent;
  /** The server acknowledged an outbox message (also for messages queued by an earlier run). */
  readonly sent: SentEvent;
  /** A (re)connect's sync finished: every conversation is pulled up to its head. */
  readonly synced: SyncedEvent;
}
