import { CliError, describeError } from './errors.js';
import { conversationTypeName, fromHttp, type MessageView } from './message-view.js';
import { ConversationType, type ConversationRef } from '@parley/sdk';

/** A user as the HTTP API returns it. */
export interface HttpUser {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
}

/** `POST /api/v1/media` answer. */
export interface UploadedMedia {
  readonly mediaId: string;
  readonly url: string;
  readonly mime: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly durationMs: number;
  readonly thumbnailUrl: string;
}

/** A refusal by the server: its status name (e.g. NOT_FOUND) and message. */
export class HttpApiError extends CliError {
  constructor(
    readonly httpStatus: number,
    readonly statusName: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpApiError';
  }
}

type Json = Record<string, unknown>;

function record(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}
function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function userOf(v: unknown): HttpUser {
  const u = record(v);
  return { userId: text(u['userId']), username: text(u['username']), displayName: text(u['displayName']) };
}

/** The path segment of a conversation: `single/<peer id>`, `group/<id>`, `chatroom/<name>`. */
export function conversationPath(ref: ConversationRef): string {
  return `/api/v1/conversations/${conversationTypeName(ref.type)}/${encodeURIComponent(ref.target)}`;
}

/**
 * The few HTTP API calls the CLI makes (docs/http-api.md): media upload, and for scripts send,
 * history and user lookup. HTTP requests never replace (kick) a connected device, which is why
 * `parley send` and `parley history` use them while `parley tail` holds a native connection.
 */
export class HttpApi {
  constructor(
    readonly base: string,
    private readonly token: string,
  ) {}

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
    } catch (err) {
      throw new CliError(
        `cannot reach the HTTP API at ${this.base} (${describeError(err)}); pass --http URL if it lives elsewhere`,
      );
    }
    const raw = await res.text();
    let json: unknown;
    try {
      json = raw === '' ? {} : JSON.parse(raw);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = record(record(json)['error']);
      const name = text(error['name']);
      const message = text(error['message']);
      throw new HttpApiError(
        res.status,
        name,
        message !== ''
          ? `${message} (${name !== '' ? name : `HTTP ${String(res.status)}`})`
          : `HTTP ${String(res.status)} from ${path}`,
      );
    }
    if (json === undefined)
      throw new CliError(`the server at ${this.base} answered ${path} with something that is not JSON`);
    return json;
  }

  /** The user with exactly this username (case-insensitive), or undefined. */
  async findUser(username: string): Promise<HttpUser | undefined> {
    const res = record(
      await this.request('GET', `/api/v1/users/search?q=${encodeURIComponent(username)}&limit=50`),
    );
    const users = Array.isArray(res['users']) ? res['users'].map(userOf) : [];
    return users.find((u) => u.username.toLowerCase() === username.toLowerCase());
  }

  /** Profiles by id (unknown ids are left out). */
  async users(ids: readonly string[]): Promise<HttpUser[]> {
    if (ids.length === 0) return [];
    const res = record(
      await this.request('GET', `/api/v1/users?ids=${ids.map(encodeURIComponent).join(',')}`),
    );
    return Array.isArray(res['users']) ? res['users'].map(userOf) : [];
  }

  /** My conversations (hidden ones left out) with their head seq. */
  async conversations(limit = 500): Promise<{ ref: ConversationRef; maxSeq: bigint }[]> {
    const res = record(await this.request('GET', `/api/v1/conversations?limit=${String(limit)}`));
    const list = Array.isArray(res['conversations']) ? res['conversations'] : [];
    return list.map((entry) => {
      const e = record(entry);
      const conv = record(e['conversation']);
      const type =
        conv['type'] === 'group'
          ? ConversationType.GROUP
          : conv['type'] === 'chatroom'
            ? ConversationType.CHATROOM
            : ConversationType.SINGLE;
      const maxSeq =
        typeof e['maxSeq'] === 'number' && Number.isSafeInteger(e['maxSeq']) ? BigInt(e['maxSeq']) : 0n;
      return { ref: { type, target: text(conv['target']) }, maxSeq };
    });
  }

  async joinChatroom(name: string): Promise<void> {
    await this.request('POST', `/api/v1/chatrooms/${encodeURIComponent(name)}/join`);
  }

  /** Sends `content` (the protobuf JSON form); a retry with the same clientMsgId is not stored twice. */
  async send(ref: ConversationRef, content: Json, clientMsgId: string): Promise<MessageView> {
    const res = record(
      await this.request('POST', `${conversationPath(ref)}/messages`, { clientMsgId, content }),
    );
    return fromHttp(res['message']);
  }

  /** The newest `limit` messages (before `beforeSeq`, when given), oldest first. */
  async history(
    ref: ConversationRef,
    options: { readonly limit: number; readonly beforeSeq?: bigint },
  ): Promise<{ messages: MessageView[]; hasMore: boolean }> {
    const from = options.beforeSeq === undefined ? 0n : options.beforeSeq - 1n;
    const query = `?direction=backward&fromSeq=${String(from)}&limit=${String(options.limit)}`;
    const res = record(await this.request('GET', `${conversationPath(ref)}/messages${query}`));
    const messages = Array.isArray(res['messages']) ? res['messages'].map(fromHttp) : [];
    messages.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    return { messages, hasMore: res['hasMore'] === true };
  }

  /** `GET /api/v1/wallet`: my balance and the newest `limit` ledger entries (raw JSON). */
  async wallet(limit: number): Promise<unknown> {
    return this.request('GET', `/api/v1/wallet?limit=${String(limit)}`);
  }

  /** `POST /api/v1/red-packets/{id}/claim`: the packet with this claim's amount and my balance. */
  async claimRedPacket(packetId: string): Promise<Record<string, unknown>> {
    return record(await this.request('POST', `/api/v1/red-packets/${encodeURIComponent(packetId)}/claim`));
  }

  /** Uploads a file; the server sniffs its type (images, audio, video, PDF are allowed). */
  async upload(bytes: Uint8Array, name: string): Promise<UploadedMedia> {
    const form = new FormData();
    // A copy typed as ArrayBuffer-backed, which the DOM's BlobPart requires.
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    const m = record(await this.request('POST', '/api/v1/media', form));
    return {
      mediaId: text(m['mediaId']),
      url: text(m['url']),
      mime: text(m['mime']),
      size: count(m['size']),
      width: count(m['width']),
      height: count(m['height']),
      durationMs: count(m['durationMs']),
      thumbnailUrl: text(m['thumbnailUrl']),
    };
  }
}
