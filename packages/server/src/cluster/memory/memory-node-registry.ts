import type { NodeInfo, NodeRegistry } from '../../core/cluster.js';

/** Node registry in one process: the embedded mode's only node, or nodes of a test. */
export class MemoryNodeRegistry implements NodeRegistry {
  private readonly nodes = new Map<string, { info: NodeInfo; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  heartbeat(info: NodeInfo, ttlMs: number): Promise<void> {
    this.nodes.set(info.instanceId, { info, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  live(): Promise<NodeInfo[]> {
    const now = this.now();
    const live: NodeInfo[] = [];
    for (const [id, node] of this.nodes) {
      if (node.expiresAt > now) live.push(node.info);
      else this.nodes.delete(id);
    }
    return Promise.resolve(live);
  }

  leave(instanceId: string): Promise<void> {
    this.nodes.delete(instanceId);
    return Promise.resolve();
  }
}
