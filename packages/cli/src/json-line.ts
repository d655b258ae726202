import { ConversationType } from '@parley/sdk';
import { formatTarget } from './address.js';
import { contentTypeName, conversationTypeName, describe, type MessageView } from './message-view.js';
import type { CallView, RedPacketView } from './special-content.js';
import type { UserDirectory } from './user-directory.js';

/**
 * The `--json` form of a message (`parley tail --json`, `parley history --json`): one object per
 * line. `to` is the address a reply goes to with `parley send`; `sender` is the username.
 */
export interface MessageJson {
  readonly conversation: { readonly type: 'single' | 'group' | 'chatroom'; readonly target: string };
  readonly to: string;
  readonly seq: number;
  readonly messageId: string;
  readonly clientMsgId: string;
  readonly senderId: string;
  readonly sender: string;
  readonly senderName: string;
  readonly own: boolean;
  readonly time: number;
  readonly contentType: string;
  readonly text: string;
  /** What a person would read (for media and other non-text content too). */
  readonly summary: string;
  readonly media?: {
    readonly url: string;
    readonly name: string;
    readonly mime: string;
    readonly size: number;
    readonly width: number;
    readonly height: number;
    readonly durationMs: number;
    readonly thumbnailUrl: string;
  };
  readonly system?: string;
  /** RED_PACKET messages (amounts in the smallest unit): `parley claim <packetId>` claims it. */
  readonly redPacket?: RedPacketView;
  /** CALL messages: the call record. */
  readonly call?: CallView;
  readonly recalled: boolean;
  readonly edited: boolean;
}

/** Where a reply to a message goes, e.g. `@bob`, `#1234` or `#general`. */
export function replyAddress(v: MessageView, me: string, users: UserDirectory): string {
  const { type, target } = v.conversation;
  if (type === ConversationType.GROUP) return formatTarget({ kind: 'group', groupId: target });
  if (type === ConversationType.CHATROOM) return formatTarget({ kind: 'room', name: target });
  // SINGLE targets the peer (relative to the reader); fall back to the sender for safety.
  const peer = target !== '' && target !== me ? target : v.senderId;
  const name = users.username(peer);
  return formatTarget(
    name === undefined ? { kind: 'userId', userId: peer } : { kind: 'user', username: name },
  );
}

export function toMessageJson(v: MessageView, me: string, users: UserDirectory): MessageJson {
  const senderName = v.senderName !== '' ? v.senderName : users.displayName(v.senderId);
  const json: MessageJson = {
    conversation: { type: conversationTypeName(v.conversation.type), target: v.conversation.target },
    to: replyAddress(v, me, users),
    seq: Number(v.seq),
    messageId: v.messageId,
    clientMsgId: v.clientMsgId,
    senderId: v.senderId,
    sender: users.username(v.senderId) ?? '',
    senderName,
    own: v.senderId === me,
    time: v.time,
    contentType: contentTypeName(v.contentType),
    text: v.text,
    summary: describe(v),
    recalled: v.recalled,
    edited: v.edited,
  };
  return {
    ...json,
    ...(v.media === undefined ? {} : { media: v.media }),
    ...(v.systemKind === '' ? {} : { system: v.systemKind }),
    ...(v.redPacket === undefined ? {} : { redPacket: v.redPacket }),
    ...(v.call === undefined ? {} : { call: v.call }),
  };
}
