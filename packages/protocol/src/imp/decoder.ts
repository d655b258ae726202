import { ProtocolError, TooLargeError, type ParleyError } from '../errors.js';

/**
 * IMP (seed 004): a line protocol, telnet-friendly. Lines end with `\n` or `\r\n`; commands are
 * case-insensitive; `#` / `@` prefixes on ids are optional. `MSG CHN|USER <id> <length>` is
 * followed by exactly <length> payload BYTES (UTF-8), with no terminator of their own.
 */

/** Default bound on one line (without its terminator). */
export const IMP_DEFAULT_MAX_LINE_LENGTH = 4096;
/** Default bound on a MSG payload; servers pass their own maximum message size. */
export const IMP_DEFAULT_MAX_PAYLOAD_LENGTH = 64 * 1024;

/** The target kinds of MSG. */
export type ImpTarget = 'CHN' | 'USER';

/** One client command. `INVALID` is a per-line error: answer `ERR <reason>`, keep the connection. */
export type ImpRequest =
  | { readonly cmd: 'REG'; readonly handle: string; readonly password: string | undefined }
  | { readonly cmd: 'CHNS' }
  | { readonly cmd: 'JOIN'; readonly channel: string }
  | { readonly cmd: 'LEAVE'; readonly channel: string }
  | { readonly cmd: 'USERS'; readonly channel: string }
  | {
      readonly cmd: 'MSG';
      readonly target: ImpTarget;
      /** The channel or user, without its `#` / `@`. */
      readonly id: string;
      readonly payload: Uint8Array;
    }
  /** Parley extension: keep-alive; answered `PONG [token]`. */
  | { readonly cmd: 'PING'; readonly token: string }
  | { readonly cmd: 'QUIT' }
  | { readonly cmd: 'INVALID'; readonly reason: string };

export type ImpDecodeResult =
  | { readonly kind: 'request'; readonly request: ImpRequest }
  | { readonly kind: 'need-more' }
  /** The stream is unusable (an over-long line, an over-large payload): answer and close. */
  | { readonly kind: 'fault'; readonly error: ParleyError };

export interface ImpDecoderOptions {
  readonly maxLineLength?: number;
  readonly maxPayloadLength?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const LENGTH = /^[0-9]{1,10}$/;
const REG_LINE = /^\S+[ \t]+(\S+)(?:[ \t]+(.*))?$/;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The MSG header waiting for its payload. */
interface PendingMsg {
  readonly target: ImpTarget | undefined;
  readonly id: string;
  readonly length: number;
  /** Set when the header was wrong but its length was readable: the payload is consumed, then refused. */
  readonly error: string | undefined;
}

/**
 * Incremental, bounded IMP decoder: `push` chunks as they arrive, then call `next` until it says
 * `need-more`. It keeps at most one line (maxLineLength + its terminator) or one payload
 * (maxPayloadLength) beyond what the last chunk brought. Empty lines are skipped (a client that
 * ends a payload with a newline sends one). After a fault it stays faulted and drops input.
 */
export class ImpDecoder {
  readonly maxLineLength: number;
  readonly maxPayloadLength: number;
  private buf = new Uint8Array(256);
  private start = 0;
  private end = 0;
  /** Where the search for the next newline resumes (bytes before it hold none). */
  private scanFrom = 0;
  private pending: PendingMsg | undefined;
  private fault: ParleyError | undefined;

  constructor(options: ImpDecoderOptions = {}) {
    this.maxLineLength = checkBound(options.maxLineLength ?? IMP_DEFAULT_MAX_LINE_LENGTH, 'maxLineLength');
    this.maxPayloadLength = checkBound(
      options.maxPayloadLength ?? IMP_DEFAULT_MAX_PAYLOAD_LENGTH,
      'maxPayloadLength',
    );
  }

  /** Bytes received but not yet returned. */
  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (this.fault !== undefined || chunk.length === 0) return;
    const used = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      const needed = used + chunk.length;
      if (needed <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(needed, this.buf.length * 2));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.scanFrom -= this.start;
      this.start = 0;
      this.end = used;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  next(): ImpDecodeResult {
    for (;;) {
      if (this.fault !== undefined) return { kind: 'fault', error: this.fault };
      if (this.pending !== undefined) return this.nextPayload(this.pending);
      const at = this.buf.indexOf(LF, Math.max(this.scanFrom, this.start));
      if (at === -1 || at >= this.end) {
        // A line may be maxLineLength bytes plus the `\r` of its terminator.
        if (this.end - this.start > this.maxLineLength + 1) return this.failLine();
        this.scanFrom = this.end;
        return { kind: 'need-more' };
      }
      let lineEnd = at;
      if (lineEnd > this.start && this.buf[lineEnd - 1] === CR) lineEnd -= 1;
      if (lineEnd - this.start > this.maxLineLength) return this.failLine();
      const line = utf8.decode(this.buf.subarray(this.start, lineEnd));
      this.start = at + 1;
      this.scanFrom = this.start;
      this.compactIfEmpty();
      const parsed = this.parseLine(line);
      if (parsed !== undefined) return parsed;
    }
  }

