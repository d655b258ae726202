import { getHeapSpaceStatistics } from 'node:v8';
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
  readonly pushesOut: Counter<'dialect'>;
  readonly requestDuration: Histogram<'dialect'>;
  private connectionSource: (() => ReadonlyMap<string, number>) | undefined;
  /** Pushes by dialect not yet added to pushesOut (see its collect). */
  private readonly unflushedPushes = new Map<string, { n: number }>();

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
    const unflushed = this.unflushedPushes;
    this.pushesOut = new Counter({
      name: 'parley_pushes_out_total',
      help: 'pushes written to connections (messages, notifies, receipts, typing, presence...) by dialect',
      labelNames: ['dialect'],
      registers: [this.registry],
      // Counted in plain numbers and added here: an inc() per push builds a label key every time,
      // and a large group's message is thousands of pushes.
      collect() {
        for (const [dialect, cell] of unflushed) {
          if (cell.n === 0) continue;
          this.labels(dialect).inc(cell.n);
          cell.n = 0;
        }
      },
    });
    this.requestDuration = new Histogram({
      name: 'parley_request_duration_seconds',
      help: 'dialect request latency, from dequeue to answer, by dialect',
      labelNames: ['dialect'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [this.registry],
    });
    const source = (): ReadonlyMap<string, number> => this.connections();
    new Gauge({
      name: 'parley_connections',
      help: 'open connections (TCP and WebSocket), all dialects together',
      registers: [this.registry],
      collect() {
        let total = 0;
        for (const n of source().values()) total += n;
        this.set(total);
      },
    });
    new Gauge({
      name: 'parley_dialect_connections',
      help: 'open connections (TCP and WebSocket) by dialect',
      labelNames: ['dialect'],
      registers: [this.registry],
      collect() {
        for (const [dialect, n] of source()) this.set({ dialect }, n);
      },
    });
    // prom-client gives each space's reserved size; the part in memory is what RSS counts (V8
    // reserves a large young generation up front and touches it as allocation needs it).
    new Gauge({
      name: 'parley_nodejs_heap_space_physical_bytes',
      help: 'V8 heap memory actually in use by the process (touched pages), by space',
      labelNames: ['space'],
      registers: [this.registry],
      collect() {
        for (const space of getHeapSpaceStatistics()) {
          this.set({ space: space.space_name.replace(/_space$/, '') }, space.physical_space_size);
        }
      },
    });
  }

  /** Open connections by dialect, now. */
  connections(): ReadonlyMap<string, number> {
    return this.connectionSource?.() ?? new Map<string, number>();
  }

  /** The gateway's live connection counts by dialect, read at scrape time. */
  countConnections(source: () => ReadonlyMap<string, number>): void {
    this.connectionSource = source;
  }

  /** The observer a connection of `dialect` reports to. */
  connectionObserver(dialect: string): { handled(ms: number): void; pushed(): void } {
    let cell = this.unflushedPushes.get(dialect);
    if (cell === undefined) {
      cell = { n: 0 };
      this.unflushedPushes.set(dialect, cell);
      // Shown from the first connection on, at 0.
      this.pushesOut.labels(dialect).inc(0);
    }
    const pushes = cell;
    const duration = this.requestDuration.labels(dialect);
    return {
      handled: (ms) => {
        duration.observe(ms / 1000);
      },
      pushed: () => {
        pushes.n += 1;
      },
    };
  }

  stored(_message: StoredMessage, _content: MessageContent, duplicate: boolean): Promise<void> {
    if (!duplicate) this.messagesIn.inc();
    return Promise.resolve();
  }
}
