import {
  ConversationType,
  ImtpCommand,
  encodeImtpFrame,
  encodeImtpMessage,
  encodeImtpMsgRes,
  type ImtpOfflineEntry,
} from '@parley/protocol';
import { conversationRefFor } from '../../core/conversation-id.js';
import type { StoredMessage, UserId } from '../../core/types.js';
import { renderMessage, type ImtpRendering } from './imtp-content.js';

/** The sender id of frames the server writes on its own behalf (acks, notices). */
export const SERVER_ID = 0n;

export function serverFrame(cmd: number, body: Uint8Array, receiver: UserId): Uint8Array {
  return encodeImtpFrame({ sender: SERVER_ID, receiver, group: false, cmd, body });
}

export function msgRes(state: number, ackId: bigint, receiver: UserId): Uint8Array {
  return serverFrame(ImtpCommand.MSG_RES, encodeImtpMsgRes({ state, ackId }), receiver);
}

/** A notice from the server as a TEXT message (IMTP has no kick or disconnect frames). */
export function noticeFrame(text: string, receiver: UserId): Uint8Array {
  const body = encodeImtpMessage({ text, ackId: 0n, timestamp: BigInt(Date.now()) });
  return serverFrame(ImtpCommand.TEXT, body, receiver);
}

const KIND_NAMES: Readonly<Record<number, string>> = {
  [ImtpCommand.VOICE]: 'voice',
  [ImtpCommand.MEME]: 'meme',
  [ImtpCommand.IMAGE]: 'image',
  [ImtpCommand.VIDEO]: 'video',
  [ImtpCommand.FILE]: 'file',
};

function asLine(r: ImtpRendering): string {
  return r.cmd === ImtpCommand.TEXT ? r.text : `[${KIND_NAMES[r.cmd] ?? 'message'}] ${r.text}`;
}

/**
 * A stored message as the IMTP entry `viewer` receives: sender = the author, receiver = the
 * viewer (or, for the viewer's own messages from another device, the peer; for groups the group
 * id with the group bit); ackId = the message's seq; timestamp = server time. Chatrooms have no
 * IMTP address: their messages arrive as TEXT from the author prefixed with `[#room]`.
 */
export function messageEntry(message: StoredMessage, viewer: UserId): ImtpOfflineEntry {
  const ref = conversationRefFor(viewer, message.conversationId);
  let rendering = renderMessage(message);
  let receiver = viewer;
  let group = false;
  if (ref.type === ConversationType.SINGLE) {
    if (message.senderId === viewer) receiver = BigInt(ref.target);
  } else if (ref.type === ConversationType.GROUP) {
    receiver = BigInt(ref.target);
    group = true;
  } else {
    rendering = { cmd: ImtpCommand.TEXT, text: `[#${ref.target}] ${asLine(rendering)}` };
  }
  const body = encodeImtpMessage({
    text: rendering.text,
    ackId: BigInt(message.seq),
    timestamp: BigInt(message.serverTime),
    ...(rendering.metadata === undefined ? {} : { metadata: rendering.metadata }),
  });
  return { cmd: rendering.cmd, group, sender: message.senderId, receiver, body };
}

export function entryFrame(entry: ImtpOfflineEntry): Uint8Array {
  return encodeImtpFrame({
    sender: entry.sender,
    receiver: entry.receiver,
    group: entry.group,
    cmd: entry.cmd,
    body: entry.body,
  });
}
