import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type ParleyConfig } from './config.js';
import { AdminService } from './core/admin-service.js';
import { UserRestrictions } from './core/user-restrictions.js';
import { AuthService } from './core/auth-service.js';
import { DEFAULT_CONTENT_LIMITS } from './core/content.js';
import { ChangeService } from './core/change-service.js';
import { ChatroomService } from './core/chatroom-service.js';
import { ContactService } from './core/contact-service.js';
import { ConversationService } from './core/conversation-service.js';
import { PresenceService } from './core/presence-service.js';
import { UserService } from './core/user-service.js';
import { Fanout } from './core/fanout.js';
import { GroupService } from './core/group-service.js';
import { MemberDirectory } from './core/member-directory.js';
import { MessageService } from './core/message-service.js';
import { RedPacketService } from './core/red-packet-service.js';
import { CallService } from './core/call-service.js';
import type { CallStateStore } from './core/call-state.js';
import { MemoryCallStateStore } from './cluster/memory/memory-call-state.js';

/** Shares in one red packet. */
const RED_PACKET_MAX_COUNT = 1000;
import { SystemMessages } from './core/system-messages.js';
import { SessionRegistry } from './core/session-registry.js';
import type { SessionDirectory } from './core/session-directory.js';
import { joinCluster, type ClusterHooks, type ClusterRuntime } from './cluster/cluster-runtime.js';
import { SnowflakeGenerator } from './core/snowflake.js';
import type { Store } from './core/store.js';
import { Dispatcher, type CoreServices } from './gateway/dispatcher.js';
import { Dialect } from './gateway/dialect.js';
import { HttpListener } from './gateway/http-listener.js';
import { buildHttpApi } from './http/api.js';
import { MediaLibrary } from './http/media/media-library.js';
import { Metrics } from './http/metrics.js';
import { createImpConnection } from './gateway/imp/imp-connection.js';
import { createImtpConnection } from './gateway/imtp/imtp-connection.js';
import { createJimConnection } from './gateway/jim/jim-connection.js';
import { NativeGateway } from './gateway/native/native-gateway.js';
import { ServerKeyring } from './gateway/native/server-keyring.js';
import { TcpListener } from './gateway/tcp-listener.js';
import { ConnectionsPerAddress } from './gateway/address-limits.js';
import { loadTlsCredentials } from './gateway/tls-credentials.js';
import { TlsListener } from './gateway/tls-listener.js';
import { RateLimits } from './core/rate-limits.js';
import type { RateCounter } from './core/rate-counter.js';
import { MemoryRateCounter } from './cluster/memory/memory-rate-counter.js';
import { createLogger } from './logger.js';
import { PostgresStore } from './store/postgres-store.js';
import { SqliteStore } from './store/sqlite-store.js';

/** The composition root: the one place where ports meet their implementations. */
export interface App {
  readonly config: ParleyConfig;
  readonly store: Store;
  readonly auth: AuthService;
  readonly sessions: SessionDirectory;
  readonly cluster: ClusterRuntime;
  /** Bound TCP port (differs from config when it was 0). */
  readonly tcpPort: number;
  /** Bound HTTP port: WebSocket at /ws. */
  readonly httpPort: number;
  /** Bound TLS and HTTPS ports; undefined without PARLEY_TLS_CERT/PARLEY_TLS_KEY. */
  readonly tlsPort: number | undefined;
  readonly httpsPort: number | undefined;
  readonly gateway: NativeGateway;
  stop(): Promise<void>;
  /** Runs when the node must stop on its own (its worker-id lease was taken): it is stopping. */
  onFatal(listener: (err: Error) => void): void;
}

