import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MIN_RSA_BITS, UnsupportedError } from '@parley/protocol';
import { ConfigError } from '../../config.js';

/** The server's RSA key pair for the RSA LOGIN flag (docs/security.md, "The native encryption flags"). */
export interface ServerKey {
  readonly privateKey: KeyObject;
  /** SPKI PEM, what GET /api/v1/keys/server publishes. */
  readonly publicKeyPem: string;
  /** SHA-256 of the SPKI DER, hex: what clients may pin. */
  readonly fingerprint: string;
  /** The length of an RSA block (the modulus, in bytes). */
  readonly modulusBytes: number;
}

export interface KeyringConfig {
  /** PARLEY_RSA_KEY: a PEM private key file. */
  readonly rsaKeyPath: string | undefined;
  readonly dataDir: string;
  /** PARLEY_DATABASE_URL is set: nodes share no data dir, so a generated key would differ per node. */
  readonly shared: boolean;
}

/** Where the key is generated when PARLEY_RSA_KEY is unset. */
export const GENERATED_KEY_FILE = 'server-rsa.pem';

const generate = promisify(generateKeyPair);

/**
 * Holds the server key. PARLEY_RSA_KEY is read at start (a bad file stops the start, naming the
 * key). Without it the key lives in `<dataDir>/server-rsa.pem` (mode 0600): read, or generated
 * and written there, on first use, so a server that never sees an RSA LOGIN never spends the CPU
 * of an RSA-2048 generation. With a shared database and no PARLEY_RSA_KEY the flags are off:
 * every node must hold the same key, and only the operator can hand it to them.
 */
export class ServerKeyring {
  private loading: Promise<ServerKey> | undefined;

  private constructor(
    private readonly config: KeyringConfig,
    private key: ServerKey | undefined,
  ) {}

  static open(config: KeyringConfig): ServerKeyring {
    if (config.rsaKeyPath === undefined) return new ServerKeyring(config, undefined);
    let pem: string;
    try {
      pem = readFileSync(config.rsaKeyPath, 'utf8');
    } catch (err) {
      throw new ConfigError(`PARLEY_RSA_KEY: cannot read ${config.rsaKeyPath} (${(err as Error).message})`);
    }
    try {
      return new ServerKeyring(config, serverKeyOf(pem));
    } catch (err) {
      throw new ConfigError(`PARLEY_RSA_KEY: ${config.rsaKeyPath}: ${(err as Error).message}`);
    }
  }

  /** False when the encryption flags are off on this node (shared database, no PARLEY_RSA_KEY). */
  get enabled(): boolean {
    return this.key !== undefined || !this.config.shared;
  }

  /** The key; UnsupportedError when the flags are off. */
  get(): Promise<ServerKey> {
    if (this.key !== undefined) return Promise.resolve(this.key);
    if (!this.enabled) {
      return Promise.reject(
        new UnsupportedError(
          'the encryption flags need PARLEY_RSA_KEY on a server with a shared database (every node the same key)',
        ),
      );
    }
    this.loading ??= this.loadOrGenerate().then(
      (key) => {
        this.key = key;
        return key;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  private async loadOrGenerate(): Promise<ServerKey> {
    const path = join(this.config.dataDir, GENERATED_KEY_FILE);
    const existing = readIfPresent(path);
    if (existing !== undefined) return serverKeyOf(existing);
    const { privateKey } = await generate('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      // 'wx': another process sharing the data dir may have written one meanwhile; theirs wins.
      writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return serverKeyOf(readFileSync(path, 'utf8'));
    }
    return serverKeyOf(pem);
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A PEM private key (PKCS#1 or PKCS#8) as a ServerKey; Error when it is not RSA of 2048+ bits. */
export function serverKeyOf(pem: string): ServerKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error('not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`an RSA key is needed, not ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new Error(`the key has ${String(bits)} bits; at least ${String(MIN_RSA_BITS)}`);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    modulusBytes: Math.ceil(bits / 8),
  };
}
