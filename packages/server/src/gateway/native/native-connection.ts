import { create, toBinary } from '@bufbuild/protobuf';
import {
  Compression,
  Command,
  DisconnectSchema,
  Encryption,
  ErrorBodySchema,
  Flow,
  FrameDecoder,
  KickNoticeSchema,
  ParleyError,
  Status,
  encodeFrame,
  makeFlags,
  parseFlags,
  toParleyError,
  type Frame,
} from '@parley/protocol';
import { gunzipBounded, gzip } from '@parley/protocol/gzip';
import type { Logger } from 'pino';
import type { KickInfo, PushEvent } from '../../core/session.js';
import type { ByteStream } from '../byte-stream.js';
import type { Dispatcher } from '../dispatcher.js';
import { StreamConnection, type ConnectionLimits, type Decoded } from '../stream-connection.js';
import { handleNativeRequest } from './native-handlers.js';
import { notifyFrame, pushFrame } from './native-wire.js';

export type { ConnectionLimits };

/** Responses at least this large are gzipped when the request was. */
const COMPRESS_RESPONSE_FROM = 1024;

/**
 * One native-protocol connection (DESIGN §4): 12-byte-header frames, flags, gzip, status codes.
 * The lifecycle is StreamConnection's.
 */
export class NativeConnection extends StreamConnection<Frame> {
  private readonly decoder: FrameDecoder;
  /** The header of a frame whose framing failed, so the error answers its request. */
  private faultFrame: { seq: number; command: number } = { seq: 0, command: 0 };

  constructor(
    connectionId: number,
    stream: ByteStream,
    dispatcher: Dispatcher,
    limits: ConnectionLimits,
    log: Logger,
    onClosed: (conn: StreamConnection<unknown>) => void,
    now: number,
  ) {
    super(connectionId, stream, dispatcher, limits, log, onClosed, now);
    this.decoder = new FrameDecoder({ maxBodyLength: limits.maxBodyLength });
  }

  protected decode(chunk: Uint8Array): Decoded<Frame> {
    this.decoder.push(chunk);
    const frames: Frame[] = [];
    for (;;) {
      const result = this.decoder.next();
      if (result.kind === 'need-more') return { kind: 'frames', frames };
      if (result.kind === 'fault') {
        const { error, seq, command } = result.fault;
        this.faultFrame = { seq, command };
        return { kind: 'fault', frames, status: error.status, reason: error.message };
      }
      frames.push(result.frame);
    }
  }

  protected encodePush(event: PushEvent, viewer: bigint): Uint8Array {
    return pushFrame(event, viewer);
  }

  protected encodeKick(info: KickInfo): Uint8Array {
    return notifyFrame(Command.KICK, toBinary(KickNoticeSchema, create(KickNoticeSchema, info)));
  }

  /** DISCONNECT notify with the reason as its status. */
  protected encodeClose(status: Status, reason: string, reconnectAfterMs: number): Uint8Array {
    const body = toBinary(DisconnectSchema, create(DisconnectSchema, { reason, reconnectAfterMs }));
    return encodeFrame({ seq: 0, command: Command.DISCONNECT, flag: makeFlags(Flow.NOTIFY), status, body });
  }

  protected encodeFault(status: Status, reason: string): Uint8Array {
    return errorFrame(this.faultFrame.seq, this.faultFrame.command, status, reason);
  }

  /** Sends run alongside each other (answered by seq, possibly out of order); nothing else does. */
  protected override pipelined(frame: Frame): boolean {
    return frame.command === Command.MS && this.session !== undefined;
  }

  protected async handle(frame: Frame): Promise<void> {
    const flags = parseFlags(frame.flag);
    try {
      if (flags.flow !== Flow.REQUEST) {
        throw new ParleyError(Status.PROTOCOL_ERROR, 'clients may only send requests (flow 0)');
      }
      if (flags.encryption !== Encryption.NONE) {
        throw new ParleyError(Status.UNSUPPORTED, 'encrypted frames are not enabled on this server');
      }
      let body = frame.body;
      if (flags.compression === Compression.GZIP) body = gunzipBounded(body, this.limits.maxBodyLength);
      else if (flags.compression !== Compression.NONE) {
        throw new ParleyError(Status.UNSUPPORTED, `compression ${flags.compression} is not supported`);
      }
      const reply = await handleNativeRequest(this.dispatcher, this, frame.command, body);
      const compress = flags.compression === Compression.GZIP && reply.closeAfter !== true;
      this.respond(frame.seq, frame.command, reply.body, compress);
      if (reply.closeAfter === true) this.shutdown();
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId, command: frame.command }, 'request failed');
      }
      this.writeIfOpen(errorFrame(frame.seq, frame.command, error.status, error.message));
    }
  }

  private respond(seq: number, command: number, body: Uint8Array, compress: boolean): void {
    let out = body;
    let compression: Compression = Compression.NONE;
    if (compress && body.length >= COMPRESS_RESPONSE_FROM) {
      out = gzip(body);
      compression = Compression.GZIP;
    }
    this.writeIfOpen(
      encodeFrame({
        seq,
        command,
        flag: makeFlags(Flow.RESPONSE, compression),
        status: Status.OK,
        body: out,
      }),
    );
  }
}

function errorFrame(seq: number, command: number, status: number, message: string): Uint8Array {
  const body = toBinary(ErrorBodySchema, create(ErrorBodySchema, { message }));
  return encodeFrame({ seq, command, flag: makeFlags(Flow.RESPONSE), status, body });
}
