import { UsageError } from './errors.js';
import type { SavedSession } from './session-store.js';

/** The native protocol's TCP address. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_SERVER = '127.0.0.1:7070';
const DEFAULT_TCP_PORT = 7070;
/** The server's default PARLEY_HTTP_PORT: the HTTP API (uploads, scripts) lives there. */
const DEFAULT_HTTP_PORT = 8080;

/** `host:port`, `host` (port 7070), `[v6]:port` or `[v6]`. */
export function parseServer(text: string): ServerAddress {
  const t = text.trim();
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(t);
  const plain = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(t);
  const m = v6 ?? plain;
  if (m?.[1] === undefined) {
    throw new UsageError(`bad server address "${text}": expected host:port, e.g. ${DEFAULT_SERVER}`);
  }
  const port = m[2] === undefined ? DEFAULT_TCP_PORT : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`bad port in server address "${text}"`);
  }
  return { host: m[1], port };
}

export function formatServer(a: ServerAddress): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${String(a.port)}`;
}

/** `http://host:port` from `host:port` or a URL; no trailing slash. */
export function parseHttpBase(text: string): string {
  const t = text.trim();
  const withScheme = /^https?:\/\//i.test(t) ? t : `http://${t}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`bad HTTP address "${text}": expected a URL such as http://127.0.0.1:8080`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new UsageError(`bad HTTP address "${text}": no query, fragment or credentials`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** The HTTP API next to a TCP address: same host, the server's default HTTP port. */
export function defaultHttpBase(server: ServerAddress): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `http://${host}:${String(DEFAULT_HTTP_PORT)}`;
}

export interface Endpoints {
  readonly server: ServerAddress;
  /** `formatServer(server)`. */
  readonly serverText: string;
  readonly http: string;
  /** The saved session belongs to this server (its token may be used). */
  readonly session: SavedSession | undefined;
}

/**
 * Which server to talk to. TCP: `--server`, else the saved session's, else `PARLEY_SERVER`, else
 * 127.0.0.1:7070. HTTP: `--http`, else the saved session's (when it is for that server), else
 * `PARLEY_HTTP`, else the TCP host on port 8080. A session saved for another server is not used.
 */
export function resolveEndpoints(
  flags: { readonly server?: string | undefined; readonly http?: string | undefined },
  saved: SavedSession | undefined,
  env: NodeJS.ProcessEnv,
): Endpoints {
  const envServer = env['PARLEY_SERVER'];
  const serverText =
    flags.server ??
    saved?.server ??
    (envServer !== undefined && envServer !== '' ? envServer : DEFAULT_SERVER);
  const server = parseServer(serverText);
  const normalized = formatServer(server);
  const session = saved !== undefined && sameServer(saved.server, normalized) ? saved : undefined;
  const envHttp = env['PARLEY_HTTP'];
  const http =
    flags.http !== undefined
      ? parseHttpBase(flags.http)
      : session !== undefined
        ? session.http
        : envHttp !== undefined && envHttp !== ''
          ? parseHttpBase(envHttp)
          : defaultHttpBase(server);
  return { server, serverText: normalized, http, session };
}

function sameServer(a: string, normalized: string): boolean {
  try {
    return formatServer(parseServer(a)).toLowerCase() === normalized.toLowerCase();
  } catch {
    return false;
  }
}
