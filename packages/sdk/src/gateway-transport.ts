import { BaseTransport, type Transport, type TransportFactory } from './transport.js';

/** A node as `GET /api/v1/gateway` describes it. */
export interface GatewayNode {
  readonly name: string;
  readonly instanceId: string;
  readonly tcp: { readonly host: string; readonly port: number };
  readonly http: string;
  readonly ws: string;
  readonly load: number;
}

export interface GatewayTransportOptions {
  /**
   * HTTP base URLs that answer `GET /api/v1/gateway` (any node of the cluster, or a load
   * balancer in front of them), e.g. `['http://10.0.0.1:8080', 'http://10.0.0.2:8080']`.
   * Tried in turn until one answers.
   */
  readonly gateways: readonly string[];
  /** Makes the transport to the chosen node (TCP, TLS or WebSocket). */
  connect(node: GatewayNode): Transport;
  /** Defaults to `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Per gateway request (ms). */
  readonly timeoutMs?: number;
  /** How long a node that failed to connect (or dropped us) is not asked for again (ms). */
  readonly avoidFailedMs?: number;
  /** Told which node each connection went to (logging, tests). */
  onNode?(node: GatewayNode): void;
}

/**
 * Picks a node through the gateway endpoint (FastIM's LSB) at every connect, so a reconnect after
 * a node died or drained lands on a live one. A node whose connection failed or closed is
 * excluded for a while: the registry keeps a dead node until its TTL runs out.
 */
export function gatewayTransport(options: GatewayTransportOptions): TransportFactory {
  if (options.gateways.length === 0) throw new TypeError('gatewayTransport needs at least one gateway URL');
  const failed = new Map<string, number>();
  let next = 0;
  const avoidMs = options.avoidFailedMs ?? 30_000;

  const ask = async (exclude: readonly string[]): Promise<GatewayNode> => {
    const errors: string[] = [];
    for (let i = 0; i < options.gateways.length; i++) {
      const at = (next + i) % options.gateways.length;
      const base = options.gateways[at] ?? '';
      try {
        const node = await askGateway(base, exclude, options);
        next = at;
        return node;
      } catch (err) {
        errors.push(`${base}: ${describe(err)}`);
      }
    }
    next = (next + 1) % options.gateways.length;
    throw new Error(`no gateway answered: ${errors.join('; ')}`);
  };

  const choose = async (): Promise<GatewayNode> => {
    const now = Date.now();
    for (const [id, at] of failed) if (now - at > avoidMs) failed.delete(id);
    const exclude = [...failed.keys()];
    try {
      return await ask(exclude);
    } catch (err) {
      // Every other node is gone too (or there is only one): better a recently failed node than none.
      if (exclude.length === 0) throw err;
      return ask([]);
    }
  };

  return () => new GatewayTransport(choose, options, failed);
}

async function askGateway(
  base: string,
  exclude: readonly string[],
  options: GatewayTransportOptions,
): Promise<GatewayNode> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = new URL('/api/v1/gateway', base);
  if (exclude.length > 0) url.searchParams.set('exclude', exclude.join(','));
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, options.timeoutMs ?? 5000);
  try {
    const res = await doFetch(url, { signal: controller.signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as Partial<GatewayNode>;
    if (
      typeof body.instanceId !== 'string' ||
      typeof body.tcp?.port !== 'number' ||
      typeof body.ws !== 'string'
    ) {
      throw new Error('malformed gateway answer');
    }
    return body as GatewayNode;
  } finally {
    clearTimeout(timer);
  }
}

class GatewayTransport extends BaseTransport {
  private inner: Transport | undefined;
  private node: GatewayNode | undefined;

  constructor(
    private readonly choose: () => Promise<GatewayNode>,
    private readonly options: GatewayTransportOptions,
    private readonly failed: Map<string, number>,
  ) {
    super();
  }

  async open(): Promise<void> {
    const node = await this.choose();
    if (this.closed) throw new Error('transport closed');
    this.node = node;
    const inner = this.options.connect(node);
    this.inner = inner;
    inner.onBytes((bytes) => {
      this.emitBytes(bytes);
    });
    inner.onClose((error) => {
      // Whatever ended this connection, ask for a different node next time.
      this.failed.set(node.instanceId, Date.now());
      this.emitClose(error);
    });
    try {
      await inner.open();
    } catch (err) {
      this.failed.set(node.instanceId, Date.now());
      throw err;
    }
    this.failed.delete(node.instanceId);
    this.options.onNode?.(node);
  }

  /** The node this transport connected to. */
  get connectedNode(): GatewayNode | undefined {
    return this.node;
  }

  send(bytes: Uint8Array): void {
    this.inner?.send(bytes);
  }

  close(): void {
    if (this.inner === undefined) this.emitClose();
    else this.inner.close();
  }
}

/** An error and its cause (fetch reports "fetch failed" and keeps the reason, e.g. ECONNREFUSED, there). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}
