import { KickReason } from '@parley/protocol';
import { BROADCAST, type ClusterBus, type PresenceEntry, type PresenceTable } from '../core/cluster.js';
import type { SessionDirectory } from '../core/session-directory.js';
import { SessionRegistry, type AttachResult } from '../core/session-registry.js';
import type { DeviceSession, SessionEvent } from '../core/session.js';
import type { ConversationId, UserId } from '../core/types.js';
import {
  decodeBusMessage,
  decodePushEvent,
  encodeBusMessage,
  encodePushEvent,
  type BusMessage,
} from './bus-message.js';

interface RemoteDevice extends PresenceEntry {
  readonly node: string;
}

export interface ClusterSessionsOptions {
  readonly instanceId: string;
  readonly bus: ClusterBus;
  readonly presence: PresenceTable;
  /** How long this node's presence outlives its last heartbeat. */
  readonly ttlMs: number;
  /** A session replaced from another node loses its token, as on one node. */
  revokeToken(tokenHash: string): Promise<void>;
  /** Another node changed a conversation's membership: drop this node's cached member list. */
  membersChanged(conversationId: ConversationId): void;
  /**
   * Users who went offline without anyone announcing it (their last devices were on a node that
   * died, or left two nodes at the same moment): tell this node's watchers.
   */
  usersGone?(userIds: UserId[]): void;
  /** A bus message came from this node: it is alive. */
  heardFrom?(instanceId: string): void;
  /** Failures of background work (Redis writes, bad bus messages); nothing waits for them. */
  onError(err: unknown): void;
  readonly now?: () => number;
}

/**
 * The cluster's SessionDirectory. Sessions on this node live in a local SessionRegistry; every
 * node keeps a replica of the others' devices (user → node, platform), fed by the bus, so routing
 * a push costs no Redis round trip: local devices get it at once, and each other node holding a
 * recipient gets one bus message carrying all of its recipients. The Redis presence table is the
 * durable copy a starting node reads; a dead node's entries expire with its TTL.
 */
export class ClusterSessions implements SessionDirectory {
  private readonly local = new SessionRegistry();
  private readonly remote = new Map<UserId, RemoteDevice[]>();
  private readonly attachedAt = new WeakMap<DeviceSession, number>();
  private readonly sessionIdsByKey = new Map<string, DeviceSession>();
  private readonly now: () => number;
  /** Keys (node/user/platform) moved by bus events while the start-up read ran. */
  private touchedDuringLoad: Set<string> | undefined;