  private nextPayload(msg: PendingMsg): ImpDecodeResult {
    if (this.end - this.start < msg.length) return { kind: 'need-more' };
    const payload = this.buf.slice(this.start, this.start + msg.length);
    this.start += msg.length;
    this.scanFrom = this.start;
    this.pending = undefined;
    this.compactIfEmpty();
    if (msg.error !== undefined || msg.target === undefined) {
      return { kind: 'request', request: { cmd: 'INVALID', reason: msg.error ?? 'bad MSG' } };
    }
    return { kind: 'request', request: { cmd: 'MSG', target: msg.target, id: msg.id, payload } };
  }

  /** A request, or undefined for a line that asks for nothing (empty, or a MSG header). */
  private parseLine(line: string): ImpDecodeResult | undefined {
    const header = parseMsgHeader(line);
    if (header !== undefined) {
      if (header.length > this.maxPayloadLength) {
        return this.failWith(
          new TooLargeError(
            `message of ${header.length} bytes exceeds the limit of ${this.maxPayloadLength}`,
          ),
        );
      }
      this.pending = header;
      return undefined;
    }
    const request = parseCommand(line);
    return request === undefined ? undefined : { kind: 'request', request };
  }

  private failLine(): ImpDecodeResult {
    return this.failWith(new ProtocolError(`line longer than ${this.maxLineLength} bytes`));
  }

  private failWith(error: ParleyError): ImpDecodeResult {
    this.fault = error;
    this.buf = new Uint8Array(0);
    this.start = 0;
    this.end = 0;
    this.scanFrom = 0;
    this.pending = undefined;
    return { kind: 'fault', error };
  }

  private compactIfEmpty(): void {
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      this.scanFrom = 0;
    }
  }
}

function checkBound(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new RangeError(`${name} must be a positive integer`);
  }
  return value;
}

function words(line: string): string[] {
  return line.split(/[ \t]+/).filter((w) => w !== '');
}

/** Strips one optional `#` or `@` prefix. */
export function impBareId(id: string, prefix: '#' | '@'): string {
  return id.startsWith(prefix) ? id.slice(1) : id;
}

/**
 * A `MSG` line whose length is readable: its payload follows whatever else is wrong with it, so it
 * is consumed (never read as commands) and then refused.
 */
function parseMsgHeader(line: string): PendingMsg | undefined {
  const w = words(line);
  if (w.length !== 4 || w[0]?.toUpperCase() !== 'MSG') return undefined;
  const [, kind = '', rawId = '', rawLength = ''] = w;
  if (!LENGTH.test(rawLength)) return undefined;
  const length = Number(rawLength);
  const upper = kind.toUpperCase();
  if (upper !== 'CHN' && upper !== 'USER') {
    return { target: undefined, id: '', length, error: 'MSG target must be CHN or USER' };
  }
  const id = impBareId(rawId, upper === 'CHN' ? '#' : '@');
  if (id === '') return { target: undefined, id: '', length, error: 'MSG needs a channel or user id' };
  return { target: upper, id, length, error: undefined };
}

const USAGE = {
  REG: 'usage: REG @handle password',
  CHNS: 'usage: CHNS',
  JOIN: 'usage: JOIN #channel',
  LEAVE: 'usage: LEAVE #channel',
  USERS: 'usage: USERS #channel',
  MSG: 'usage: MSG CHN|USER <id> <length>, then <length> bytes',
  QUIT: 'usage: QUIT',
} as const;

function invalid(reason: string): ImpRequest {
  return { cmd: 'INVALID', reason };
}

/** Parses one line (not a MSG header with a readable length). Undefined for a blank line. */
export function parseCommand(line: string): ImpRequest | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  const w = words(trimmed);
  const first = w[0] ?? '';
  const name = first.toUpperCase();
  const args = w.slice(1);
  switch (name) {
    case 'REG': {
      // The password is the rest of the line (it may hold spaces), without surrounding blanks.
      const match = REG_LINE.exec(trimmed);
      const handle = match?.[1];
      if (handle === undefined) return invalid(USAGE.REG);
      const bare = impBareId(handle, '@');
      if (bare === '') return invalid(USAGE.REG);
      const rest = match?.[2]?.trim() ?? '';
      return { cmd: 'REG', handle: bare, password: rest === '' ? undefined : rest };
    }
    case 'CHNS':
      return args.length === 0 ? { cmd: 'CHNS' } : invalid(USAGE.CHNS);
    case 'JOIN':
    case 'LEAVE':
    case 'USERS': {
      const [channel] = args;
      if (args.length !== 1 || channel === undefined) return invalid(USAGE[name]);
      const bare = impBareId(channel, '#');
      if (bare === '') return invalid(USAGE[name]);
      return { cmd: name, channel: bare };
    }
    case 'MSG':
      return invalid(USAGE.MSG);
    case 'PING':
      return { cmd: 'PING', token: args.join(' ') };
    case 'QUIT':
      return args.length === 0 ? { cmd: 'QUIT' } : invalid(USAGE.QUIT);
    default:
      return invalid(`unknown command ${printable(first)}`);
  }
}

/** At most 32 characters of client text, safe to echo on one line. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 32 ? `${clean.slice(0, 32)}…` : clean;
}
