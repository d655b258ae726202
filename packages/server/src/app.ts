import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type ParleyConfig } from './config.js';
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
import { SystemMessages } from './core/system-messages.js';
import { SessionRegistry } from './core/session-registry.js';
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
import { TcpListener } from './gateway/tcp-listener.js';
import { createLogger } from './logger.js';
import { PostgresStore } from './store/postgres-store.js';
import { SqliteStore } from './store/sqlite-store.js';

/** The composition root: the one place where ports meet their implementations. */
export interface App {
  readonly config: ParleyConfig;
  readonly store: Store;
  readonly auth: AuthService;
  readonly sessions: SessionRegistry;
  /** Bound TCP port (differs from config when it was 0). */
  readonly tcpPort: number;
  /** Bound HTTP port: WebSocket at /ws. */
  readonly httpPort: number;
  readonly gateway: NativeGateway;
  stop(): Promise<void>;
}

export function openStore(config: ParleyConfig): Store {
  if (config.databaseUrl !== undefined) return new PostgresStore({ connectionString: config.databaseUrl });
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteStore({ path: join(config.dataDir, 'parley.db') });
}

export function createServices(
  config: ParleyConfig,
  store: Store,
): CoreServices & { ids: SnowflakeGenerator; media: MediaLibrary; metrics: Metrics } {
  const ids = new SnowflakeGenerator(config.nodeId);
  // Told of every stored message: media references (download rights) and the messages-in metric.
  const media = new MediaLibrary(join(config.dataDir, 'media'), store);
  const metrics = new Metrics();
  const sessions = new SessionRegistry();
  const members = new MemberDirectory(store);
  const fanout = new Fanout(members, sessions, config.groupNotifyThreshold);
  const system = new SystemMessages(store, ids, fanout);
  const auth = new AuthService(store, ids, {
    tokenTtlMs: config.tokenTtlMs,
    passwordCost: { log2N: config.passwordLog2N, r: 8, p: 1 },
    maxLoginFailures: config.maxLoginFailures,
    loginWindowMs: config.loginWindowMs,
  });
  const messages = new MessageService(store, ids, sessions, members, fanout, {
    content: { ...DEFAULT_CONTENT_LIMITS, maxTextLength: config.maxTextLength },
    maxPullLimit: config.maxPullLimit,
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
    auth,
    sessions,
    presence,
    messages,
    changes,
    groups,
    chatrooms,
    contacts: new ContactService(store, sessions),
    users: new UserService(store, presence),
    conversations: new ConversationService(store),
  };
  return { ...services, ids, media, metrics };
}

export async function startApp(
  config: ParleyConfig,
  log: Logger = createLogger(config.logLevel),
): Promise<App> {
  if (config.redisUrl !== undefined) {
    throw new ConfigError('PARLEY_REDIS_URL is set, but cluster mode is not implemented yet; unset it');
  }
  const store = openStore(config);
  await store.migrate();
  const services = createServices(config, store);
  const { sessions, auth } = services;
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
  );
  gateway.register(Dialect.IMP, createImpConnection);
  gateway.register(Dialect.JIM, createJimConnection);
  gateway.register(Dialect.IMTP, createImtpConnection);
  const tcp = new TcpListener(
    { host: config.tcpHost, port: config.tcpPort, maxConnections: config.maxConnections },
    gateway,
  );
  services.metrics.countConnections(() => gateway.connectionCount);
  const api = await buildHttpApi(
    {
      services,
      store,
      media: services.media,
      metrics: services.metrics,
      config: {
        mediaMaxBytes: config.mediaMaxBytes,
        rateLimit: config.httpRateLimit,
        authRateLimit: config.httpAuthRateLimit,
        bodyLimit: config.maxFrameBytes,
      },
    },
    log,
  );
  const http = new HttpListener(
    { host: config.httpHost, port: config.httpPort, maxBodyLength: config.maxFrameBytes },
    gateway,
    api,
  );
  let tcpPort: number;
  let httpPort: number;
  try {
    tcpPort = await tcp.listen();
    httpPort = await http.listen();
  } catch (err) {
    await Promise.allSettled([tcp.close(), http.close(), gateway.close(0)]);
    await store.close();
    throw err;
  }
  log.info(
    {
      tcpPort,
      httpPort,
      store: config.databaseUrl !== undefined ? 'postgres' : 'sqlite',
      nodeId: config.nodeId,
    },
    'parley listening',
  );
  let stopping: Promise<void> | undefined;
  return {
    config,
    store,
    auth,
    sessions,
    tcpPort,
    httpPort,
    gateway,
    stop() {
      stopping ??= (async () => {
        log.info('shutting down');
        // Stop accepting first, then tell the connected clients to go elsewhere.
        const listeners = Promise.all([tcp.close(), http.close()]);
        await gateway.close(config.shutdownGraceMs);
        await listeners;
        await store.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
