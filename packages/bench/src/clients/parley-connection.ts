import { connect, type Socket } from 'node:net';
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import {
  ABSOLUTE_MAX_BODY_LENGTH,
  Command,
  ErrorBodySchema,
  Flow,
  FrameDecoder,
  Status,
  commandName,
  encodeFrame,
  makeFlags,
  parseFlags,
  statusName,
  type Frame,
} from '@parley/protocol';
import { encodeEmptyFrame, encodeSendFrame } from '../wire/native-fast.js';

export interface TcpTarget {
  readonly host: string;
  readonly port: number;
}

/** A request the server answered with a status other than OK. */
export class RequestFailedError extends Error {
  constructor(
    readonly command: number,
    readonly status: number,
    detail: string,
  ) {
    super(`${commandName(command)} failed with ${statusName(status)}${detail === '' ? '' : `: ${detail}`}`);
    this.name = 'RequestFailedError';
  }
}

/**
 * A lean native-protocol connection for load generation: typed requests for setup (REGISTER,
 * LOGIN, GROUP_CREATE, SYNC, MP), and an allocation-light path for MS, PING and pushes. Writes
 * made in one event-loop turn go out as one TCP write (cork until the next tick).
 */
export class ParleyConnection {
  /** Server notifications (MPS, MN, PRESENCE, ...). */
  onNotify: ((frame: Frame) => void) | undefined;
  pongs = 0;
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder({ maxBodyLength: ABSOLUTE_MAX_BODY_LENGTH });
  private readonly pending = new Map<number, { resolve: (f: Frame) => void; reject: (e: Error) => void }>();
  private readonly acks = new Map<number, (status: number) => void>();
  private nextSeq = 1;
  private corked = false;
  private closedFlag = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (;;) {
        const r = this.decoder.next();
        if (r.kind === 'need-more') break;
        if (r.kind === 'fault') {
          socket.destroy(new Error(`undecodable frame from the server: ${r.fault.error.message}`));
          break;
        }
        this.onFrame(r.frame);
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.closedFlag = true;
        const err = new Error('connection closed');
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        for (const ack of this.acks.values()) ack(-1);
        this.acks.clear();
        resolve();
      });
    });
  }

  static open(target: TcpTarget, localAddress?: string): Promise<ParleyConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: target.host,
        port: target.port,
        noDelay: true,
        ...(localAddress === undefined ? {} : { localAddress }),
      });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new ParleyConnection(socket));
      });
    });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  private onFrame(frame: Frame): void {
    const flow = parseFlags(frame.flag).flow;
    if (flow !== Flow.RESPONSE) {
      this.onNotify?.(frame);
      return;
    }
    const ack = this.acks.get(frame.seq);
    if (ack !== undefined) {
      this.acks.delete(frame.seq);
      ack(frame.status);
      return;
    }
    const p = this.pending.get(frame.seq);
    if (p !== undefined) {
      this.pending.delete(frame.seq);
      p.resolve(frame);
      return;
    }
    if (frame.command === Command.PING) this.pongs++;
  }

  private write(bytes: Uint8Array): void {
    if (this.closedFlag) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(bytes);
  }

  private seq(): number {
    const s = this.nextSeq;
    this.nextSeq = s >= 0xffffffff ? 1 : s + 1;
    return s;
  }

  /** Sends a request and resolves with the response frame whatever its status. */
  requestFrame(command: number, body: Uint8Array): Promise<Frame> {
    if (this.closedFlag) return Promise.reject(new Error('connection closed'));
    const seq = this.seq();
    const promise = new Promise<Frame>((resolve, reject) => this.pending.set(seq, { resolve, reject }));
    this.write(encodeFrame({ seq, command, flag: makeFlags(Flow.REQUEST), status: 0, body }));
    return promise;
  }

  /** A typed request; a status other than OK rejects with RequestFailedError. */
  async request<Req extends DescMessage, Res extends DescMessage>(
    command: number,
    reqSchema: Req,
    init: MessageInitShape<Req>,
    resSchema: Res,
  ): Promise<MessageShape<Res>> {
    const frame = await this.requestFrame(command, toBinary(reqSchema, create(reqSchema, init)));
    if (frame.status !== Status.OK) {
      let detail = '';
      try {
        detail = fromBinary(ErrorBodySchema, frame.body).message;
      } catch {
        // no error body
      }
      throw new RequestFailedError(command, frame.status, detail);
    }
    return fromBinary(resSchema, frame.body);
  }

  /** Hot path: an MS with a TEXT body; `onAck` gets the response status (-1 if the connection closed). */
  sendText(
    conversationType: number,
    target: string,
    clientMsgId: string,
    text: string,
    onAck?: (status: number) => void,
  ): void {
    const seq = this.seq();
    if (onAck !== undefined) {
      if (this.closedFlag) {
        onAck(-1);
        return;
      }
      this.acks.set(seq, onAck);
    }
    this.write(encodeSendFrame(seq, conversationType, target, clientMsgId, text));
  }

  ping(): void {
    this.write(encodeEmptyFrame(this.seq(), Command.PING));
  }

  close(): Promise<void> {
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    return this.closed.finally(() => {
      clearTimeout(timer);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}
