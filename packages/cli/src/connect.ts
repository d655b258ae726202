import { randomBytes } from 'node:crypto';
import {
  ParleyClient,
  Platform,
  gatewayTransport,
  tcpTransport,
  type ClientStorage,
  type GatewayNode,
  type TransportFactory,
} from '@parley/sdk/node';
import type { SavedSession } from './session-store.js';
import type { Endpoints, Route } from './server-address.js';

const CONNECT_TIMEOUT_MS = 10_000;

export interface ClientOptions {
  readonly deviceId: string;
  readonly platform: Platform;
  readonly storage?: ClientStorage;
  /** With a gateway: told which node each (re)connection went to. */
  readonly onNode?: (node: GatewayNode) => void;
}

/**
 * TCP to one server, or through a cluster's gateway endpoint: then every (re)connect asks
 * `GET /api/v1/gateway` for the least-loaded live node, and a node that dropped us is avoided,
 * so a reconnect after a node died lands on another one.
 */
function transportFor(route: Route, onNode: ((node: GatewayNode) => void) | undefined): TransportFactory {
  if (route.kind === 'tcp') {
    return tcpTransport({
      host: route.server.host,
      port: route.server.port,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    });
  }
  return gatewayTransport({
    gateways: route.urls,
    connect: (node) =>
      tcpTransport({ host: node.tcp.host, port: node.tcp.port, connectTimeoutMs: CONNECT_TIMEOUT_MS })(),
    ...(onNode === undefined ? {} : { onNode }),
  });
}

export function createClient(target: { readonly route: Route }, options: ClientOptions): ParleyClient {
  return new ParleyClient({
    transport: transportFor(target.route, options.onNode),
    deviceId: options.deviceId,
    platform: options.platform,
    ...(options.storage === undefined ? {} : { storage: options.storage }),
  });
}

/** A new installation's device id (kept in the session file, so re-logins reuse it). */
export function newDeviceId(): string {
  return `cli-${randomBytes(8).toString('hex')}`;
}

export function botDeviceId(deviceId: string): string {
  return `${deviceId}-bot`;
}

/**
 * Signs in with a password on `client` (which stays connected, as the `pc` device), then signs
 * in once more as the `bot` device, only to obtain the token `parley tail` uses; that second
 * connection is closed at once. If the second sign-in fails the session simply has no bot token
 * (tail then uses the pc token, and replaces a running chat client).
 */
export async function passwordSignIn(
  client: ParleyClient,
  endpoints: Endpoints,
  username: string,
  password: string,
  deviceId: string,
): Promise<SavedSession> {
  const res = await client.login({ username, password });
  let botToken: string | undefined;
  const bot = createClient(endpoints, { deviceId: botDeviceId(deviceId), platform: Platform.BOT });
  try {
    botToken = (await bot.login({ username, password })).token;
  } catch {
    botToken = undefined;
  } finally {
    bot.close();
  }
  const session: SavedSession = {
    server: endpoints.serverText,
    ...(endpoints.route.kind === 'gateway' ? { gateways: endpoints.route.urls } : {}),
    http: endpoints.http,
    userId: String(res.userId),
    username: res.username !== '' ? res.username : username,
    token: res.token,
    deviceId,
  };
  return botToken === undefined ? session : { ...session, botToken };
}
