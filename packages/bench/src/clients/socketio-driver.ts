import { io, type Socket } from 'socket.io-client';
import {
  targetOf,
  type Driver,
  type Endpoint,
  type EndpointSpec,
  type Payload,
  type Target,
} from './endpoint.js';

/** Client side of the Socket.IO chat relay (systems/socketio-relay.ts): events `m`, `g`, `join`. */
class SocketIoEndpoint implements Endpoint {
  onPayload: ((payload: Payload) => void) | undefined;
  readonly token = '';
  private closedFlag = false;

  constructor(
    readonly name: string,
    private readonly socket: Socket,
  ) {
    socket.on('m', (payload: string) => {
      this.onPayload?.(payload);
    });
    socket.on('disconnect', () => {
      this.closedFlag = true;
    });
  }

  get address(): string {
    return this.name;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  send(to: string, payload: string, onAck?: (ok: boolean) => void): void {
    if (onAck === undefined) this.socket.emit('m', to, payload);
    else
      this.socket.emit('m', to, payload, () => {
        onAck(true);
      });
  }

  sendGroup(group: string, payload: string, onAck?: (ok: boolean) => void): void {
    if (onAck === undefined) this.socket.emit('g', group, payload);
    else
      this.socket.emit('g', group, payload, () => {
        onAck(true);
      });
  }

  heartbeat(): void {
    // Engine.IO's own ping/pong is the heartbeat (the relay sets its interval).
  }

  close(): Promise<void> {
    this.closedFlag = true;
    this.socket.disconnect();
    return Promise.resolve();
  }
}

export class SocketIoDriver implements Driver {
  readonly kind = 'socketio';
  readonly acknowledges = true;

  constructor(private readonly targets: readonly Target[]) {}

  async connect(spec: EndpointSpec, onPayload?: (payload: Payload) => void): Promise<Endpoint> {
    const t = targetOf(this.targets, spec.node);
    const socket = io(`http://${t.host}:${t.port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { name: spec.name },
      ...(spec.localAddress === undefined ? {} : { localAddress: spec.localAddress }),
    });
    const endpoint = new SocketIoEndpoint(spec.name, socket);
    endpoint.onPayload = onPayload;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    if (spec.join !== undefined) {
      await socket.timeout(30_000).emitWithAck('join', spec.join);
    }
    return endpoint;
  }

  /** Rooms need no owner: members joined at connect (spec.join); the room name is the address. */
  createGroup(_owner: Endpoint, name: string): Promise<string> {
    return Promise.resolve(name);
  }
}
