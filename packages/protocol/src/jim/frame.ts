import { ProtocolError, TooLargeError, type ParleyError } from '../errors.js';
import { ByteQueue, checkedMaxBodyLength } from '../byte-queue.js';
import { ABSOLUTE_MAX_BODY_LENGTH, DEFAULT_MAX_BODY_LENGTH } from '../frame.js';

/**
 * Jim framing (seed 001, DESIGN §5), big-endian: magic `jim1` (4) + command (4 ASCII letters or
 * digits) + request id (uint32) + body length (uint32), then the JSON body (UTF-8).
 */
export const JIM_HEADER_LENGTH = 16;
export const JIM_MAGIC = 'jim1';
const MAGIC_BYTES = [0x6a, 0x69, 0x6d, 0x31];

/** The seed's commands, plus B004 (logout). */
export const JimCommand = {
  PING: 'A001',
  PONG: 'A002',
  /** The client is closing. */
  CLIENT_CLOSE: 'A998',
  /** The server closes: body `{"code","message"}`. */
  SERVER_CLOSE: 'A999',
  AUTH: 'B001',
  AUTH_OK: 'B002',
  AUTH_FAIL: 'B003',
  LOGOUT: 'B004',
  /** C2C: a direct message (receiver is a user). */
  C2C: 'B101',
  /** C2G: a group message (receiver is the group). */
  C2G: 'B102',
  /** S2C: a server push (system notices). */
  PUSH: 'B103',
} as const;
export type JimCommand = (typeof JimCommand)[keyof typeof JimCommand];

export interface JimFrame {
  /** Four ASCII letters or digits; not necessarily one of JimCommand. */
  readonly command: string;
  readonly requestId: number;
  readonly body: Uint8Array;
}

const COMMAND = /^[A-Za-z0-9]{4}$/;

export function isJimCommandText(command: string): boolean {
  return COMMAND.test(command);
}

/** One frame as bytes. Throws RangeError for a command that is not 4 ASCII letters/digits. */
export function encodeJimFrame(frame: JimFrame): Uint8Array {
  if (!isJimCommandText(frame.command)) throw new RangeError(`bad Jim command ${frame.command}`);
  const out = new Uint8Array(JIM_HEADER_LENGTH + frame.body.length);
  out.set(MAGIC_BYTES, 0);
  for (let i = 0; i < 4; i++) out[4 + i] = frame.command.charCodeAt(i);
  const view = new DataView(out.buffer, out.byteOffset, JIM_HEADER_LENGTH);
  view.setUint32(8, frame.requestId >>> 0);
  view.setUint32(12, frame.body.length);
  out.set(frame.body, JIM_HEADER_LENGTH);
  return out;
}

/** What a header check found wrong; `requestId`/`command` are as read (possibly garbage). */
export interface JimFrameFault {
  readonly error: ParleyError;
  readonly requestId: number;
  readonly command: string;
}

export type JimDecodeResult =
  | { readonly kind: 'frame'; readonly frame: JimFrame }
  | { readonly kind: 'need-more' }
  | { readonly kind: 'fault'; readonly fault: JimFrameFault };

export interface JimDecoderOptions {
  readonly maxBodyLength?: number;
}

interface Header {
  readonly command: string;
  readonly requestId: number;
  readonly length: number;
}

/**
 * Incremental, bounded decoder (the FrameDecoder pattern): `push` chunks, then `next` until
 * `need-more`. The header is checked (magic, command, length) before any body byte is kept, so
 * at most JIM_HEADER_LENGTH + maxBodyLength bytes are ever held for a frame. A wrong magic is
 * reported as soon as the first 4 bytes show it. After a fault the decoder stays faulted and
 * drops further input: the stream has lost its framing.
 */
export class JimDecoder {
  readonly maxBodyLength: number;
  private readonly queue = new ByteQueue();
  private header: Header | undefined;
  private fault: JimFrameFault | undefined;

  constructor(options: JimDecoderOptions = {}) {
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

  next(): JimDecodeResult {
    if (this.fault !== undefined) return { kind: 'fault', fault: this.fault };
    if (this.header === undefined) {
      const magicSeen = Math.min(this.queue.length, MAGIC_BYTES.length);
      for (let i = 0; i < magicSeen; i++) {
        if (this.queue.peek(i) !== MAGIC_BYTES[i]) {
          return this.faultWith(new ProtocolError('not a Jim frame (magic is not jim1)'), 0, '');
        }
      }
      if (this.queue.length < JIM_HEADER_LENGTH) return { kind: 'need-more' };
      const bytes = this.queue.take(JIM_HEADER_LENGTH);
      const view = new DataView(bytes.buffer, bytes.byteOffset, JIM_HEADER_LENGTH);
      const command = String.fromCharCode(bytes[4] ?? 0, bytes[5] ?? 0, bytes[6] ?? 0, bytes[7] ?? 0);
      const requestId = view.getUint32(8);
      const length = view.getUint32(12);
      if (!isJimCommandText(command)) {
        return this.faultWith(
          new ProtocolError('a Jim command is 4 ASCII letters or digits'),
          requestId,
          printable(command),
        );
      }
      if (length > this.maxBodyLength) {
        return this.faultWith(
          new TooLargeError(
            `frame body of ${String(length)} bytes exceeds the limit of ${String(this.maxBodyLength)}`,
          ),
          requestId,
          command,
        );
      }
      this.header = { command, requestId, length };
    }
    const header = this.header;
    if (this.queue.length < header.length) return { kind: 'need-more' };
    this.header = undefined;
    const body = header.length === 0 ? new Uint8Array(0) : this.queue.take(header.length);
    return { kind: 'frame', frame: { command: header.command, requestId: header.requestId, body } };
  }

  private faultWith(error: ParleyError, requestId: number, command: string): JimDecodeResult {
    this.fault = { error, requestId, command };
    this.queue.clear();
    return { kind: 'fault', fault: this.fault };
  }
}

/** For error reports: a command read from the wire with non-printable bytes escaped. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
