/**
 * The cluster ports (DESIGN §7). Cluster mode implements them on Redis; the embedded
 * single-process mode and the contract tests use the in-memory ones. Core and the gateway only
 * see these interfaces.
 */

/** A node as the gateway endpoint (`GET /api/v1/gateway`) describes it to clients. */
export interface NodeInfo {
  /** Unique per process start: a restarted node is a new instance. */
  readonly instanceId: string;
  /** The operator's name for the node (PARLEY_NODE_NAME or the host:port). */
  readonly name: string;
  readonly workerId: number;
  /** Public addresses clients connect to. */
  readonly tcp: { readonly host: string; readonly port: number };
  readonly http: string;
  readonly ws: string;
  /** Connections open on the node at its last heartbeat. */
  readonly load: number;
  readonly startedAt: number;
}

/** Live nodes with their load; an entry not renewed within its TTL is gone. */
export interface NodeRegistry {
  heartbeat(info: NodeInfo, ttlMs: number): Promise<void>;
  /** Nodes whose last heartbeat has not expired. */
  live(): Promise<NodeInfo[]>;
  /** Removes a node at once (graceful drain). */
  leave(instanceId: string): Promise<void>;
}

/** Why a worker id could not be had. */
export class WorkerIdsExhaustedError extends Error {
  constructor(count: number) {
    super(
      `no free snowflake worker id: all ${count} ids are leased by live nodes ` +
        `(raise PARLEY_WORKER_ID_COUNT, or stop a node)`,
    );
    this.name = 'WorkerIdsExhaustedError';
  }
}

/**
 * Snowflake worker ids leased with a TTL, so no two live nodes share one and a dead node's id
 * comes free once its lease expires.
 */
export interface WorkerIdLease {
  /** Leases the lowest free id; rejects with WorkerIdsExhaustedError when none is free. */
  acquire(instanceId: string, ttlMs: number): Promise<number>;
  /**
   * Extends the lease; re-takes it when it vanished (a restarted Redis). False when another
   * instance holds it: the caller must stop issuing ids.
   */
  renew(instanceId: string, workerId: number, ttlMs: number): Promise<boolean>;
  /** Frees the id if this instance still holds it. */
  release(instanceId: string, workerId: number): Promise<void>;
}

/** One logged-in device as the cluster sees it. */
export interface PresenceEntry {
  readonly userId: bigint;
  readonly platform: number;
  readonly deviceId: string;
  /** When it attached (ms): of two logins racing on two nodes, the later one wins. */
  readonly attachedAt: number;
}

/** Each node's logged-in devices, kept with the node's TTL so a dead node's presence expires. */
export interface PresenceTable {
  put(instanceId: string, entry: PresenceEntry, ttlMs: number): Promise<void>;
  remove(instanceId: string, userId: bigint, platform: number): Promise<void>;
  /** Replaces a node's whole table (after a Redis restart lost it). */
  replace(instanceId: string, entries: readonly PresenceEntry[], ttlMs: number): Promise<void>;
  /** Extends a node's table's TTL. */
  touch(instanceId: string, ttlMs: number): Promise<void>;
  read(instanceId: string): Promise<PresenceEntry[]>;
  clear(instanceId: string): Promise<void>;
}

/** Byte messages between nodes: to one node, or to every node (`BROADCAST`). */
export interface ClusterBus {
  publish(target: string, bytes: Uint8Array): void;
  /** Receives what is published to `instanceId` and to every node. */
  subscribe(instanceId: string, handler: (bytes: Uint8Array) => void): Promise<void>;
  close(): Promise<void>;
}

export const BROADCAST = '*';
