import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MessageContent } from '@parley/protocol';
import type { MessageObserver } from '../core/message-observer.js';
import type { StoredMessage } from '../core/types.js';

/**
 * Prometheus metrics of one server (its own registry, so several servers in one process — tests —
 * do not collide). Served at GET /metrics.
 */
export class Metrics implements MessageObserver {
  readonly registry = new Registry();
  readonly messagesIn: Counter;
  readonly httpDuration: Histogram<'method' | 'route' | 'code'>;
  readonly httpErrors: Counter<'status'>;
  private connectionSource: (() => number) | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    this.messagesIn = new Counter({
      name: 'parley_messages_in_total',
      help: 'messages stored from users, through every dialect and the HTTP API',
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.httpErrors = new Counter({
      name: 'parley_http_errors_total',
      help: 'HTTP API error answers by Status name',
      labelNames: ['status'],
      registers: [this.registry],
    });
    const connections = (): number => this.connectionSource?.() ?? 0;
    new Gauge({
      name: 'parley_connections',
      help: 'open dialect connections (TCP and WebSocket, every dialect)',
      registers: [this.registry],
      collect() {
        this.set(connections());
      },
    });
  }

  /** The gateway's live connection count, read at scrape time. */
  countConnections(source: () => number): void {
    this.connectionSource = source;
  }

  stored(_message: StoredMessage, _content: MessageContent, duplicate: boolean): Promise<void> {
    if (!duplicate) this.messagesIn.inc();
    return Promise.resolve();
  }
}