export function openStore(config: ParleyConfig): Store {
  if (config.databaseUrl !== undefined) return new PostgresStore({ connectionString: config.databaseUrl });
  // A data dir that cannot be written (read-only, full, not a directory) stops the start with one
  // line naming it, before anything is written (docs/security.md, e2e/data-dir.test.ts).
  try {
    mkdirSync(config.dataDir, { recursive: true });
    return new SqliteStore({ path: join(config.dataDir, 'parley.db') });
  } catch (err) {
    throw new ConfigError(
      `data directory ${config.dataDir} is not usable (${err instanceof Error ? err.message : String(err)}): ` +
        'it must be a writable directory on a disk with free space (PARLEY_DATA_DIR)',
    );
  }
}

/** How a node takes part in a cluster; the embedded mode and `user add` need none of it. */
export interface ServicesCluster {
  readonly workerId: number;
  /** Calls in progress, shared by the nodes. */
  readonly calls: CallStateStore;
  readonly sessions: SessionDirectory;
  announceMembersChanged(conversationId: string): void;
  /** Rate-limit counters shared by the nodes (per user, per address); memory when absent. */
  readonly rateCounter?: RateCounter;
}

export function createServices(
  config: ParleyConfig,
  store: Store,
  cluster?: ServicesCluster,
): CoreServices & {
  ids: SnowflakeGenerator;
  media: MediaLibrary;
  metrics: Metrics;
  members: MemberDirectory;
} {
  const ids = new SnowflakeGenerator(cluster?.workerId ?? config.nodeId);
  // Told of every stored message: media references (download rights) and the messages-in metric.
  const media = new MediaLibrary(join(config.dataDir, 'media'), store);
  const metrics = new Metrics();
  const sessions = cluster?.sessions ?? new SessionRegistry();
  const members = new MemberDirectory(store);
  if (cluster !== undefined) {
    members.onInvalidate((id) => {
      cluster.announceMembersChanged(id);
    });
  }
  const fanout = new Fanout(members, sessions, config.groupNotifyThreshold);
  const system = new SystemMessages(store, ids, fanout);
  // Counts every node shares (per user, per address, failed logins): Redis in cluster mode.
  const sharedCounter = cluster?.rateCounter ?? new MemoryRateCounter();
  const auth = new AuthService(store, ids, {
    failureCounter: sharedCounter,
    tokenTtlMs: config.tokenTtlMs,
    passwordCost: { log2N: config.passwordLog2N, r: 8, p: 1 },
    maxLoginFailures: config.maxLoginFailures,
    loginWindowMs: config.loginWindowMs,
  });
  const limits = new RateLimits(sharedCounter, new MemoryRateCounter(), {
    messageWindowMs: config.messageRateWindowMs,
    maxMessagesPerConnection: config.maxMessagesPerConnection,
    maxMessagesPerUser: config.maxMessagesPerUser,
    loginWindowMs: config.loginWindowMs,
    maxLoginFailuresPerAddress: config.maxLoginFailuresPerAddress,
  });
  const restrictions = new UserRestrictions(store);
  const messages = new MessageService(store, ids, sessions, members, fanout, {
    content: { ...DEFAULT_CONTENT_LIMITS, maxTextLength: config.maxTextLength },
    maxPullLimit: config.maxPullLimit,
    rateLimits: limits,
    restrictions,
    observer: {
      async stored(message, content, duplicate) {
        await media.stored(message, content);
        await metrics.stored(message, content, duplicate);
      },
    },
  });
  const changes = new ChangeService(store, system, {
    content: { ...DEFAULT_CONTENT_LIMITS, maxTextLength: config.maxTextLength },
    recallWindowMs: config.recallWindowMs,
  });
  const groups = new GroupService(store, ids, members, system, {
    maxGroupSize: config.maxGroupSize,
    maxPageSize: config.maxPullLimit,
  });
  const chatrooms = new ChatroomService(store, members, { maxPageSize: config.maxPullLimit });
  // Presence is shared in conversations small enough to push whole messages to.
  const presence = new PresenceService(store, sessions, sessions, config.groupNotifyThreshold);
  const services: CoreServices = {
    admin: new AdminService(store, sessions, restrictions),
    auth,
    limits,
    sessions,
    presence,
    messages,
    changes,
    groups,
    chatrooms,
    contacts: new ContactService(store, sessions),
    users: new UserService(store, presence),
    conversations: new ConversationService(store),
    calls: new CallService(
      store,
      cluster?.calls ?? new MemoryCallStateStore(),
      sessions,
      messages,
      { ringTimeoutMs: config.callRingTimeoutMs, maxCallMs: 4 * 3600_000, maxPayload: 64 * 1024 },
      // A failed missed-call record is not worth more than a log line; createServices has no logger.
      () => undefined,
    ),
    redPackets: new RedPacketService(store, ids, messages, {
      maxTotal: config.redPacketMaxTotal,
      maxCount: RED_PACKET_MAX_COUNT,
      ttlMs: config.redPacketTtlMs,
      maxGreetingLength: 100,
    }),
  };
  return { ...services, ids, media, metrics, members };
}

