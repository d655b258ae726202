import {
  BadRequestError,
  NotFoundError,
  errorFromStatus,
  fromBase64,
  toBase64,
  toHex,
} from '@parley/protocol';
import { keyIdOf } from './e2e-keys.js';

/** A user's published key, as /api/v1/keys answers it (checked against its key id). */
export interface PublishedKey {
  readonly userId: bigint;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  /** SHA-256 of the raw key, hex. */
  readonly fingerprint: string;
  readonly publishedAt: number;
}

interface KeyJson {
  readonly userId: string;
  readonly keyId: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly publishedAt: number;
}

export interface KeyDirectoryOptions {
  /** The server's HTTP base URL. */
  readonly httpUrl: string;
  /** The login token (Bearer). */
  readonly token: () => string | undefined;
  /** How long a user's current key is reused before asking again. Default 60 000 ms. */
  readonly currentKeyTtlMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * The end-to-end keys the server publishes (HTTP: PUT /api/v1/keys/me, GET
 * /api/v1/keys/users/:id). A key named by its id never changes (the id is its hash, checked
 * here), so those are cached for good; a user's current key for `currentKeyTtlMs`.
 */
export class KeyDirectory {
  private readonly byId = new Map<string, PublishedKey>();
  private readonly current = new Map<bigint, { key: PublishedKey; until: number }>();
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: KeyDirectoryOptions) {
    this.base = options.httpUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async publish(publicKey: Uint8Array): Promise<PublishedKey> {
    const key = await this.checked(
      await this.request('PUT', '/api/v1/keys/me', {
        algorithm: 'ECDH-P256',
        publicKey: toBase64(publicKey),
      }),
    );
    this.current.set(key.userId, { key, until: Date.now() + (this.options.currentKeyTtlMs ?? 60_000) });
    return key;
  }

  /** The user's current key; NotFoundError when it published none. */
  async currentKey(userId: bigint): Promise<PublishedKey> {
    const cached = this.current.get(userId);
    if (cached !== undefined && cached.until > Date.now()) return cached.key;
    const key = await this.checked(await this.request('GET', `/api/v1/keys/users/${String(userId)}`));
    this.current.set(userId, { key, until: Date.now() + (this.options.currentKeyTtlMs ?? 60_000) });
    return key;
  }

  async keyById(userId: bigint, keyId: Uint8Array): Promise<PublishedKey> {
    const name = `${String(userId)}:${toHex(keyId)}`;
    const cached = this.byId.get(name);
    if (cached !== undefined) return cached;
    const key = await this.checked(
      await this.request('GET', `/api/v1/keys/users/${String(userId)}?keyId=${toHex(keyId)}`),
    );
    return key;
  }

  private async checked(json: unknown): Promise<PublishedKey> {
    const k = json as KeyJson;
    const publicKey = fromBase64(k.publicKey);
    const keyId = await keyIdOf(publicKey);
    // The id is the key's hash: a server cannot answer another key under a known id.
    if (toHex(keyId) !== k.keyId) throw new BadRequestError('the published key does not match its key id');
    const key: PublishedKey = {
      userId: BigInt(k.userId),
      keyId,
      publicKey,
      fingerprint: k.fingerprint,
      publishedAt: k.publishedAt,
    };
    this.byId.set(`${k.userId}:${k.keyId}`, key);
    return key;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const token = this.options.token();
    if (token === undefined || token === '') throw new BadRequestError('log in before using end-to-end keys');
    const res = await this.fetchFn(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: { status?: number; message?: string } };
    if (!res.ok) {
      if (res.status === 404) throw new NotFoundError(json.error?.message ?? 'no such key');
      throw errorFromStatus(json.error?.status ?? 255, json.error?.message ?? `HTTP ${String(res.status)}`);
    }
    return json;
  }
}
