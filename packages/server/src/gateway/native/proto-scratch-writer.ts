import type { ConversationRef } from '../../core/conversation-id.js';

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const encoder = new TextEncoder();

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

/**
 * A protobuf writer for the native hot path's bodies (stored messages, send results): one growing
 * scratch buffer, reused by every call (JavaScript runs one at a time), ASCII strings copied by
 * hand. protobuf-es's toBinary walks the schema and allocates a Uint8Array per string; at full 1:1
 * load that was about 10% of the server's CPU (`npm run bench -- --profile`). Callers write fields
 * in field-number order and leave proto3 defaults out, as toBinary does, so the bytes are the same
 * (their tests compare them).
 */
export class ProtoScratchWriter {
  buf = new Uint8Array(4096);
  at = 0;

  /** Starts a body, `room` bytes from the start (left for a frame header). */
  begin(room: number): void {
    this.at = room;
    this.reserve(64);
  }

  /** A copy of what was written since `begin(0)` (with the room, if any). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.at);
  }

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

  /** A Conversation { type = 1, target = 2 } field; its length is known before it is written. */
  conversation(field: number, ref: ConversationRef): void {
    const typeSize = ref.type === 0 ? 0 : 1 + varintSize(ref.type);
    const targetLength = utf8Length(ref.target);
    const targetSize = targetLength === 0 ? 0 : 1 + varintSize(targetLength) + targetLength;
    this.reserve(24);
    this.tag(field, LENGTH_DELIMITED);
    this.varint(typeSize + targetSize);
    if (ref.type !== 0) {
      this.tag(1, VARINT);
      this.varint(ref.type);
    }
    this.string(2, ref.target, targetLength);
  }

  bool(field: number, value: boolean): void {
    if (!value) return;
    this.reserve(2);
    this.tag(field, VARINT);
    this.buf[this.at++] = 1;
  }
}

/** Shared by the writers: they run to completion one at a time. */
export const scratch = new ProtoScratchWriter();
