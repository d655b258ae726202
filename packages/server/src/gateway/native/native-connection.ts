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
import { openRsaLogin, type NativeSessionCipher } from './native-crypto.js';
import type { ServerKeyring } from './server-keyring.js';
import { notifyFrame, pushFrame } from './native-wire.js';

export type { ConnectionLimits };

/** Responses at least this large are gzipped when the request was. */
const COMPRESS_RESPONSE_FROM = 1024;

/**
 * One native-protocol connection (DESIGN §4): 12-byte-header frames, flags, gzip, status codes,
 * and the encryption flags (docs/native-protocol.md): after an RSA LOGIN every frame, both ways,
 * is AES. The lifecycle is StreamConnection's.
 */
export class NativeConnection extends StreamConnection<Frame> {
  private readonly decoder: FrameDecoder;
  /** The header of a frame whose framing failed, so the error answers its request. */
  private faultFrame: { seq: number; command: number } = { seq: 0, command: 0 };
  /** Set by an RSA LOGIN: from then on every frame written is sealed, every frame read opened. */
  private cipher: NativeSessionCipher | undefined;

  constructor(
    connectionId: number,
    stream: ByteStream,
    dispatcher: Dispatcher,
    limits: ConnectionLimits,
    log: Logger,
    onClosed: (conn: StreamConnection<unknown>) => void,
    now: number,
    /** The server key for RSA LOGINs; without one the encryption flags are UNSUPPORTED. */
    private readonly keyring?: ServerKeyring,
  ) {
    super(connectionId, stream, dispatcher, limits, log, onClosed, now);
    this.decoder = new FrameDecoder({ maxBodyLength: limits.maxBodyLength });
  }

  /** Every frame this connection writes (answers, pushes, kicks, closes) passes here. */
  override write(bytes: Uint8Array): void {
    super.write(this.cipher === undefined ? bytes : this.cipher.seal(bytes));
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

  protected async handle(received: Frame): Promise<void> {
    const flags = parseFlags(received.flag);
    let frame: Frame;
    try {
      frame = await this.decrypt(received, flags.encryption);
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId }, 'encrypted frame could not be handled');
      }
      if (error.status !== Status.PROTOCOL_ERROR) {
        // A misuse before any session key (AES without one, RSA off LOGIN): refused, stays open.
        this.writeIfOpen(errorFrame(received.seq, received.command, error.status, error.message));
        return;
      }
      // The stream cannot be trusted any more: a DISCONNECT says why, and the connection closes.
      // Within a session the frame's seq is not answered: it may be forged, and the request was
      // not refused (its sender resends it on its next connection). An RSA LOGIN that does not
      // open is answered first (in plain: there is no key), so the client learns why.
      this.log.info({ conn: this.connectionId, reason: error.message }, 'encrypted frame refused');
      if (this.cipher === undefined) {
        this.writeIfOpen(errorFrame(received.seq, received.command, error.status, error.message));
      }
      this.close(Status.PROTOCOL_ERROR, error.message);
      return;
    }
    try {
      if (flags.flow !== Flow.REQUEST) {
        throw new ParleyError(Status.PROTOCOL_ERROR, 'clients may only send requests (flow 0)');
      }
      let body = frame.body;
      if (flags.compression === Compression.GZIP) body = gunzipBounded(body, this.limits.maxBodyLength);
      else if (flags.compression !== Compression.NONE) {
        throw new ParleyError(Status.UNSUPPORTED, `compression ${flags.compression} is not supported`);
      }
      const reply = await handleNativeRequest(this.dispatcher, this, frame.command, body, {
        endToEnd: flags.encryption === Encryption.END_TO_END,
      });
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

  /**
   * The frame as plain bytes, by its encryption bits (docs/native-protocol.md, "Encryption
   * flags"). PROTOCOL_ERROR (the connection closes) for what fails authentication or breaks the
   * session's rules; BAD_REQUEST / UNSUPPORTED (it stays open) for a misuse with no session yet.
   */
  private async decrypt(frame: Frame, encryption: number): Promise<Frame> {
    switch (encryption) {
      case Encryption.NONE:
        if (this.cipher !== undefined) {
          throw new ParleyError(
            Status.PROTOCOL_ERROR,
            'plain frame after an encrypted LOGIN: every frame must be AES',
          );
        }
        return frame;
      case Encryption.AES:
        if (this.cipher === undefined) {
          throw new ParleyError(Status.BAD_REQUEST, 'no session key: send an RSA LOGIN (encryption 2) first');
        }
        return this.cipher.open(frame);
      case Encryption.RSA: {
        if (this.cipher !== undefined) {
          throw new ParleyError(Status.PROTOCOL_ERROR, 'the session key is set: later frames must be AES');
        }
        if (frame.command !== Command.LOGIN) {
          throw new ParleyError(Status.BAD_REQUEST, 'RSA (encryption 2) is for the LOGIN request only');
        }
        if (this.keyring === undefined) {
          throw new ParleyError(Status.UNSUPPORTED, 'encrypted frames are not enabled on this server');
        }
        const opened = openRsaLogin(await this.keyring.get(), frame);
        this.cipher = opened.cipher;
        return opened.frame;
      }
      default:
        // End-to-end (3) protects a message's content, not the frame: the body is a plain
        // Message whose content the handler requires to be ENCRYPTED. On an AES session every
        // frame is AES (the content type says end-to-end there).
        if (this.cipher !== undefined) {
          throw new ParleyError(Status.PROTOCOL_ERROR, 'on an encrypted session every frame must be AES');
        }
        return frame;
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
