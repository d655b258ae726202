import type { NodeInfo, NodeRegistry, WorkerIdLease } from '../core/cluster.js';

export interface ClusterNodeOptions {
  readonly instanceId: string;
  readonly registry: NodeRegistry;
  readonly lease: WorkerIdLease;
  /** Lease and heartbeat TTL; the node renews every third of it. */
  readonly ttlMs: number;
  /** Called on every heartbeat with the nodes that are still live (or seen within the TTL). */
  onLiveNodes(isLive: (instanceId: string) => boolean): void;
  /**
   * This node's heartbeat lapsed for longer than its TTL (Redis away, or this process stalled):
   * the others may have given it up for dead and dropped its devices, so it must re-announce them.
   */
  onLapsed?(): void;
  /** Extends this node's presence TTL. */
  touchPresence(): Promise<void>;
  /** Another instance holds this node's worker id: the node must stop issuing ids. */
  onLeaseLost(): void;
  onError(err: unknown): void;
  readonly now?: () => number;
}

/**
 * One node's membership of the cluster: its worker-id lease, its heartbeat in the node registry
 * (with its load, for the gateway endpoint), and the liveness of the others. A node that stops
 * heartbeating is gone once its TTL runs out; `leave` removes it at once.
 */
export class ClusterNode {
  private timer: NodeJS.Timeout | undefined;
  private info: NodeInfo | undefined;
  private ticking: Promise<void> | undefined;
  private readonly lastSeen = new Map<string, number>();
  private readonly now: () => number;
  private left = false;
  /**
   * This node could not read the registry (Redis away, or its data lost in a restart): absence
   * from it proves nothing until the others have had a TTL to re-announce.
   */
  private blind = false;
  private lastTickAt: number | undefined;

  private constructor(
    private readonly options: ClusterNodeOptions,
    readonly workerId: number,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Leases a worker id; rejects with WorkerIdsExhaustedError when every id is held. */
  static async join(options: ClusterNodeOptions): Promise<ClusterNode> {
    const workerId = await options.lease.acquire(options.instanceId, options.ttlMs);
    return new ClusterNode(options, workerId);
  }

  /** Starts heartbeating with this description (addresses are known once listeners are bound). */
  async announce(info: Omit<NodeInfo, 'workerId' | 'load'>, load: () => number): Promise<void> {
    const describe = (): NodeInfo => ({ ...info, workerId: this.workerId, load: load() });
    this.info = describe();
    await this.options.registry.heartbeat(this.info, this.options.ttlMs);
    this.timer = setInterval(
      () => {
        this.info = describe();
        this.ticking ??= this.tick().finally(() => {
          this.ticking = undefined;
        });
      },
      Math.max(100, Math.floor(this.options.ttlMs / 3)),
    );
    this.timer.unref();
  }

  /** Right away (after Redis came back): re-take the lease and re-announce. */
  refresh(): Promise<void> {
    this.blind = true;
    this.ticking ??= this.tick().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /**
   * Another node was heard from on the bus: it is alive, whatever a registry read that was in
   * flight meanwhile says (a node back from a lapse re-announces itself right after its heartbeat).
   */
  seen(instanceId: string): void {
    if (instanceId !== this.options.instanceId) this.lastSeen.set(instanceId, this.now());
  }

  live(): Promise<NodeInfo[]> {
    return this.options.registry.live();
  }

  /** Leaves the registry now (so the gateway endpoint stops naming this node). */
  async leave(): Promise<void> {
    this.left = true;
    clearInterval(this.timer);
    await this.ticking;
    await this.options.registry.leave(this.options.instanceId);
  }

  /** Frees the worker id; the last step of a drain, after every id this node issued is stored. */
  async release(): Promise<void> {
    await this.options.lease.release(this.options.instanceId, this.workerId);
  }

  private async tick(): Promise<void> {
    if (this.left) return;
    const { options } = this;
    try {
      const held = await options.lease.renew(options.instanceId, this.workerId, options.ttlMs);
      if (!held) {
        options.onLeaseLost();
        return;
      }
      if (this.info !== undefined) await options.registry.heartbeat(this.info, options.ttlMs);
      await options.touchPresence();
      const live = await options.registry.live();
      const now = this.now();
      const lapsed = this.lastTickAt !== undefined && now - this.lastTickAt > options.ttlMs;
      this.lastTickAt = now;
      if (this.blind || lapsed) {
        // Absence from a registry this node could not watch proves nothing yet: the others get
        // a whole TTL from now to (re-)announce themselves.
        this.blind = false;
        for (const id of this.lastSeen.keys()) this.lastSeen.set(id, now);
      }
      for (const node of live) this.lastSeen.set(node.instanceId, now);
      for (const [id, at] of this.lastSeen) if (now - at > options.ttlMs) this.lastSeen.delete(id);
      options.onLiveNodes((id) => this.lastSeen.has(id));
      if (lapsed) options.onLapsed?.();
    } catch (err) {
      this.blind = true;
      options.onError(err);
    }
  }
}

/** The least-loaded live node, ties broken at random so a burst of clients spreads out. */
export function leastLoaded(nodes: readonly NodeInfo[], exclude: ReadonlySet<string>): NodeInfo | undefined {
  const candidates = nodes.filter((n) => !exclude.has(n.instanceId) && !exclude.has(n.name));
  if (candidates.length === 0) return undefined;
  const min = Math.min(...candidates.map((n) => n.load));
  const best = candidates.filter((n) => n.load === min);
  return best[Math.floor(Math.random() * best.length)];
}
