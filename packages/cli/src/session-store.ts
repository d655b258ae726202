import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from './private-file.js';

/**
 * The saved sign-in: which server, who, and the tokens. Two tokens, because the server keeps one
 * live session per user and platform class: the chat client signs in as `pc`, while `parley tail`
 * (and other long-running script use) signs in as `bot`, so the two never replace each other.
 */
export interface SavedSession {
  /** TCP address, `host:port` (with `gateways`: those URLs joined by commas, for messages). */
  readonly server: string;
  /** A cluster's gateway URLs (`--gateway`): every connection asks them for a node. */
  readonly gateways?: readonly string[];
  /** HTTP API base URL, e.g. `http://127.0.0.1:8080`. */
  readonly http: string;
  /** Decimal user id. */
  readonly userId: string;
  readonly username: string;
  /** Token of the `pc` device (the chat client). */
  readonly token: string;
  /** Token of the `bot` device (`parley tail`); absent if that second sign-in failed. */
  readonly botToken?: string;
  /** Device id of the `pc` device; the bot device is `<deviceId>-bot`. */
  readonly deviceId: string;
}

const FILE_VERSION = 1;

/** The session file, `session.json` in the config dir (mode 0600), plus the chat client's state file. */
export class SessionStore {
  constructor(readonly dir: string) {}

  get sessionPath(): string {
    return join(this.dir, 'session.json');
  }

  /** The chat client's cursors and outbox (see file-storage.ts). */
  get chatStatePath(): string {
    return join(this.dir, 'chat-state.json');
  }

  /** The saved session, or undefined when there is none or the file is not one of ours. */
  async load(): Promise<SavedSession | undefined> {
    let text: string;
    try {
      text = await readFile(this.sessionPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return parseSession(JSON.parse(text));
    } catch {
      return undefined;
    }
  }

  async save(session: SavedSession): Promise<void> {
    await writePrivateFile(
      this.sessionPath,
      `${JSON.stringify({ version: FILE_VERSION, ...session }, null, 2)}\n`,
    );
  }

  /** Forgets the session and the chat client's state. */
  async clear(): Promise<void> {
    await rm(this.sessionPath, { force: true });
    await rm(this.chatStatePath, { force: true });
  }
}

function parseSession(value: unknown): SavedSession | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const fields = ['server', 'http', 'userId', 'username', 'token', 'deviceId'] as const;
  if (v['version'] !== FILE_VERSION) return undefined;
  for (const f of fields) if (typeof v[f] !== 'string' || v[f] === '') return undefined;
  const session: SavedSession = {
    server: v['server'] as string,
    http: v['http'] as string,
    userId: v['userId'] as string,
    username: v['username'] as string,
    token: v['token'] as string,
    deviceId: v['deviceId'] as string,
  };
  const bot = v['botToken'];
  const gateways = v['gateways'];
  let withGateways: SavedSession = session;
  if (gateways !== undefined) {
    const valid =
      Array.isArray(gateways) &&
      gateways.length > 0 &&
      gateways.every((g) => typeof g === 'string' && g !== '');
    if (!valid) return undefined;
    withGateways = { ...session, gateways: gateways as string[] };
  }
  return typeof bot === 'string' && bot !== '' ? { ...withGateways, botToken: bot } : withGateways;
}
