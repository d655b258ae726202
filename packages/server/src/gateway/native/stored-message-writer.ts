import { conversationRefFor } from '../../core/conversation-id.js';
import type { StoredMessage, UserId } from '../../core/types.js';

/**
 * `Message` bytes of a stored message, written by hand: the body of every push and pulled message.
 * protobuf-es's toBinary walks the schema and allocates a Uint8Array per string (TextEncoder);
 * at full 1:1 load that was about 10% of the server's CPU (`npm run bench -- --profile`). This
 * writes the same bytes in the same field order (fields 1, 3-12, then the stored content as
 * field 2), proto3 defaults left out, into one scratch buffer, and copies them out once.
 * stored-message-writer.test.ts holds it to toBinary byte for byte.
 *
 * `room` bytes are left free at the start for the caller (a frame header).
 */
export function writeStoredMessage(
  message: StoredMessage,
  viewer: UserId,
  senderName: string,
  room = 0,
): Uint8Array {
  const w = writer;
  w.at = room;
  w.reserve(64);
  w.uint64(1, message.id);
  const ref = conversationRefFor(viewer, message.conversationId);
  // Conversation { type = 1, target = 2 }: its length is known before it is written.
  const typeSize = ref.type === 0 ? 0 : 1 + varintSize(ref.type);
  const targetLength = utf8Length(ref.target);
  const targetSize = targetLength === 0 ? 0 : 1 + varintSize(targetLength) + targetLength;
  w.tag(3, LENGTH_DELIMITED);
  w.varint(typeSize + targetSize);
  if (ref.type !== 0) {
    w.tag(1, VARINT);
    w.varint(ref.type);
  }
  w.string(2, ref.target, targetLength);
  w.string(4, String(message.senderId));
  w.string(5, conversationRefFor(message.senderId, message.conversationId).target);
  w.uint(6, message.seq);
  w.string(7, message.clientMsgId);
  w.uint64(8, message.senderId);
  w.string(9, message.senderDevice);
  w.int64(10, message.serverTime);
  w.uint(11, message.flags);
  w.string(12, senderName);
  w.bytes(2, message.content);
  return w.buf.slice(0, w.at);
}

const VARINT = 0;
const LENGTH_DELIMITED = 2;

/** The UTF-8 length of `s`, counting by hand while it is ASCII (it nearly always is). */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size += 1;
  }
  return size;
}

const encoder = new TextEncoder();

/** A growing scratch buffer, reused by every call (JavaScript runs one call at a time). */
class ScratchWriter {
  buf = new Uint8Array(4096);
  at = 0;

  reserve(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
  }

  tag(field: number, wireType: number): void {
    this.buf[this.at++] = (field << 3) | wireType;
  }

  /** A non-negative integer below 2^53. */
  varint(n: number): void {
    const { buf } = this;
    while (n >= 0x80) {
      buf[this.at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[this.at++] = n;
  }

  /** A varint of the 64-bit two's complement value lo + hi * 2^32 (both unsigned 32-bit). */
  varint64(lo: number, hi: number): void {
    const { buf } = this;
    while (hi !== 0 || lo >= 0x80) {
      buf[this.at++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = hi >>> 7;
    }
    buf[this.at++] = lo;
  }

  /** A seq or flags: a non-negative integer below 2^53. */
  uint(field: number, value: number): void {
    if (value === 0) return;
    this.reserve(11);
    this.tag(field, VARINT);
    this.varint(value);
  }

  uint64(field: number, value: bigint): void {
    if (value === 0n) return;
    this.reserve(11);
    this.tag(field, VARINT);
    const v = BigInt.asUintN(64, value);
    this.varint64(Number(v & 0xffffffffn), Number(v >> 32n));
  }

  int64(field: number, value: number): void {
    if (value === 0) return;
    this.reserve(11);
    this.tag(field, VARINT);
    if (value > 0 && value < Number.MAX_SAFE_INTEGER) {
      this.varint(value);
      return;
    }
    const v = BigInt.asUintN(64, BigInt(value));
    this.varint64(Number(v & 0xffffffffn), Number(v >> 32n));
  }

  string(field: number, s: string, length = utf8Length(s)): void {
    if (length === 0) return;
    this.reserve(11 + length);
    this.tag(field, LENGTH_DELIMITED);
    this.varint(length);
    if (length === s.length) {
      const { buf } = this;
      for (let i = 0; i < length; i++) buf[this.at + i] = s.charCodeAt(i);
    } else {
      encoder.encodeInto(s, this.buf.subarray(this.at, this.at + length));
    }
    this.at += length;
  }

  bytes(field: number, value: Uint8Array): void {
    if (value.length === 0) return;
    this.reserve(11 + value.length);
    this.tag(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.buf.set(value, this.at);
    this.at += value.length;
  }
}

const writer = new ScratchWriter();
