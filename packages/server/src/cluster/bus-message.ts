import { deserialize, serialize } from 'node:v8';
import type { PresenceEntry } from '../core/cluster.js';
import type { SessionEvent } from '../core/session.js';
import type { ConversationId, UserId } from '../core/types.js';

/**
 * What nodes tell each other over the bus. `push` goes to one node with every recipient that
 * node holds (one bus message per target node, DESIGN §7); the rest are broadcasts or replies.
 */
export type BusMessage =
  | {
      readonly type: 'push';
      readonly userIds: readonly UserId[];
      /** The PushEvent, encoded once for every target node. */
      readonly event: Uint8Array;
    }
  | {
      /** A device attached on `from`: sessions of the same user and platform elsewhere are replaced. */
      readonly type: 'attached';
      readonly from: string;
      readonly entry: PresenceEntry;
      readonly tokenHash: string;
    }
  | {
      readonly type: 'detached';
      readonly from: string;
      readonly userId: UserId;
      readonly platform: number;
      readonly attachedAt: number;
      /**
       * `from` still counted a device of the user elsewhere, so it did not announce the user
       * offline. Absent from nodes built before it: read as false.
       */
      readonly stillOnline?: boolean;
    }
  | {
      /** Every device of `from`, replacing what the receivers knew of it (start, Redis restart). */
      readonly type: 'snapshot';
      readonly from: string;
      readonly entries: readonly PresenceEntry[];
    }
  | {
      /** A node is leaving: forget its devices at once instead of waiting for its TTL. */
      readonly type: 'bye';
      readonly from: string;
    }
  | {
      /**
       * An admin banned these users: every node kicks their sessions. A broadcast, not a `push`:
       * it must reach a device attached a moment ago on a node the sender has not heard of yet.
       */
      readonly type: 'suspended';
      readonly from: string;
      readonly userIds: readonly UserId[];
      readonly text: string;
    }
  | {
      /** Membership of a conversation changed: drop cached member lists. */
      readonly type: 'members';
      readonly from: string;
      readonly conversationId: ConversationId;
    };

export function encodeBusMessage(message: BusMessage): Uint8Array {
  return serialize(message);
}

/** Throws on bytes that are not a bus message (a foreign publisher on our channel). */
export function decodeBusMessage(bytes: Uint8Array): BusMessage {
  const value: unknown = deserialize(bytes);
  if (typeof value !== 'object' || value === null || !('type' in value) || typeof value.type !== 'string') {
    throw new TypeError('not a bus message');
  }
  return value as BusMessage;
}

export function encodePushEvent(event: SessionEvent): Uint8Array {
  return serialize(event);
}

export function decodePushEvent(bytes: Uint8Array): SessionEvent {
  return deserialize(bytes) as SessionEvent;
}
