import { UnsupportedVersionError, ProtocolError, TooLargeError, type ParleyError } from './errors.js';
import { ByteQueue, checkedMaxBodyLength } from './byte-queue.js';
import { reservedBits } from './flags.js';

/** Header: len(4) version(1) seq(4) command(1) flag(1) status(1), big-endian. */
export const HEADER_LENGTH = 12;
export const PROTOCOL_VERSION = 1;
/** Default bound on a body (and on a decompressed body). */
export const DEFAULT_MAX_BODY_LENGTH = 1024 * 1024;
/** Hard ceiling: a first byte of 0x00 means len < 16 MiB, which dialect detection relies on. */
export const ABSOLUTE_MAX_BODY_LENGTH = 16 * 1024 * 1024 - 1;

export interface FrameHeader {
  readonly length: number;
  readonly version: number;
  readonly seq: number;
  readonly command: number;
  readonly flag: number;
  readonly status: number;
}

export interface Frame extends Omit<FrameHeader, 'length'> {
  readonly body: Uint8Array;
}

export function readHeader(bytes: Uint8Array, offset = 0): FrameHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, HEADER_LENGTH);
  return {
    length: view.getUint32(0),
    version: view.getUint8(4),
    seq: view.getUint32(5),
    command: view.getUint8(9),
    flag: view.getUint8(10),
    status: view.getUint8(11),
  };
}

export function writeHeader(target: Uint8Array, offset: number, header: FrameHeader): void {
  const view = new DataView(target.buffer, target.byteOffset + offset, HEADER_LENGTH);
  view.setUint32(0, header.length);
  view.setUint8(4, header.version);
  view.setUint32(5, header.seq >>> 0);
  view.setUint8(9, header.command);
  view.setUint8(10, header.flag);
  view.setUint8(11, header.status);
}

/** One frame as bytes: header followed by the body. */
export function encodeFrame(frame: Omit<Frame, 'version'> & { version?: number }): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + frame.body.length);
  writeHeader(out, 0, {
    length: frame.body.length,
    version: frame.version ?? PROTOCOL_VERSION,
    seq: frame.seq,
    command: frame.command,
    flag: frame.flag,
    status: frame.status,
  });
  out.set(frame.body, HEADER_LENGTH);
  return out;
}

/** What a header check found wrong; `seq` lets a server answer the request it belongs to. */
export interface FrameFault {
  readonly error: ParleyError;
  readonly seq: number;
  readonly command: number;
}

export type DecodeResult =
  | { readonly kind: 'frame'; readonly frame: Frame }
  | { readonly kind: 'need-more' }
  | { readonly kind: 'fault'; readonly fault: FrameFault };

export interface FrameDecoderOptions {
  readonly maxBodyLength?: number;
}

/**
 * Incremental, bounded decoder. Feed it chunks as they arrive with `push`, then call `next`
 * until it says `need-more`. A frame is never buffered beyond HEADER_LENGTH + maxBodyLength:
 * the header is checked (reserved bits, version, length) before any body byte is kept. After a
 * fault the stream has lost its framing, so the decoder stays faulted and drops further input.
 */
export class FrameDecoder {
  readonly maxBodyLength: number;
  private readonly queue = new ByteQueue();
  private header: FrameHeader | undefined;
  private fault: FrameFault | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxBodyLength = checkedMaxBodyLength(
      options.maxBodyLength,
      DEFAULT_MAX_BODY_LENGTH,
      ABSOLUTE_MAX_BODY_LENGTH,
    );
  }

  /** Bytes received but not yet returned as frames. */
  get buffered(): number {
    return this.queue.length;
  }

  /** True while part of a frame is buffered. */
  get partial(): boolean {
    return this.queue.length > 0 || this.header !== undefined;
  }

  push(chunk: Uint8Array): void {
    if (this.fault !== undefined || chunk.length === 0) return;
    this.queue.push(chunk);
  }

  next(): DecodeResult {
    if (this.fault !== undefined) return { kind: 'fault', fault: this.fault };
    if (this.header === undefined) {
      if (this.queue.length < HEADER_LENGTH) return { kind: 'need-more' };
      const header = readHeader(this.queue.take(HEADER_LENGTH));
      const error = this.check(header);
      if (error !== undefined) {
        this.fault = { error, seq: header.seq, command: header.command };
        this.queue.clear();
        return { kind: 'fault', fault: this.fault };
      }
      this.header = header;
    }
    const header = this.header;
    if (this.queue.length < header.length) return { kind: 'need-more' };
    this.header = undefined;
    const body = header.length === 0 ? new Uint8Array(0) : this.queue.take(header.length);
    return {
      kind: 'frame',
      frame: {
        version: header.version,
        seq: header.seq,
        command: header.command,
        flag: header.flag,
        status: header.status,
        body,
      },
    };
  }

  private check(header: FrameHeader): ParleyError | undefined {
    if (reservedBits(header.flag) !== 0) return new ProtocolError('reserved flag bits are set');
    if (header.version !== PROTOCOL_VERSION) {
      return new UnsupportedVersionError(`protocol version ${String(header.version)} is not supported`);
    }
    if (header.length > this.maxBodyLength) {
      return new TooLargeError(
        `frame body of ${String(header.length)} bytes exceeds the limit of ${String(this.maxBodyLength)}`,
      );
    }
    return undefined;
  }
}