export async function startApp(
  config: ParleyConfig,
  log: Logger = createLogger(config.logLevel),
): Promise<App> {
  if (config.redisUrl !== undefined && config.databaseUrl === undefined) {
    throw new ConfigError(
      "cluster mode (PARLEY_REDIS_URL) needs PostgreSQL (PARLEY_DATABASE_URL): SQLite is one process's file",
    );
  }
  // Bound late: the cluster joins before the services exist (the worker id comes from it).
  const fatalListeners: ((err: Error) => void)[] = [];
  const late: { services?: ReturnType<typeof createServices>; stop?: () => Promise<void> } = {};
  const hooks: ClusterHooks = {
    revokeToken: async (tokenHash) => {
      await late.services?.auth.logout(tokenHash);
    },
    membersChanged: (id) => {
      late.services?.members.forget(id);
    },
    usersGone: (userIds, pushLocal) => {
      for (const userId of userIds) {
        late.services?.presence.offline(userId, pushLocal).catch((err: unknown) => {
          log.warn({ err }, 'presence of a dead node user failed');
        });
      }
    },
    leaseLost: () => {
      const err = new Error("another node holds this node's snowflake worker id: stopping");
      log.fatal({ err }, 'worker-id lease lost');
      for (const listener of fatalListeners) listener(err);
      void late.stop?.();
    },
  };
  // A bad certificate or key stops the start before anything joins or listens.
  const tlsCredentials = loadTlsCredentials(config);
  // PARLEY_RSA_KEY is read now (a bad file stops the start); a generated key waits for first use.
  const serverKeys = ServerKeyring.open({
    rsaKeyPath: config.rsaKey,
    dataDir: config.dataDir,
    shared: config.databaseUrl !== undefined,
  });
  const cluster = await joinCluster(config, hooks, log);
  const store = openStore(config);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    await cluster.close();
    throw err;
  }
  const services = createServices(config, store, cluster);
  late.services = services;
  const { sessions, auth } = services;
  // Expired red packets go back to their senders; every node sweeps, the store refunds each once.
  const sweeper = setInterval(
    () => {
      services.redPackets.sweep().catch((err: unknown) => {
        log.warn({ err }, 'red packet sweep failed');
      });
    },
    Math.min(60_000, Math.max(250, Math.floor(config.redPacketTtlMs / 4))),
  );
  sweeper.unref();
  const dispatcher = new Dispatcher(services, (err: unknown) => {
    log.warn({ err }, 'background work failed');
  });
  const gateway = new NativeGateway(
    dispatcher,
    {
      maxBodyLength: config.maxFrameBytes,
      authTimeoutMs: config.authTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
      maxWriteBufferBytes: config.maxWriteBufferBytes,
      maxInflightRequests: config.maxInflightRequests,
    },
    log,
    serverKeys,
  );
  gateway.register(Dialect.IMP, createImpConnection);
  gateway.register(Dialect.JIM, createJimConnection);
  gateway.register(Dialect.IMTP, createImtpConnection);
  // Shared by every listener: one address's connections over TCP, TLS and WebSocket count together.
  const perAddress = new ConnectionsPerAddress(config.maxConnectionsPerAddress);
  const tcp = new TcpListener(
    { host: config.tcpHost, port: config.tcpPort, maxConnections: config.maxConnections, perAddress },
    gateway,
  );
  const tls =
    tlsCredentials === undefined
      ? undefined
      : new TlsListener(
          {
            host: config.tcpHost,
            port: config.tlsPort,
            maxConnections: config.maxConnections,
            credentials: tlsCredentials,
            handshakeTimeoutMs: config.authTimeoutMs,
            perAddress,
          },
          gateway,
        );
  services.metrics.countConnections(() => gateway.connectionsByDialect());
  gateway.observeConnections((dialect) => services.metrics.connectionObserver(dialect));
  const api = await buildHttpApi(
    {
      services,
      store,
      media: services.media,
      metrics: services.metrics,
      nodes: cluster,
      serverKeys,
      config: {
        mediaMaxBytes: config.mediaMaxBytes,
        rateLimit: config.httpRateLimit,
        authRateLimit: config.httpAuthRateLimit,
        bodyLimit: config.maxFrameBytes,
        adminUsers: config.adminUsers,
        iceServers: config.iceServers,
      },
    },
    log,
  );
  const http = new HttpListener(
    {
      host: config.httpHost,
      port: config.httpPort,
      maxBodyLength: config.maxFrameBytes,
      perAddress,
      ...(tlsCredentials === undefined
        ? {}
        : {
            https: {
              port: config.httpsPort,
              credentials: tlsCredentials,
              handshakeTimeoutMs: config.authTimeoutMs,
            },
          }),
    },
    gateway,
    api,
  );
  let tcpPort: number;
  let httpPort: number;
  let tlsPort: number | undefined;
  try {
    tcpPort = await tcp.listen();
    httpPort = await http.listen();
    tlsPort = await tls?.listen();
  } catch (err) {
    await Promise.allSettled([tcp.close(), http.close(), tls?.close(), gateway.close(0)]);
    await cluster.close();
    await store.close();
    throw err;
  }
  const publicHost = config.publicHost ?? publicAddressOf(config.tcpHost);
  const httpPublicHost = config.publicHost ?? publicAddressOf(config.httpHost);
  await cluster.announce(
    {
      name: config.nodeName ?? `${publicHost}:${tcpPort}`,
      tcp: { host: publicHost, port: tcpPort },
      http: `http://${hostPart(httpPublicHost)}:${httpPort}`,
      ws: `ws://${hostPart(httpPublicHost)}:${httpPort}/ws`,
      startedAt: Date.now(),
    },
    () => gateway.connectionCount,
  );
  log.info(
    {
      tcpPort,
      httpPort,
      tlsPort,
      httpsPort: http.httpsPort,
      store: config.databaseUrl !== undefined ? 'postgres' : 'sqlite',
      workerId: cluster.workerId,
      cluster: cluster.mode,
    },
    'parley listening',
  );
  let stopping: Promise<void> | undefined;
  late.stop = stop;
  return {
    config,
    store,
    auth,
    sessions,
    cluster,
    tcpPort,
    httpPort,
    tlsPort,
    httpsPort: http.httpsPort,
    gateway,
    stop,
    onFatal(listener) {
      fatalListeners.push(listener);
    },
  };

  function stop(): Promise<void> {
    stopping ??= (async () => {
      log.info('shutting down');
      clearInterval(sweeper);
      // Leave the registry first so the gateway endpoint sends nobody here, stop accepting, then
      // tell the connected clients to reconnect elsewhere; presence and the worker id go last.
      await cluster.leave().catch((err: unknown) => {
        log.warn({ err }, 'leaving the node registry failed');
      });
      const listeners = Promise.all([tcp.close(), http.close(), tls?.close()]);
      await gateway.close(config.shutdownGraceMs);
      await listeners;
      await cluster.close();
      await store.close();
      log.info('stopped');
    })();
    return stopping;
  }
}

/** The address a client can dial for a listener bound to `host` (a wildcard means this machine). */
function publicAddressOf(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
