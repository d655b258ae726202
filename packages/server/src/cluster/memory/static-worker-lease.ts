import type { WorkerIdLease } from '../../core/cluster.js';

/** The embedded mode's worker id: the configured PARLEY_NODE_ID, with nobody to share it. */
export class StaticWorkerLease implements WorkerIdLease {
  constructor(private readonly workerId: number) {}

  acquire(): Promise<number> {
    return Promise.resolve(this.workerId);
  }

  renew(_instanceId: string, workerId: number): Promise<boolean> {
    return Promise.resolve(workerId === this.workerId);
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}
