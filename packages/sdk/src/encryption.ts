import { BadRequestError, importServerPublicKey, type ServerPublicKey } from '@parley/protocol';

/**
 * The native encryption flags for a client (docs/native-protocol.md, "Encryption flags"): the
 * LOGIN goes RSA-wrapped, then every frame both ways is AES-256-GCM under the session key it
 * carried. Works over any transport (TCP, TLS, WebSocket).
 */
export interface EncryptionOptions {
  /** The server's RSA public key, SPKI PEM (what GET /api/v1/keys/server answers as `publicKey`). */
  readonly serverPublicKey?: string;
  /**
   * Or the server's HTTP base URL (e.g. `http://host:8080`): the key is fetched from
   * GET /api/v1/keys/server before the first LOGIN. Pin it with `fingerprint` unless the URL is
   * HTTPS you trust: a key fetched over plain HTTP is only as good as the network.
   */
  readonly httpUrl?: string;
  /** The key's SHA-256 fingerprint (hex, as the server publishes it); another key is refused. */
  readonly fingerprint?: string;
  /** The fetch to use; default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
}

/** Yields the server key, fetching it once (a failure is retried on the next call). */
export type ServerKeySource = () => Promise<ServerPublicKey>;

export function serverKeySource(options: EncryptionOptions): ServerKeySource {
  if ((options.serverPublicKey === undefined) === (options.httpUrl === undefined)) {
    throw new TypeError('encryption: give exactly one of serverPublicKey and httpUrl');
  }
  let pending: Promise<ServerPublicKey> | undefined;
  return () => {
    pending ??= load(options).catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

async function load(options: EncryptionOptions): Promise<ServerPublicKey> {
  const pem =
    options.serverPublicKey ?? (await fetchServerKey(options.httpUrl ?? '', options.fetch ?? fetch));
  const key = await importServerPublicKey(pem);
  if (options.fingerprint !== undefined && key.fingerprint !== options.fingerprint.toLowerCase()) {
    throw new BadRequestError(
      `the server key's fingerprint ${key.fingerprint} is not the pinned ${options.fingerprint}`,
    );
  }
  return key;
}

/** GET /api/v1/keys/server's `publicKey`. */
export async function fetchServerKey(httpUrl: string, fetchFn: typeof fetch = fetch): Promise<string> {
  const res = await fetchFn(`${httpUrl.replace(/\/+$/, '')}/api/v1/keys/server`);
  if (!res.ok) throw new BadRequestError(`GET /api/v1/keys/server answered HTTP ${String(res.status)}`);
  const body = (await res.json()) as { publicKey?: unknown };
  if (typeof body.publicKey !== 'string') throw new BadRequestError('GET /api/v1/keys/server: no publicKey');
  return body.publicKey;
}
