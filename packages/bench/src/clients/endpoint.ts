/** The systems a load generator can drive: Parley and the peers it is measured against. */
export const SYSTEM_KINDS = ['parley', 'socketio', 'mqtt', 'net'] as const;
export type SystemKind = (typeof SYSTEM_KINDS)[number];

export interface Target {
  readonly host: string;
  readonly port: number;
}

export interface EndpointSpec {
  readonly name: string;
  /** Which of the system's targets (cluster nodes) to connect to; 0 by default. */
  readonly node?: number;
  readonly localAddress?: string;
  /** Parley: register the user on this connection before logging in. */
  readonly register?: boolean;
  /** Parley: log in with this token instead of the password. */
  readonly token?: string;
  /** Raw net relay: where this connection's bytes go, fixed at connect (the relay parses nothing after). */
  readonly route?: { readonly to: string } | { readonly group: string };
  /** A room / topic / relay group this endpoint receives. */
  readonly join?: string;
  /** MQTT: a persistent session (clean = false), so the broker queues while it is away. */
  readonly persistent?: boolean;
}

/** A payload as the client library hands it over: text or bytes. */
export type Payload = string | Uint8Array;

/** One connected client of some system, with the few operations the scenarios need. */
export interface Endpoint {
  readonly name: string;
  /** What a sender names to reach this endpoint: a Parley user id, otherwise the name. */
  readonly address: string;
  /** Parley: the login token, for a reconnect without the password. */
  readonly token: string;
  onPayload: ((payload: Payload) => void) | undefined;
  /** One message to one peer; `onAck` when the system acknowledges it (never for the raw net relay). */
  send(to: string, payload: string, onAck?: (ok: boolean) => void): void;
  sendGroup(group: string, payload: string, onAck?: (ok: boolean) => void): void;
  /** An application-level heartbeat where the client library does not run one itself. */
  heartbeat(): void;
  readonly isClosed: boolean;
  close(): Promise<void>;
}

export interface Driver {
  readonly kind: SystemKind;
  /** Whether sends are acknowledged (persisted for Parley, PUBACK for MQTT, ack callback for Socket.IO). */
  readonly acknowledges: boolean;
  /** `onPayload` is in place before the first byte can arrive (a broker replays queued messages at once). */
  connect(spec: EndpointSpec, onPayload?: (payload: Payload) => void): Promise<Endpoint>;
  /** A group of these member addresses, owned by `owner`; returns the address to sendGroup to. */
  createGroup(owner: Endpoint, name: string, members: readonly string[]): Promise<string>;
}

export function targetOf(targets: readonly Target[], node: number | undefined): Target {
  const t = targets[node ?? 0];
  if (t === undefined) throw new RangeError(`no target ${String(node)} (the system has ${targets.length})`);
  return t;
}
