import type { Endpoints } from './server-address.js';

const ASK_TIMEOUT_MS = 3000;
/** A node the gateway names may have died a moment ago (the registry keeps it until its TTL). */
const TRIES_PER_GATEWAY = 3;

interface Named {
  readonly instanceId: string;
  readonly http: string;
}

/**
 * The HTTP API to use now. With a gateway (and no --http / $PARLEY_HTTP), the gateway endpoint
 * names the least-loaded live node and its `http` address is used once `/healthz` answers there
 * (else that node is excluded and the gateway asked again). Each gateway URL is tried in turn,
 * so a dead one is skipped; a gateway that answered is alive, so it serves when its nodes do not.
 * If none answers, the first gateway URL (requests then fail with a clear "cannot reach").
 */
export async function liveHttp(endpoints: Endpoints, doFetch: typeof fetch = fetch): Promise<string> {
  if (endpoints.route.kind === 'tcp' || endpoints.httpPinned) return endpoints.http;
  for (const base of endpoints.route.urls) {
    const exclude: string[] = [];
    for (let i = 0; i < TRIES_PER_GATEWAY; i++) {
      const node = await askGateway(base, exclude, doFetch);
      if (node === undefined) break;
      if (node.http === base || (await healthy(node.http, doFetch))) return node.http;
      exclude.push(node.instanceId);
    }
    if (exclude.length > 0) return base;
  }
  return endpoints.http;
}

async function askGateway(
  base: string,
  exclude: readonly string[],
  doFetch: typeof fetch,
): Promise<Named | undefined> {
  try {
    const url = new URL('/api/v1/gateway', base);
    if (exclude.length > 0) url.searchParams.set('exclude', exclude.join(','));
    const res = await doFetch(url, { signal: AbortSignal.timeout(ASK_TIMEOUT_MS) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { instanceId?: unknown; http?: unknown };
    const http = typeof body.http === 'string' && /^https?:\/\//.test(body.http) ? body.http : base;
    return { instanceId: typeof body.instanceId === 'string' ? body.instanceId : '', http };
  } catch {
    return undefined;
  }
}

async function healthy(base: string, doFetch: typeof fetch): Promise<boolean> {
  try {
    const res = await doFetch(new URL('/healthz', base), { signal: AbortSignal.timeout(ASK_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
