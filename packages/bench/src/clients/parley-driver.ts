import {
  Command,
  ConversationType,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  Platform,
  RegisterRequestSchema,
  RegisterResponseSchema,
  Status,
  type Frame,
} from '@parley/protocol';
import { pushedText } from '../wire/native-fast.js';
import {
  targetOf,
  type Driver,
  type Endpoint,
  type EndpointSpec,
  type Payload,
  type Target,
} from './endpoint.js';
import { ParleyConnection } from './parley-connection.js';

export const BENCH_PASSWORD = 'bench-password';

class ParleyEndpoint implements Endpoint {
  onPayload: ((payload: Payload) => void) | undefined;
  /** MN notifies seen (a group over the notify threshold): counted, as a sign of misconfiguration. */
  notifies = 0;
  private nextMsgId = 0;

  constructor(
    readonly name: string,
    readonly address: string,
    readonly token: string,
    readonly connection: ParleyConnection,
  ) {
    connection.onNotify = (frame: Frame) => {
      if (frame.command === Command.MPS) {
        const text = pushedText(frame.body);
        if (text !== undefined) this.onPayload?.(text);
      } else if (frame.command === Command.MN) this.notifies++;
    };
  }

  get isClosed(): boolean {
    return this.connection.isClosed;
  }

  private sendTo(type: number, to: string, payload: string, onAck?: (ok: boolean) => void): void {
    const id = (this.nextMsgId++).toString(36);
    this.connection.sendText(
      type,
      to,
      id,
      payload,
      onAck === undefined
        ? undefined
        : (status) => {
            onAck(status === Status.OK);
          },
    );
  }

  send(to: string, payload: string, onAck?: (ok: boolean) => void): void {
    this.sendTo(ConversationType.SINGLE, to, payload, onAck);
  }

  sendGroup(group: string, payload: string, onAck?: (ok: boolean) => void): void {
    this.sendTo(ConversationType.GROUP, group, payload, onAck);
  }

  heartbeat(): void {
    this.connection.ping();
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/** Parley's native protocol over TCP; every user logs in as a PC device named after it. */
export class ParleyDriver implements Driver {
  readonly kind = 'parley';
  readonly acknowledges = true;

  constructor(private readonly targets: readonly Target[]) {}

  async connect(spec: EndpointSpec, onPayload?: (payload: Payload) => void): Promise<Endpoint> {
    const conn = await ParleyConnection.open(targetOf(this.targets, spec.node), spec.localAddress);
    try {
      if (spec.register === true) {
        await conn.request(
          Command.REGISTER,
          RegisterRequestSchema,
          { username: spec.name, password: BENCH_PASSWORD },
          RegisterResponseSchema,
        );
      }
      const login = await conn.request(
        Command.LOGIN,
        LoginRequestSchema,
        spec.token === undefined
          ? { username: spec.name, password: BENCH_PASSWORD, deviceId: spec.name, platform: Platform.PC }
          : { token: spec.token, deviceId: spec.name, platform: Platform.PC },
        LoginResponseSchema,
      );
      const endpoint = new ParleyEndpoint(spec.name, String(login.userId), login.token, conn);
      endpoint.onPayload = onPayload;
      return endpoint;
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  async createGroup(owner: Endpoint, name: string, members: readonly string[]): Promise<string> {
    if (!(owner instanceof ParleyEndpoint)) throw new TypeError('not a Parley endpoint');
    const info = await owner.connection.request(
      Command.GROUP_CREATE,
      GroupCreateRequestSchema,
      { name, memberIds: members.map((m) => BigInt(m)) },
      GroupInfoSchema,
    );
    return info.groupId;
  }

  /**
   * Registers users over a few pipelined connections (no session stays behind), so a scenario
   * can measure the server before and after its users connect.
   */
  async registerUsers(names: readonly string[], connections: number): Promise<void> {
    const queue = [...names];
    const worker = async () => {
      const conn = await ParleyConnection.open(targetOf(this.targets, 0));
      try {
        const inflight = new Set<Promise<unknown>>();
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          const p = conn.request(
            Command.REGISTER,
            RegisterRequestSchema,
            { username: name, password: BENCH_PASSWORD },
            RegisterResponseSchema,
          );
          inflight.add(p);
          void p.finally(() => inflight.delete(p)).catch(() => undefined);
          if (inflight.size >= 16) await Promise.race(inflight);
        }
        await Promise.all(inflight);
      } finally {
        await conn.close();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, connections) }, worker));
  }
}
