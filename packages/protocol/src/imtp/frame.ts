import { ProtocolError, TooLargeError, UnsupportedVersionError, type ParleyError } from '../errors.js';
import { ByteQueue, checkedMaxBodyLength } from '../byte-queue.js';
import { crc16CcittFalse, imtpChecksum } from './crc16.js';

/**
 * The IMTP frame (seed 000), big-endian:
 * magic 0xDF (1) · version 1 (1) · sender int64 (8) · receiver int64 (8; the group id when the
 * group bit is set) · flags (1; bit 0 group, bits 1-7 reserved) · cmd signed (1) · length int32
 * (4; body only) · body · checksum (2; CRC-16/CCITT-FALSE of the body, 0 for an empty body).
 */
export const IMTP_MAGIC = 0xdf;
export const IMTP_VERSION = 0x01;
export const IMTP_HEADER_LENGTH = 24;
export const IMTP_CHECKSUM_LENGTH = 2;
export const IMTP_GROUP_FLAG = 0x01;
export const IMTP_DEFAULT_MAX_BODY_LENGTH = 1024 * 1024;
/** A ceiling for the configurable bound (the length field is a signed int32). */
export const IMTP_ABSOLUTE_MAX_BODY_LENGTH = 0x7fff_ffff;

export interface ImtpFrame {
  /** A user id (0 = the server). */
  readonly sender: bigint;
  /** A user id, or a group id when `group` is set. */
  readonly receiver: bigint;
  readonly group: boolean;
  /** Signed: -128..127. */
  readonly cmd: number;
  readonly body: Uint8Array;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** One frame as bytes. Throws RangeError for values the header cannot hold (a caller bug). */
export function encodeImtpFrame(frame: ImtpFrame): Uint8Array {
  if (!Number.isInteger(frame.cmd) || frame.cmd < -128 || frame.cmd > 127) {
    throw new RangeError(`IMTP cmd ${String(frame.cmd)} is not a signed byte`);
  }
  for (const id of [frame.sender, frame.receiver]) {
    if (id < INT64_MIN || id > INT64_MAX) throw new RangeError('IMTP ids are signed 64-bit');
  }
  if (frame.body.length > IMTP_ABSOLUTE_MAX_BODY_LENGTH) throw new RangeError('IMTP body too long');
  const out = new Uint8Array(IMTP_HEADER_LENGTH + frame.body.length + IMTP_CHECKSUM_LENGTH);
  const view = new DataView(out.buffer);
  view.setUint8(0, IMTP_MAGIC);
  view.setUint8(1, IMTP_VERSION);
  view.setBigInt64(2, frame.sender);
  view.setBigInt64(10, frame.receiver);
  view.setUint8(18, frame.group ? IMTP_GROUP_FLAG : 0);
  view.setInt8(19, frame.cmd);
  view.setInt32(20, frame.body.length);
  out.set(frame.body, IMTP_HEADER_LENGTH);
  view.setUint16(IMTP_HEADER_LENGTH + frame.body.length, imtpChecksum(frame.body));
  return out;
}

interface ImtpHeader {
  readonly sender: bigint;
  readonly receiver: bigint;
  readonly group: boolean;
  readonly cmd: number;
  readonly length: number;
}

export type ImtpDecodeResult =
  | { readonly kind: 'frame'; readonly frame: ImtpFrame }
  | { readonly kind: 'need-more' }
  | { readonly kind: 'fault'; readonly error: ParleyError };

export interface ImtpDecoderOptions {
  readonly maxBodyLength?: number;
}

/**
 * Incremental, bounded IMTP decoder (the FrameDecoder pattern): `push` chunks, then `next` until
 * `need-more`. The header is checked (magic, version, reserved flag bits, length sign and bound)
 * before any body byte is kept, so at most header + maxBodyLength + checksum bytes are buffered.
 * A fault (bad magic, version, flags, length or checksum) loses the framing: the decoder stays
 * faulted and drops further input; the connection is to be closed.
 */
export class ImtpDecoder {
  readonly maxBodyLength: number;
  private readonly queue = new ByteQueue();
  private header: ImtpHeader | undefined;
  private fault: ParleyError | undefined;

  constructor(options: ImtpDecoderOptions = {}) {
    this.maxBodyLength = checkedMaxBodyLength(
      options.maxBodyLength,
      IMTP_DEFAULT_MAX_BODY_LENGTH,
      IMTP_ABSOLUTE_MAX_BODY_LENGTH,
    );
  }

  /** Bytes received but not yet returned as frames. */
  get buffered(): number {
    return this.queue.length;
  }

  push(chunk: Uint8Array): void {
    if (this.fault !== undefined || chunk.length === 0) return;
    this.queue.push(chunk);
  }

  next(): ImtpDecodeResult {
    if (this.fault !== undefined) return { kind: 'fault', error: this.fault };
    // A wrong first byte is known at once: no need to wait for a whole header of garbage.
    if (this.header === undefined && this.queue.length > 0 && this.queue.peek(0) !== IMTP_MAGIC) {
      return this.fail(new ProtocolError('bad IMTP magic'));
    }
    if (this.header === undefined) {
      if (this.queue.length < IMTP_HEADER_LENGTH) return { kind: 'need-more' };
      const bytes = this.queue.take(IMTP_HEADER_LENGTH);
      const view = new DataView(bytes.buffer, bytes.byteOffset, IMTP_HEADER_LENGTH);
      const version = view.getUint8(1);
      if (version !== IMTP_VERSION) {
        return this.fail(new UnsupportedVersionError(`IMTP version ${String(version)} is not supported`));
      }
      const flags = view.getUint8(18);
      if ((flags & ~IMTP_GROUP_FLAG) !== 0)
        return this.fail(new ProtocolError('reserved IMTP flag bits are set'));
      const length = view.getInt32(20);
      if (length < 0) return this.fail(new ProtocolError('negative IMTP body length'));
      if (length > this.maxBodyLength) {
        return this.fail(
          new TooLargeError(
            `IMTP body of ${String(length)} bytes exceeds the limit of ${String(this.maxBodyLength)}`,
          ),
        );
      }
      this.header = {
        sender: view.getBigInt64(2),
        receiver: view.getBigInt64(10),
        group: (flags & IMTP_GROUP_FLAG) !== 0,
        cmd: view.getInt8(19),
        length,
      };
    }
    const header = this.header;
    if (this.queue.length < header.length + IMTP_CHECKSUM_LENGTH) return { kind: 'need-more' };
    this.header = undefined;
    const body = header.length === 0 ? new Uint8Array(0) : this.queue.take(header.length);
    const sum = this.queue.take(IMTP_CHECKSUM_LENGTH);
    const checksum = ((sum[0] ?? 0) << 8) | (sum[1] ?? 0);
    // An empty body is checked as 0; a client that wrote the raw CRC of nothing (0xFFFF) is let in.
    const ok = body.length === 0 ? checksum === 0 || checksum === 0xffff : checksum === crc16CcittFalse(body);
    if (!ok) return this.fail(new ProtocolError('bad IMTP checksum'));
    return {
      kind: 'frame',
      frame: { sender: header.sender, receiver: header.receiver, group: header.group, cmd: header.cmd, body },
    };
  }

  private fail(error: ParleyError): ImtpDecodeResult {
    this.fault = error;
    this.queue.clear();
    this.header = undefined;
    return { kind: 'fault', error };
  }
}
