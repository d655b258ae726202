import { connect, type Socket } from 'node:net';
import {
  LengthPrefixedDecoder,
  RELAY_READY,
  lengthPrefixed,
  type RelayHello,
} from '../wire/length-prefixed.js';
import {
  targetOf,
  type Driver,
  type Endpoint,
  type EndpointSpec,
  type Payload,
  type Target,
} from './endpoint.js';

/**
 * Client of the raw net relay (systems/net-relay.ts). The route is fixed by the hello, so `send`
 * ignores its destination; nothing is acknowledged.
 */
class NetEndpoint implements Endpoint {
  onPayload: ((payload: Payload) => void) | undefined;
  readonly token = '';
  private closedFlag = false;
  private corked = false;

  constructor(
    readonly name: string,
    private readonly socket: Socket,
    private readonly routed: boolean,
    rest: Buffer,
    onPayload: ((payload: Payload) => void) | undefined,
  ) {
    this.onPayload = onPayload;
    const decoder = new LengthPrefixedDecoder();
    const onFrame = (frame: Buffer) => {
      if (frame.length > 0) this.onPayload?.(frame);
    };
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk, onFrame);
    });
    socket.on('close', () => {
      this.closedFlag = true;
    });
    if (rest.length > 0) decoder.push(rest, onFrame);
  }

  get address(): string {
    return this.name;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  private write(bytes: Buffer): void {
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

  send(_to: string, payload: string): void {
    if (!this.routed) throw new Error(`${this.name} has no route: give it one in its spec`);
    this.write(lengthPrefixed(payload));
  }

  sendGroup(_group: string, payload: string): void {
    this.send('', payload);
  }

  heartbeat(): void {
    this.write(lengthPrefixed(''));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closedFlag) {
        resolve();
        return;
      }
      this.socket.once('close', () => {
        resolve();
      });
      this.socket.end();
    });
  }
}

export class NetDriver implements Driver {
  readonly kind = 'net';
  readonly acknowledges = false;

  constructor(private readonly targets: readonly Target[]) {}

  async connect(spec: EndpointSpec, onPayload?: (payload: Payload) => void): Promise<Endpoint> {
    const t = targetOf(this.targets, spec.node);
    const socket = connect({
      host: t.host,
      port: t.port,
      noDelay: true,
      ...(spec.localAddress === undefined ? {} : { localAddress: spec.localAddress }),
    });
    const hello: RelayHello = {
      name: spec.name,
      ...(spec.route !== undefined && 'to' in spec.route ? { to: spec.route.to } : {}),
      ...(spec.route !== undefined && 'group' in spec.route ? { group: spec.route.group } : {}),
      ...(spec.join === undefined ? {} : { join: spec.join }),
    };
    socket.write(lengthPrefixed(JSON.stringify(hello)));
    // Wait for the relay's ready byte; anything after it is already frames.
    const rest = await new Promise<Buffer>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        socket.off('data', onData);
        socket.off('error', reject);
        socket.pause();
        if (chunk[0] !== RELAY_READY) reject(new Error('the relay refused the hello'));
        else resolve(chunk.subarray(1));
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    const endpoint = new NetEndpoint(spec.name, socket, spec.route !== undefined, rest, onPayload);
    socket.resume();
    socket.on('error', () => undefined);
    return endpoint;
  }

  createGroup(_owner: Endpoint, name: string): Promise<string> {
    return Promise.resolve(name);
  }
}
