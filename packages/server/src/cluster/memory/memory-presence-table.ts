import type { PresenceEntry, PresenceTable } from '../../core/cluster.js';

/** Per-node presence tables in one process. */
export class MemoryPresenceTable implements PresenceTable {
  private readonly tables = new Map<string, { entries: Map<string, PresenceEntry>; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  put(instanceId: string, entry: PresenceEntry, ttlMs: number): Promise<void> {
    const table = this.table(instanceId);
    table.entries.set(`${entry.userId}/${entry.platform}`, entry);
    table.expiresAt = this.now() + ttlMs;
    return Promise.resolve();
  }

  remove(instanceId: string, userId: bigint, platform: number): Promise<void> {
    this.tables.get(instanceId)?.entries.delete(`${userId}/${platform}`);
    return Promise.resolve();
  }

  replace(instanceId: string, entries: readonly PresenceEntry[], ttlMs: number): Promise<void> {
    this.tables.set(instanceId, {
      entries: new Map(entries.map((e) => [`${e.userId}/${e.platform}`, e])),
      expiresAt: this.now() + ttlMs,
    });
    return Promise.resolve();
  }

  touch(instanceId: string, ttlMs: number): Promise<void> {
    this.table(instanceId).expiresAt = this.now() + ttlMs;
    return Promise.resolve();
  }

  read(instanceId: string): Promise<PresenceEntry[]> {
    const table = this.tables.get(instanceId);
    if (table === undefined || table.expiresAt <= this.now()) return Promise.resolve([]);
    return Promise.resolve([...table.entries.values()]);
  }

  clear(instanceId: string): Promise<void> {
    this.tables.delete(instanceId);
    return Promise.resolve();
  }

  private table(instanceId: string): { entries: Map<string, PresenceEntry>; expiresAt: number } {
    let table = this.tables.get(instanceId);
    if (table === undefined) {
      table = { entries: new Map(), expiresAt: 0 };
      this.tables.set(instanceId, table);
    }
    return table;
  }
}
