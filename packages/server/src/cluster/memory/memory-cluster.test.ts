import { clusterContract } from '../cluster-contract.js';
import { MemoryBus } from './memory-bus.js';
import { MemoryCallStateStore } from './memory-call-state.js';
import { MemoryRateCounter } from './memory-rate-counter.js';
import { MemoryNodeRegistry } from './memory-node-registry.js';
import { MemoryPresenceTable } from './memory-presence-table.js';
import { MemoryWorkerLease } from './memory-worker-lease.js';

clusterContract('memory', () => {
  // One in-process "Redis": every node of the test shares these.
  const bus = new MemoryBus();
  const leases = new Map<number, MemoryWorkerLease>();
  return Promise.resolve({
    bus: () => sharedBusView(bus),
    registry: new MemoryNodeRegistry(),
    lease: (count: number) => {
      let lease = leases.get(count);
      if (lease === undefined) {
        lease = new MemoryWorkerLease(count);
        leases.set(count, lease);
      }
      return lease;
    },
    presence: new MemoryPresenceTable(),
    calls: new MemoryCallStateStore(),
    rates: new MemoryRateCounter(),
    close: () => bus.close(),
  });
});

/** A node's view of the shared bus: closing it unsubscribes that node only. */
function sharedBusView(bus: MemoryBus) {
  let id: string | undefined;
  return {
    publish: (target: string, bytes: Uint8Array) => {
      bus.publish(target, bytes);
    },
    subscribe: (instanceId: string, handler: (bytes: Uint8Array) => void) => {
      id = instanceId;
      return bus.subscribe(instanceId, handler);
    },
    close: () => {
      if (id !== undefined) bus.unsubscribe(id);
      return Promise.resolve();
    },
  };
}
