import { Command, HEADER_LENGTH, PROTOCOL_VERSION } from '@parley/protocol';

/**
 * The two native-protocol bodies on the benchmark's hot path, by hand: the MS request a sender
 * writes and the text inside an MPS push. The generated codec (create/toBinary/fromBinary) is
 * correct but allocates a message tree per frame; a load generator that spends its CPU there
 * measures itself instead of the server. smoke.test.ts checks these against the generated schema.
 */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const tag = (field: number, wire: number) => (field << 3) | wire;
const TAG_CONTENT = tag(2, WIRE_LEN); // Message.message_content
const TAG_CONVERSATION = tag(3, WIRE_LEN); // Message.conversation
const TAG_CLIENT_MSG_ID = tag(7, WIRE_LEN); // Message.client_msg_id
const TAG_CONTENT_TYPE = tag(1, WIRE_VARINT); // MessageContent.content_type
const TAG_TEXT = tag(11, WIRE_LEN); // MessageContent.text
const TAG_CONV_TYPE = tag(1, WIRE_VARINT); // Conversation.type
const TAG_CONV_TARGET = tag(2, WIRE_LEN); // Conversation.target
const CONTENT_TEXT = 1;

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}

function writeLenField(buf: Buffer, offset: number, fieldTag: number, value: string, bytes: number): number {
  buf[offset++] = fieldTag;
  offset = writeVarint(buf, offset, bytes);
  return offset + buf.write(value, offset, 'utf8');
}

/**
 * A whole MS frame (header + `Message` body) sending `text` as a TEXT message to a conversation.
 * Every tag used here fits in one byte.
 */
export function encodeSendFrame(
  seq: number,
  conversationType: number,
  target: string,
  clientMsgId: string,
  text: string,
): Buffer {
  const textBytes = Buffer.byteLength(text);
  const targetBytes = Buffer.byteLength(target);
  const idBytes = Buffer.byteLength(clientMsgId);
  const contentLen = 2 + 1 + varintSize(textBytes) + textBytes;
  const convLen =
    (conversationType === 0 ? 0 : 1 + varintSize(conversationType)) +
    1 +
    varintSize(targetBytes) +
    targetBytes;
  const bodyLen =
    1 +
    varintSize(contentLen) +
    contentLen +
    1 +
    varintSize(convLen) +
    convLen +
    1 +
    varintSize(idBytes) +
    idBytes;
  const buf = Buffer.allocUnsafe(HEADER_LENGTH + bodyLen);
  buf.writeUInt32BE(bodyLen, 0);
  buf[4] = PROTOCOL_VERSION;
  buf.writeUInt32BE(seq >>> 0, 5);
  buf[9] = Command.MS;
  buf[10] = 0; // flow REQUEST, no compression or encryption
  buf[11] = 0;
  let o = HEADER_LENGTH;
  buf[o++] = TAG_CONTENT;
  o = writeVarint(buf, o, contentLen);
  buf[o++] = TAG_CONTENT_TYPE;
  buf[o++] = CONTENT_TEXT;
  o = writeLenField(buf, o, TAG_TEXT, text, textBytes);
  buf[o++] = TAG_CONVERSATION;
  o = writeVarint(buf, o, convLen);
  if (conversationType !== 0) {
    buf[o++] = TAG_CONV_TYPE;
    o = writeVarint(buf, o, conversationType);
  }
  o = writeLenField(buf, o, TAG_CONV_TARGET, target, targetBytes);
  o = writeLenField(buf, o, TAG_CLIENT_MSG_ID, clientMsgId, idBytes);
  if (o !== buf.length) throw new Error(`MS frame size mismatch: wrote ${o} of ${buf.length}`);
  return buf;
}

/** A body-only PING frame. */
export function encodeEmptyFrame(seq: number, command: number): Buffer {
  const buf = Buffer.alloc(HEADER_LENGTH);
  buf[4] = PROTOCOL_VERSION;
  buf.writeUInt32BE(seq >>> 0, 5);
  buf[9] = command;
  return buf;
}

interface Cursor {
  pos: number;
}

function readVarint(b: Uint8Array, c: Cursor): number {
  let result = 0;
  let mul = 1;
  for (;;) {
    if (c.pos >= b.length) return -1;
    const byte = b[c.pos++] ?? 0;
    result += (byte & 0x7f) * mul;
    if (byte < 0x80) return result;
    mul *= 128;
    if (mul > 2 ** 63) return -1;
  }
}

/** Skips a field's value; false on a malformed body. */
function skip(b: Uint8Array, c: Cursor, wire: number): boolean {
  switch (wire) {
    case WIRE_VARINT:
      return readVarint(b, c) >= 0;
    case WIRE_I64:
      c.pos += 8;
      return c.pos <= b.length;
    case WIRE_LEN: {
      const len = readVarint(b, c);
      c.pos += len;
      return len >= 0 && c.pos <= b.length;
    }
    case WIRE_I32:
      c.pos += 4;
      return c.pos <= b.length;
    default:
      return false;
  }
}

/** Finds a LEN field in [start, end) and returns its [start, end), or undefined. */
function findLen(b: Uint8Array, start: number, end: number, field: number): [number, number] | undefined {
  const view = b.subarray(0, end);
  const c: Cursor = { pos: start };
  while (c.pos < end) {
    const key = readVarint(view, c);
    if (key < 0) return undefined;
    const wire = key & 7;
    if (key >>> 3 === field && wire === WIRE_LEN) {
      const len = readVarint(view, c);
      if (len < 0 || c.pos + len > end) return undefined;
      return [c.pos, c.pos + len];
    }
    if (!skip(view, c, wire)) return undefined;
  }
  return undefined;
}

/** The text bytes of a pushed `Message` (MPS body), or undefined when it has no text. */
export function pushedText(body: Uint8Array): Uint8Array | undefined {
  const content = findLen(body, 0, body.length, 2);
  if (content === undefined) return undefined;
  const text = findLen(body, content[0], content[1], 11);
  return text === undefined ? undefined : body.subarray(text[0], text[1]);
}
