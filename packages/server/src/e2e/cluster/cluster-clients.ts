import { WebSocket } from 'ws';
import {
  ParleyClient,
  gatewayTransport,
  webSocketTransport,
  type GatewayNode,
  type TransportFactory,
} from '@parley/sdk';
import { tcpTransport } from '@parley/sdk/node';
import type { Message } from '@parley/protocol';
import type { ClusterNodeProcess, TestCluster } from '@parley/testkit';

/** An SDK user in a cluster test, with everything it saw. */
export interface TestUser {
  readonly name: string;
  readonly id: bigint;
  readonly client: ParleyClient;
  readonly messages: Message[];
  readonly errors: string[];
  /** Node names this user's connections went to (gateway transport only), in order. */
  readonly nodes: string[];
  /** Texts of the messages others sent (the SDK also reports this user's own). */
  texts(): string[];
}

export const fastReconnect = { initialDelayMs: 50, maxDelayMs: 400 };

export function tcpTo(node: ClusterNodeProcess): TransportFactory {
  return tcpTransport({ host: '127.0.0.1', port: node.port });
}

export function wsTo(node: ClusterNodeProcess): TransportFactory {
  return webSocketTransport({ url: `ws://127.0.0.1:${node.httpPort}/ws`, WebSocket });
}

/** Through GET /api/v1/gateway of any node, as a real client of a cluster would connect. */
export function viaGateway(cluster: TestCluster, nodes: string[]): TransportFactory {
  return gatewayTransport({
    gateways: cluster.gatewayUrls(),
    timeoutMs: 2000,
    connect: (node: GatewayNode) => tcpTransport({ host: node.tcp.host, port: node.tcp.port })(),
    onNode: (node) => nodes.push(node.name),
  });
}

let counter = 0;
export const PASSWORD = 'password-123';

/** Registers a fresh user and logs it in over `transport`. */
export async function newUser(
  prefix: string,
  transport: (nodes: string[]) => TransportFactory,
): Promise<TestUser> {
  counter += 1;
  const name = `${prefix}${counter}${process.pid}`;
  const nodes: string[] = [];
  const factory = transport(nodes);
  await new ParleyClient({ transport: factory }).register(name, PASSWORD);
  return loginAs(name, factory, nodes);
}

/** Logs an existing user in (a new device session) over `transport`. */
export async function loginAs(
  name: string,
  transport: TransportFactory,
  nodes: string[] = [],
): Promise<TestUser> {
  const client = new ParleyClient({ transport, reconnect: fastReconnect });
  const messages: Message[] = [];
  const errors: string[] = [];
  client.on('message', (m) => messages.push(m));
  client.on('error', (e) => errors.push(`${e.context}: ${e.error.message}`));
  const { userId } = await client.login({ username: name, password: PASSWORD });
  return {
    name,
    id: userId,
    client,
    messages,
    errors,
    nodes,
    texts: () => messages.filter((m) => m.senderId !== userId).map((m) => m.messageContent?.text ?? ''),
  };
}

export async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
