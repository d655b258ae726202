import { WorkerIdsExhaustedError, type WorkerIdLease } from '../../core/cluster.js';

/** Worker-id leases in one process. */
export class MemoryWorkerLease implements WorkerIdLease {
  private readonly leases = new Map<number, { holder: string; expiresAt: number }>();

  constructor(
    private readonly count: number,
    private readonly now: () => number = Date.now,
  ) {}

  acquire(instanceId: string, ttlMs: number): Promise<number> {
    const now = this.now();
    for (let id = 0; id < this.count; id++) {
      const lease = this.leases.get(id);
      if (lease === undefined || lease.expiresAt <= now) {
        this.leases.set(id, { holder: instanceId, expiresAt: now + ttlMs });
        return Promise.resolve(id);
      }
    }
    return Promise.reject(new WorkerIdsExhaustedError(this.count));
  }

  renew(instanceId: string, workerId: number, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const lease = this.leases.get(workerId);
    if (lease !== undefined && lease.expiresAt > now && lease.holder !== instanceId) {
      return Promise.resolve(false);
    }
    this.leases.set(workerId, { holder: instanceId, expiresAt: now + ttlMs });
    return Promise.resolve(true);
  }

  release(instanceId: string, workerId: number): Promise<void> {
    if (this.leases.get(workerId)?.holder === instanceId) this.leases.delete(workerId);
    return Promise.resolve();
  }
}
