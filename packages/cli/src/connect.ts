import { randomBytes } from 'node:crypto';
import { ParleyClient, Platform, tcpTransport, type ClientStorage } from '@parley/sdk/node';
import type { SavedSession } from './session-store.js';
import type { Endpoints, ServerAddress } from './server-address.js';

export interface ClientOptions {
  readonly deviceId: string;
  readonly platform: Platform;
  readonly storage?: ClientStorage;
}

export function createClient(server: ServerAddress, options: ClientOptions): ParleyClient {
  return new ParleyClient({
    transport: tcpTransport({ host: server.host, port: server.port, connectTimeoutMs: 10_000 }),
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
  const bot = createClient(endpoints.server, { deviceId: botDeviceId(deviceId), platform: Platform.BOT });
  try {
    botToken = (await bot.login({ username, password })).token;
  } catch {
    botToken = undefined;
  } finally {
    bot.close();
  }
  const session: SavedSession = {
    server: endpoints.serverText,
    http: endpoints.http,
    userId: String(res.userId),
    username: res.username !== '' ? res.username : username,
    token: res.token,
    deviceId,
  };
  return botToken === undefined ? session : { ...session, botToken };
}
