import { BROADCAST, type ClusterBus } from '../../core/cluster.js';

/**
 * The bus inside one process: nodes sharing one MemoryBus hear each other. Delivery is
 * asynchronous and in publish order, as over Redis; bytes are copied, so no node shares memory
 * with another through it.
 */
export class MemoryBus implements ClusterBus {
  private readonly handlers = new Map<string, (bytes: Uint8Array) => void>();
  private closed = false;

  publish(target: string, bytes: Uint8Array): void {
    if (this.closed) return;
    const copy = bytes.slice();
    queueMicrotask(() => {
      if (target === BROADCAST) for (const handler of this.handlers.values()) handler(copy);
      else this.handlers.get(target)?.(copy);
    });
  }

  subscribe(instanceId: string, handler: (bytes: Uint8Array) => void): Promise<void> {
    this.handlers.set(instanceId, handler);
    return Promise.resolve();
  }

  /** Stops one node's deliveries (as its process ending would). */
  unsubscribe(instanceId: string): void {
    this.handlers.delete(instanceId);
  }

  close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    return Promise.resolve();
  }
}
