import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config.js';

/** A certificate (chain) and its private key, PEM. */
export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * The TLS and HTTPS listeners' credentials from PARLEY_TLS_CERT and PARLEY_TLS_KEY: undefined when
 * neither is set (no TLS); a ConfigError naming the key when only one is, when a file cannot be
 * read, or when the pair is not a usable certificate and key (checked here, before anything
 * listens, so a bad pair stops the start instead of failing every handshake).
 */
export function loadTlsCredentials(config: {
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
}): TlsCredentials | undefined {
  const { tlsCert, tlsKey } = config;
  if (tlsCert === undefined && tlsKey === undefined) return undefined;
  if (tlsCert === undefined || tlsKey === undefined) {
    throw new ConfigError('PARLEY_TLS_CERT and PARLEY_TLS_KEY must be set together');
  }
  const read = (path: string, env: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(
        `cannot read ${env} ${path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  };
  const credentials = { cert: read(tlsCert, 'PARLEY_TLS_CERT'), key: read(tlsKey, 'PARLEY_TLS_KEY') };
  try {
    createSecureContext(credentials);
  } catch (err) {
    throw new ConfigError(
      `PARLEY_TLS_CERT ${tlsCert} and PARLEY_TLS_KEY ${tlsKey} are not a usable certificate and key: ` +
        (err instanceof Error ? err.message : String(err)),
    );
  }
  return credentials;
}
