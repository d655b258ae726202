import type { StoredMessage, UserId } from './types.js';

/** What core pushes to a device session. Gateways encode each event once per dialect. */
export type PushEvent =
  | {
      readonly kind: 'message';
      readonly message: StoredMessage;
      readonly senderName: string;
    }
  | {
      /** A large group moved: pull it (DESIGN §3.7). */
      readonly kind: 'notify';
      readonly conversationId: string;
      readonly maxSeq: number;
    }
  | {
      readonly kind: 'read';
      readonly conversationId: string;
      readonly userId: UserId;
      readonly readSeq: number;
    }
  | {
      readonly kind: 'presence';
      readonly userId: UserId;
      readonly online: boolean;
      readonly lastSeenAt: number;
    }
  | {
      /** A contact relation changed; `peerId` is the other user as the recipient sees it. */
      readonly kind: 'contact';
      readonly peerId: UserId;
      /** 0 = removed or declined, else a ContactState. */
      readonly state: number;
      readonly note: string;
      readonly updatedAt: number;
    }
  | {
      /**
       * Pushes to this device may have been lost (the cluster bus was down): sync now. Native
       * clients get a SYNC notify; other dialects have no sync and are not told.
       */
      readonly kind: 'resync';
    }
  | {
      /** Call signaling relayed from the other party (or the user's own other device). */
      readonly kind: 'call';
      readonly callId: string;
      readonly fromUserId: UserId;
      readonly fromDevice: string;
      readonly signal: string;
      readonly media: string;
      readonly payload: string;
    }
  | {
      readonly kind: 'typing';
      readonly conversationId: string;
      readonly userId: UserId;
      readonly deviceId: string;
    };

/** An admin banned the user: each of its sessions, on every node, is kicked (KickReason.BANNED). */
export interface SuspendedEvent {
  readonly kind: 'suspended';
  readonly text: string;
}

/** What core sends to a user's sessions: a push they deliver, or a ban that ends them. */
export type SessionEvent = PushEvent | SuspendedEvent;

export interface KickInfo {
  readonly reason: number;
  readonly byDeviceId: string;
  readonly byPlatform: number;
  readonly text: string;
}

/**
 * A logged-in device as core sees it. The gateway connection implements `deliver` and `kick`;
 * core never touches a socket.
 */
export interface DeviceSession {
  /** Unique per connection within this node. */
  readonly sessionId: number;
  readonly userId: UserId;
  readonly username: string;
  readonly deviceId: string;
  readonly platform: number;
  readonly tokenHash: string;
  deliver(event: PushEvent): void;
  /** Tell the device it was replaced, then close its connection. */
  kick(info: KickInfo): void;
}

/** Pushes events to the online devices of a set of users (local or, in cluster mode, remote). */
export interface PushPort {
  push(userIds: readonly UserId[], event: SessionEvent, skipSessionId?: number): void;
}
