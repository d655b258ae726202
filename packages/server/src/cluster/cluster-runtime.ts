import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { NodeInfo } from '../core/cluster.js';
import type { SessionDirectory } from '../core/session-directory.js';
import type { PushPort } from '../core/session.js';
import { SessionRegistry } from '../core/session-registry.js';
import type { ConversationId } from '../core/types.js';
import { ClusterNode } from './cluster-node.js';
import { ClusterSessions } from './cluster-sessions.js';
import { MemoryNodeRegistry } from './memory/memory-node-registry.js';
import { StaticWorkerLease } from './memory/static-worker-lease.js';
import { RedisBus } from './redis/redis-bus.js';
import { RedisConnection } from './redis/redis-connection.js';
import { RedisNodeRegistry } from './redis/redis-node-registry.js';
import { RedisPresenceTable } from './redis/redis-presence-table.js';
import { RedisWorkerLease } from './redis/redis-worker-lease.js';
import { RedisCallStateStore } from './redis/redis-call-state.js';
import { MemoryCallStateStore } from './memory/memory-call-state.js';
import type { CallStateStore } from '../core/call-state.js';
import type { RateCounter } from '../core/rate-counter.js';
import { MemoryRateCounter } from './memory/memory-rate-counter.js';
import { RedisRateCounter } from './redis/redis-rate-counter.js';

/** What the composition root wires into core once the services exist. */
export interface ClusterHooks {
  revokeToken(tokenHash: string): Promise<void>;
  membersChanged(conversationId: ConversationId): void;
  /** Users who went offline because their node died, with a push to this node's devices only. */
  usersGone(userIds: readonly bigint[], pushLocal: PushPort['push']): void;
  leaseLost(): void;
}

/**
 * A node's place in the cluster, as the composition root sees it: the worker id, the session
 * directory core pushes through, the gateway endpoint's node list, and the drain steps. The
 * embedded mode is a cluster of one (memory registry, fixed worker id, the local registry).
 */
export interface ClusterRuntime {
  readonly mode: 'embedded' | 'redis';
  readonly instanceId: string;
  readonly workerId: number;
  readonly sessions: SessionDirectory;
  readonly calls: CallStateStore;
  /** Rate-limit counters every node shares (per user, per address). */
  readonly rateCounter: RateCounter;
  /** Tells the other nodes that a conversation's membership changed (no-op when alone). */
  announceMembersChanged(conversationId: ConversationId): void;
  /** Starts heartbeating with this node's public addresses and load. */
  announce(info: Omit<NodeInfo, 'workerId' | 'load' | 'instanceId'>, load: () => number): Promise<void>;
  live(): Promise<NodeInfo[]>;
  /** Drain step 1: leave the registry, so the gateway endpoint stops naming this node. */
  leave(): Promise<void>;
  /** Drain step 2, after the clients are gone: clear presence, free the worker id, disconnect. */
  close(): Promise<void>;
}

export interface ClusterSettings {
  readonly redisUrl: string | undefined;
  readonly clusterName: string;
  readonly nodeId: number;
  readonly workerIdCount: number;
  readonly nodeTtlMs: number;
}

export async function joinCluster(
  settings: ClusterSettings,
  hooks: ClusterHooks,
  log: Logger,
): Promise<ClusterRuntime> {
  const instanceId = randomUUID();
  return settings.redisUrl === undefined
    ? joinAlone(settings, instanceId, hooks, log)
    : joinRedis(settings, settings.redisUrl, instanceId, hooks, log);
}

async function joinAlone(
  settings: ClusterSettings,
  instanceId: string,
  hooks: ClusterHooks,
  log: Logger,
): Promise<ClusterRuntime> {
  const registry = new MemoryNodeRegistry();
  const node = await ClusterNode.join({
    instanceId,
    registry,
    lease: new StaticWorkerLease(settings.nodeId),
    ttlMs: settings.nodeTtlMs,
    onLiveNodes: () => undefined,
    touchPresence: () => Promise.resolve(),
    onLeaseLost: () => {
      hooks.leaseLost();
    },
    onError: (err) => {
      log.warn({ err }, 'node heartbeat failed');
    },
  });
  return {
    mode: 'embedded',
    instanceId,
    workerId: node.workerId,
    sessions: new SessionRegistry(),
    calls: new MemoryCallStateStore(),
    rateCounter: new MemoryRateCounter(),
    announceMembersChanged: () => undefined,
    announce: (info, load) => node.announce({ ...info, instanceId }, load),
    live: () => node.live(),
    leave: () => node.leave(),
    close: () => Promise.resolve(),
  };
}

async function joinRedis(
  settings: ClusterSettings,
  url: string,
  instanceId: string,
  hooks: ClusterHooks,
  log: Logger,
): Promise<ClusterRuntime> {
  const onError = (err: unknown): void => {
    log.warn({ err }, 'cluster background work failed');
  };
  const redis = new RedisConnection(url, settings.clusterName);
  let lastRedisError = '';
  redis.onError((err) => {
    // ioredis repeats the same error on every reconnect attempt: log changes only.
    if (err.message !== lastRedisError) log.warn({ err: err.message }, 'redis connection error');
    lastRedisError = err.message;
  });
  await redis.connect();
  try {
    const registry = new RedisNodeRegistry(redis);
    const presence = new RedisPresenceTable(redis);
    // Bus messages start after `sessions.start`, by when the node has joined.
    const joined: { node?: ClusterNode } = {};
    const sessions = new ClusterSessions({
      instanceId,
      bus: new RedisBus(redis, onError),
      presence,
      ttlMs: settings.nodeTtlMs,
      revokeToken: (tokenHash) => hooks.revokeToken(tokenHash),
      membersChanged: (id) => {
        hooks.membersChanged(id);
      },
      usersGone: (userIds) => {
        hooks.usersGone(userIds, (ids, event) => {
          sessions.pushLocal(ids, event);
        });
      },
      heardFrom: (id) => {
        joined.node?.seen(id);
      },
      onError,
    });
    const node = await ClusterNode.join({
      instanceId,
      registry,
      lease: new RedisWorkerLease(redis, settings.workerIdCount),
      ttlMs: settings.nodeTtlMs,
      onLiveNodes: (isLive) => {
        sessions.forgetNodes(isLive);
      },
      touchPresence: () => presence.touch(instanceId, settings.nodeTtlMs),
      onLeaseLost: () => {
        hooks.leaseLost();
      },
      onLapsed: () => {
        log.warn('this node missed heartbeats for longer than its TTL: re-announcing, devices re-sync');
        sessions.resync().catch(onError);
      },
      onError,
    });
    joined.node = node;
    await sessions.start((await registry.live()).map((n) => n.instanceId));
    redis.onReconnect(() => {
      log.info('redis is back: re-announcing this node, devices re-sync');
      lastRedisError = '';
      node
        .refresh()
        .then(() => sessions.resync())
        .catch(onError);
    });
    log.info({ instanceId, workerId: node.workerId }, 'joined the cluster');
    return {
      mode: 'redis',
      instanceId,
      workerId: node.workerId,
      sessions,
      calls: new RedisCallStateStore(redis),
      rateCounter: new RedisRateCounter(redis, onError),
      announceMembersChanged: (id) => {
        sessions.announceMembersChanged(id);
      },
      announce: (info, load) => node.announce({ ...info, instanceId }, load),
      live: () => node.live(),
      leave: () => node.leave(),
      async close() {
        await sessions.leave().catch(onError);
        await node.release().catch(onError);
        await redis.close();
      },
    };
  } catch (err) {
    await redis.close();
    throw err;
  }
}