  constructor(private readonly options: ClusterSessionsOptions) {
    this.now = options.now ?? Date.now;
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  get size(): number {
    return this.local.size;
  }

  /** Subscribes, then reads the live nodes' presence tables. */
  async start(liveNodes: readonly string[]): Promise<void> {
    this.touchedDuringLoad = new Set();
    await this.options.bus.subscribe(this.options.instanceId, (bytes) => {
      this.receive(bytes);
    });
    try {
      const others = liveNodes.filter((n) => n !== this.options.instanceId);
      const tables = await Promise.all(others.map((n) => this.options.presence.read(n)));
      others.forEach((node, i) => {
        for (const entry of tables[i] ?? []) {
          if (!this.touchedDuringLoad?.has(keyOf(node, entry.userId, entry.platform))) {
            this.addRemote({ ...entry, node });
          }
        }
      });
    } finally {
      this.touchedDuringLoad = undefined;
    }
  }

  attach(session: DeviceSession): AttachResult {
    const result = this.local.attach(session);
    const attachedAt = Math.max(this.now(), this.lastAttachedAt(session) + 1);
    this.attachedAt.set(session, attachedAt);
    this.sessionIdsByKey.set(keyOf(this.options.instanceId, session.userId, session.platform), session);
    const entry: PresenceEntry = {
      userId: session.userId,
      platform: session.platform,
      deviceId: session.deviceId,
      attachedAt,
    };
    this.background(this.options.presence.put(this.options.instanceId, entry, this.options.ttlMs));
    this.publish(BROADCAST, {
      type: 'attached',
      from: this.options.instanceId,
      entry,
      tokenHash: session.tokenHash,
    });
    return result;
  }

  detach(session: DeviceSession): boolean {
    if (!this.local.detach(session)) return false;
    this.sessionIdsByKey.delete(keyOf(this.options.instanceId, session.userId, session.platform));
    this.background(this.options.presence.remove(this.options.instanceId, session.userId, session.platform));
    this.publish(BROADCAST, {
      type: 'detached',
      from: this.options.instanceId,
      userId: session.userId,
      platform: session.platform,
      attachedAt: this.attachedAt.get(session) ?? 0,
      stillOnline: this.isOnline(session.userId),
    });
    return true;
  }

  sessionsOf(userId: UserId): DeviceSession[] {
    return this.local.sessionsOf(userId);
  }

  isOnline(userId: UserId): boolean {
    return this.local.isOnline(userId) || this.remote.has(userId);
  }

  /** Sessions on this node (a drain tells each to go). */
  localSessions(): DeviceSession[] {
    return this.local.all();
  }

  push(userIds: readonly UserId[], event: SessionEvent, skipSessionId?: number): void {
    this.local.push(userIds, event, skipSessionId);
    if (event.kind === 'suspended') {
      this.publish(BROADCAST, {
        type: 'suspended',
        from: this.options.instanceId,
        userIds: [...userIds],
        text: event.text,
      });
      return;
    }
    let targets: Map<string, UserId[]> | undefined;
    for (const userId of userIds) {
      const devices = this.remote.get(userId);
      if (devices === undefined) continue;
      targets ??= new Map();
      for (const device of devices) {
        let ids = targets.get(device.node);
        if (ids === undefined) {
          ids = [];
          targets.set(device.node, ids);
        }
        // A user's devices are visited together: one entry per user per node.
        if (ids[ids.length - 1] !== userId) ids.push(userId);
      }
    }
    if (targets === undefined) return;
    const bytes = encodePushEvent(event);
    for (const [node, ids] of targets) this.publish(node, { type: 'push', userIds: ids, event: bytes });
  }

  /** This node changed a conversation's membership: the others drop their cached lists. */
  announceMembersChanged(conversationId: ConversationId): void {
    this.publish(BROADCAST, { type: 'members', from: this.options.instanceId, conversationId });
  }

  /**
   * After Redis came back (or this node's heartbeat lapsed): tells every node which devices are
   * here, tells this node's devices to sync, since pushes from other nodes may have been lost
   * meanwhile, and rewrites this node's presence table. The table write may fail while Redis is
   * still settling; the snapshot and the device syncs must not wait on it.
   */
  async resync(): Promise<void> {
    const entries = this.localEntries();
    this.publish(BROADCAST, { type: 'snapshot', from: this.options.instanceId, entries });
    for (const session of this.local.all()) session.deliver({ kind: 'resync' });
    await this.options.presence.replace(this.options.instanceId, entries, this.options.ttlMs);
  }

  /** Forgets the devices of nodes that are gone (expired or said bye). */
  forgetNodes(isLive: (node: string) => boolean): void {
    const gone: UserId[] = [];
    for (const [userId, devices] of this.remote) {
      const kept = devices.filter((d) => isLive(d.node));
      if (kept.length === devices.length) continue;
      if (kept.length === 0) this.remote.delete(userId);
      else this.remote.set(userId, kept);
      if (!this.isOnline(userId)) gone.push(userId);
    }
    if (gone.length > 0) this.options.usersGone?.(gone);
  }

  /** Pushes to this node's devices only (each node tells its own watchers of a dead node's users). */
  pushLocal(userIds: readonly UserId[], event: SessionEvent): void {
    this.local.push(userIds, event);
  }

  /** Nodes that hold at least one device this node knows of. */
  knownNodes(): Set<string> {
    const nodes = new Set<string>();
    for (const devices of this.remote.values()) for (const d of devices) nodes.add(d.node);
    return nodes;
  }

  /** Graceful leave: clears this node's table and tells the others to forget it now. */
  async leave(): Promise<void> {
    this.publish(BROADCAST, { type: 'bye', from: this.options.instanceId });
    await this.options.presence.clear(this.options.instanceId);
  }

  private localEntries(): PresenceEntry[] {
    return this.local.all().map((s) => ({
      userId: s.userId,
      platform: s.platform,
      deviceId: s.deviceId,
      attachedAt: this.attachedAt.get(s) ?? 0,
    }));
  }

  private lastAttachedAt(session: DeviceSession): number {
    const previous = this.sessionIdsByKey.get(
      keyOf(this.options.instanceId, session.userId, session.platform),
    );
    return previous === undefined ? 0 : (this.attachedAt.get(previous) ?? 0);
  }

  private receive(bytes: Uint8Array): void {
    let message: BusMessage;
    try {
      message = decodeBusMessage(bytes);
    } catch (err) {
      this.options.onError(err);
      return;
    }
    if (message.type !== 'push' && message.type !== 'bye' && message.from !== this.options.instanceId) {
      this.options.heardFrom?.(message.from);
    }
    switch (message.type) {
      case 'push':
        this.local.push(message.userIds, decodePushEvent(message.event));
        return;
      case 'suspended':
        if (message.from !== this.options.instanceId) {
          this.local.push(message.userIds, { kind: 'suspended', text: message.text });
        }
        return;
      case 'attached':
        if (message.from === this.options.instanceId) return;
        this.touched(message.from, message.entry.userId, message.entry.platform);
        this.replaceLocal(message.from, message.entry, message.tokenHash);
        this.removeRemote(message.from, message.entry.userId, message.entry.platform);
        this.addRemote({ ...message.entry, node: message.from });
        return;
      case 'detached':
        if (message.from === this.options.instanceId) return;
        this.touched(message.from, message.userId, message.platform);
        this.removeRemote(message.from, message.userId, message.platform, message.attachedAt);
        // Devices of one user on two nodes left at the same moment: each node still counted the
        // other's, so neither announced. Now nobody holds one: each node tells its own watchers,
        // as when a node dies.
        if (message.stillOnline === true && !this.isOnline(message.userId)) {
          this.options.usersGone?.([message.userId]);
        }
        return;
      case 'snapshot':
        if (message.from === this.options.instanceId) return;
        this.forgetNodes((node) => node !== message.from);
        for (const entry of message.entries) this.addRemote({ ...entry, node: message.from });
        return;
      case 'bye':
        if (message.from === this.options.instanceId) return;
        this.forgetNodes((node) => node !== message.from);
        return;
      case 'members':
        if (message.from !== this.options.instanceId) this.options.membersChanged(message.conversationId);
        return;
      default: {
        // A newer node's message this build does not know (a rolling upgrade): said, not dropped silently.
        const unknown: never = message;
        this.options.onError(new TypeError(`unknown bus message ${(unknown as { type: string }).type}`));
      }
    }
  }

  /** A login elsewhere replaces this node's session of the same user and platform, if older. */
  private replaceLocal(from: string, entry: PresenceEntry, tokenHash: string): void {
    const session = this.sessionIdsByKey.get(keyOf(this.options.instanceId, entry.userId, entry.platform));
    if (session === undefined) return;
    const mine = this.attachedAt.get(session) ?? 0;
    // The later login wins; on a tie, the larger instance id, so both nodes agree.
    if (mine > entry.attachedAt || (mine === entry.attachedAt && this.options.instanceId > from)) return;
    this.detach(session);
    session.kick({
      reason: KickReason.REPLACED,
      byDeviceId: entry.deviceId,
      byPlatform: entry.platform,
      text: 'signed in on another device of the same kind',
    });
    if (session.tokenHash !== tokenHash) this.background(this.options.revokeToken(session.tokenHash));
  }

  private addRemote(device: RemoteDevice): void {
    const devices = this.remote.get(device.userId);
    if (devices === undefined) {
      this.remote.set(device.userId, [device]);
      return;
    }
    const i = devices.findIndex((d) => d.node === device.node && d.platform === device.platform);
    if (i >= 0) devices[i] = device;
    else devices.push(device);
  }

  private removeRemote(node: string, userId: UserId, platform: number, attachedAt?: number): void {
    const devices = this.remote.get(userId);
    if (devices === undefined) return;
    const kept = devices.filter(
      (d) =>
        !(
          d.node === node &&
          d.platform === platform &&
          (attachedAt === undefined || d.attachedAt <= attachedAt)
        ),
    );
    if (kept.length === 0) this.remote.delete(userId);
    else if (kept.length !== devices.length) this.remote.set(userId, kept);
  }

  private touched(node: string, userId: UserId, platform: number): void {
    this.touchedDuringLoad?.add(keyOf(node, userId, platform));
  }

  private publish(target: string, message: BusMessage): void {
    this.options.bus.publish(target, encodeBusMessage(message));
  }

  private background(work: Promise<void>): void {
    work.catch((err: unknown) => {
      this.options.onError(err);
    });
  }
}

function keyOf(node: string, userId: UserId, platform: number): string {
  return `${node}/${userId}/${platform}`;
}
