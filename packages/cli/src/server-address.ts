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

/** How the native connection finds the server: one TCP address, or a cluster's gateway endpoint. */
export type Route =
  | { readonly kind: 'tcp'; readonly server: ServerAddress }
  | {
      readonly kind: 'gateway';
      /** HTTP bases that answer `GET /api/v1/gateway` (nodes, or a load balancer). */
      readonly urls: readonly string[];
    };

/** `URL[,URL…]`, each as for --http; duplicates dropped. */
export function parseGateways(text: string): string[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) {
    throw new UsageError(`bad gateway list "${text}": expected URL[,URL…], e.g. http://10.0.0.1:8080`);
  }
  return [...new Set(parts.map(parseHttpBase))];
}

/** A login form's Server field holds a gateway list when it names URLs (or several, by commas). */
export function isGatewayText(text: string): boolean {
  return /^\s*https?:\/\//i.test(text) || text.includes(',');
}

export interface Endpoints {
  readonly route: Route;
  /** `host:port`, or the gateway URLs joined by commas: what the user named, for messages. */
  readonly serverText: string;
  /** The HTTP API: --http, the saved session's, $PARLEY_HTTP, or a default (see `liveHttp`). */
  readonly http: string;
  /** `http` was named for this run (--http or $PARLEY_HTTP): used as is, even with a gateway. */
  readonly httpPinned: boolean;
  /** The saved session belongs to this server (its token may be used). */
  readonly session: SavedSession | undefined;
}

export interface EndpointFlags {
  readonly server?: string | undefined;
  readonly gateway?: string | undefined;
  readonly http?: string | undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}

/** Which route: --gateway, --server, the saved session's, $PARLEY_GATEWAY, $PARLEY_SERVER, the default. */
function resolveRoute(flags: EndpointFlags, saved: SavedSession | undefined, env: NodeJS.ProcessEnv): Route {
  if (flags.gateway !== undefined && flags.server !== undefined) {
    throw new UsageError('give --server or --gateway, not both');
  }
  if (flags.gateway !== undefined) return { kind: 'gateway', urls: parseGateways(flags.gateway) };
  if (flags.server !== undefined) return { kind: 'tcp', server: parseServer(flags.server) };
  if (saved?.gateways !== undefined) return { kind: 'gateway', urls: saved.gateways };
  if (saved !== undefined) return { kind: 'tcp', server: parseServer(saved.server) };
  const envGateway = nonEmpty(env['PARLEY_GATEWAY']);
  if (envGateway !== undefined) return { kind: 'gateway', urls: parseGateways(envGateway) };
  return { kind: 'tcp', server: parseServer(nonEmpty(env['PARLEY_SERVER']) ?? DEFAULT_SERVER) };
}

export function routeText(route: Route): string {
  return route.kind === 'tcp' ? formatServer(route.server) : route.urls.join(',');
}

/**
 * Which server to talk to (see resolveRoute) and its HTTP API: --http, else the saved session's
 * (when it is for that server; not with a gateway, whose HTTP API is the chosen node's), else
 * $PARLEY_HTTP, else the TCP host on port 8080 or the first gateway URL. A session saved for
 * another server is not used: a TCP session matches the same address, a gateway session one
 * that shares a gateway URL.
 */
export function resolveEndpoints(
  flags: EndpointFlags,
  saved: SavedSession | undefined,
  env: NodeJS.ProcessEnv,
): Endpoints {
  const route = resolveRoute(flags, saved, env);
  const session = saved !== undefined && belongsTo(saved, route) ? saved : undefined;
  const envHttp = nonEmpty(env['PARLEY_HTTP']);
  const fallback = route.kind === 'tcp' ? defaultHttpBase(route.server) : (route.urls[0] ?? '');
  let http: string;
  let httpPinned = true;
  if (flags.http !== undefined) http = parseHttpBase(flags.http);
  else if (session !== undefined && route.kind === 'tcp') http = session.http;
  else if (envHttp !== undefined) http = parseHttpBase(envHttp);
  else {
    http = fallback;
    httpPinned = route.kind === 'tcp';
  }
  return { route, serverText: routeText(route), http, httpPinned, session };
}

function belongsTo(saved: SavedSession, route: Route): boolean {
  if (route.kind === 'gateway') {
    const mine = new Set((saved.gateways ?? []).map((u) => u.toLowerCase()));
    return route.urls.some((u) => mine.has(u.toLowerCase()));
  }
  return saved.gateways === undefined && sameServer(saved.server, formatServer(route.server));
}

function sameServer(a: string, normalized: string): boolean {
  try {
    return formatServer(parseServer(a)).toLowerCase() === normalized.toLowerCase();
  } catch {
    return false;
  }
}
