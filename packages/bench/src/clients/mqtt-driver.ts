import { connect as tcpConnect } from 'node:net';
import { MqttClient } from 'mqtt';
import {
  targetOf,
  type Driver,
  type Endpoint,
  type EndpointSpec,
  type Payload,
  type Target,
} from './endpoint.js';

/** Topics: `u/<name>` reaches one client, `g/<group>` every subscriber of the group. */
const userTopic = (name: string) => `u/${name}`;
const groupTopic = (group: string) => `g/${group}`;

class MqttEndpoint implements Endpoint {
  onPayload: ((payload: Payload) => void) | undefined;
  readonly token = '';

  constructor(
    readonly name: string,
    private readonly client: MqttClient,
  ) {
    client.on('message', (_topic: string, payload: Buffer) => {
      this.onPayload?.(payload);
    });
  }

  get address(): string {
    return this.name;
  }

  get isClosed(): boolean {
    return !this.client.connected;
  }

  private publish(topic: string, payload: string, onAck?: (ok: boolean) => void): void {
    this.client.publish(topic, payload, { qos: 1 }, (err) => {
      // mqtt.js passes null or undefined on success.
      onAck?.(!(err instanceof Error));
    });
  }

  send(to: string, payload: string, onAck?: (ok: boolean) => void): void {
    this.publish(userTopic(to), payload, onAck);
  }

  sendGroup(group: string, payload: string, onAck?: (ok: boolean) => void): void {
    this.publish(groupTopic(group), payload, onAck);
  }

  heartbeat(): void {
    // MQTT keepalive (PINGREQ) is run by the client library.
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.client.end(false, {}, () => {
        resolve();
      });
    });
  }
}

/** Mosquitto with QoS 1 both ways, through the `mqtt` client (its own TCP socket, so localAddress works). */
export class MqttDriver implements Driver {
  readonly kind = 'mqtt';
  readonly acknowledges = true;

  constructor(
    private readonly targets: readonly Target[],
    private readonly keepaliveSeconds = 30,
  ) {}

  async connect(spec: EndpointSpec, onPayload?: (payload: Payload) => void): Promise<Endpoint> {
    const t = targetOf(this.targets, spec.node);
    const client = new MqttClient(
      () =>
        tcpConnect({
          host: t.host,
          port: t.port,
          noDelay: true,
          ...(spec.localAddress === undefined ? {} : { localAddress: spec.localAddress }),
        }),
      {
        clientId: spec.name,
        clean: spec.persistent !== true,
        protocolVersion: 4,
        keepalive: this.keepaliveSeconds,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
      },
    );
    const endpoint = new MqttEndpoint(spec.name, client);
    endpoint.onPayload = onPayload;
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => {
        resolve();
      });
      client.once('error', reject);
      client.once('close', () => {
        reject(new Error(`MQTT connection of ${spec.name} closed before CONNACK`));
      });
    });
    const topics = [userTopic(spec.name)];
    if (spec.join !== undefined) topics.push(groupTopic(spec.join));
    // A persistent session keeps its subscription: subscribing again is harmless.
    await client.subscribeAsync(topics, { qos: 1 });
    return endpoint;
  }

  createGroup(_owner: Endpoint, name: string): Promise<string> {
    return Promise.resolve(name);
  }
}
