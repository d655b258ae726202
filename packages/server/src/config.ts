import { readFileSync } from 'node:fs';

/**
 * Configuration (DESIGN §9): environment variables, optionally a JSON config file named by
 * PARLEY_CONFIG holding the same keys; the environment wins. Every key and default is listed in
 * CONFIG_KEYS and documented in the README.
 */
export interface ParleyConfig {
  readonly tcpHost: string;
  readonly tcpPort: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly nodeId: number;
  readonly nodeName: string | undefined;
  readonly publicHost: string | undefined;
  readonly clusterName: string;
  readonly workerIdCount: number;
  readonly nodeTtlMs: number;
  readonly logLevel: string;
  readonly maxFrameBytes: number;
  readonly authTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxWriteBufferBytes: number;
  readonly maxInflightRequests: number;
  readonly maxConnections: number;
  readonly tokenTtlMs: number;
  readonly passwordLog2N: number;
  readonly maxTextLength: number;
  readonly maxPullLimit: number;
  readonly shutdownGraceMs: number;
  readonly recallWindowMs: number;
  readonly maxLoginFailures: number;
  readonly loginWindowMs: number;
  readonly maxGroupSize: number;
  readonly groupNotifyThreshold: number;
  readonly mediaMaxBytes: number;
  readonly httpRateLimit: number;
  readonly httpAuthRateLimit: number;
  readonly redPacketTtlMs: number;
  readonly redPacketMaxTotal: number;
  readonly adminUsers: string | undefined;
  readonly callRingTimeoutMs: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxLoginFailuresPerAddress: number;
  readonly messageRateWindowMs: number;
  readonly maxMessagesPerConnection: number;
  readonly maxMessagesPerUser: number;
  readonly tlsPort: number;
  readonly httpsPort: number;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly rsaKey: string | undefined;
  readonly iceServers: string | undefined;
}

type Kind = 'string' | 'int' | 'optional';

interface KeySpec {
  readonly env: string;
  readonly field: keyof ParleyConfig;
  readonly kind: Kind;
  readonly default: string | number | undefined;
  readonly min?: number;
  readonly max?: number;
  readonly doc: string;
}

export const CONFIG_KEYS: readonly KeySpec[] = [
  {
    env: 'PARLEY_TCP_HOST',
    field: 'tcpHost',
    kind: 'string',
    default: '0.0.0.0',
    doc: 'address the TCP listener binds',
  },
  {
    env: 'PARLEY_TCP_PORT',
    field: 'tcpPort',
    kind: 'int',
    default: 7070,
    min: 0,
    max: 65535,
    doc: 'TCP port (0 = any free port)',
  },
  {
    env: 'PARLEY_HTTP_HOST',
    field: 'httpHost',
    kind: 'string',
    default: '0.0.0.0',
    doc: 'address the HTTP/WebSocket listener binds',
  },
  {
    env: 'PARLEY_HTTP_PORT',
    field: 'httpPort',
    kind: 'int',
    default: 8080,
    min: 0,
    max: 65535,
    doc: 'HTTP port: the HTTP API (/api/v1), every dialect over WebSocket (/ws...), /healthz',
  },
  {
    env: 'PARLEY_DATA_DIR',
    field: 'dataDir',
    kind: 'string',
    default: './data',
    doc: 'where the SQLite database and uploaded media (media/) live',
  },
  {
    env: 'PARLEY_DATABASE_URL',
    field: 'databaseUrl',
    kind: 'optional',
    default: undefined,
    doc: 'PostgreSQL URL; unset = SQLite in the data dir',
  },
  {
    env: 'PARLEY_REDIS_URL',
    field: 'redisUrl',
    kind: 'optional',
    default: undefined,
    doc: 'Redis URL for cluster mode; unset = single process',
  },
  {
    env: 'PARLEY_NODE_ID',
    field: 'nodeId',
    kind: 'int',
    default: 1,
    min: 0,
    max: 1023,
    doc: 'snowflake worker id of this node (embedded mode; a cluster node leases one from Redis)',
  },
  {
    env: 'PARLEY_NODE_NAME',
    field: 'nodeName',
    kind: 'optional',
    default: undefined,
    doc: 'name of this node in the cluster (unset = public host:TCP port)',
  },
  {
    env: 'PARLEY_PUBLIC_HOST',
    field: 'publicHost',
    kind: 'optional',
    default: undefined,
    doc: 'host clients reach this node at, as GET /api/v1/gateway tells them (unset = the bind address, or 127.0.0.1 for a wildcard)',
  },
  {
    env: 'PARLEY_CLUSTER_NAME',
    field: 'clusterName',
    kind: 'string',
    default: 'parley',
    doc: 'prefix of every Redis key and channel, so several clusters can share one Redis',
  },
  {
    env: 'PARLEY_WORKER_ID_COUNT',
    field: 'workerIdCount',
    kind: 'int',
    default: 1024,
    min: 1,
    max: 1024,
    doc: 'snowflake worker ids cluster nodes lease (ids 0 to count-1); at most this many live nodes',
  },
  {
    env: 'PARLEY_NODE_TTL_MS',
    field: 'nodeTtlMs',
    kind: 'int',
    default: 15000,
    min: 300,
    doc: 'a cluster node renews its lease, heartbeat and presence every third of this; a dead node is gone after it',
  },
  {
    env: 'PARLEY_LOG_LEVEL',
    field: 'logLevel',
    kind: 'string',
    default: 'info',
    doc: 'pino level: trace, debug, info, warn, error, fatal, silent',
  },
  {
    env: 'PARLEY_MAX_FRAME_BYTES',
    field: 'maxFrameBytes',
    kind: 'int',
    default: 1048576,
    min: 1024,
    max: 16777215,
    doc: 'largest frame body, and largest decompressed body',
  },
  {
    env: 'PARLEY_AUTH_TIMEOUT_MS',
    field: 'authTimeoutMs',
    kind: 'int',
    default: 10000,
    min: 100,
    doc: 'a connection must LOGIN within this time',
  },
  {
    env: 'PARLEY_IDLE_TIMEOUT_MS',
    field: 'idleTimeoutMs',
    kind: 'int',
    default: 90000,
    min: 100,
    doc: 'close a connection with no complete frame (e.g. PING) for this long',
  },
  {
    env: 'PARLEY_MAX_WRITE_BUFFER_BYTES',
    field: 'maxWriteBufferBytes',
    kind: 'int',
    default: 8388608,
    min: 65536,
    doc: 'unsent bytes per connection before it is dropped as a slow consumer',
  },
  {
    env: 'PARLEY_MAX_INFLIGHT_REQUESTS',
    field: 'maxInflightRequests',
    kind: 'int',
    default: 256,
    min: 1,
    doc: 'queued requests per connection before the server stops reading it',
  },
  {
    env: 'PARLEY_MAX_CONNECTIONS',
    field: 'maxConnections',
    kind: 'int',
    default: 200000,
    min: 1,
    doc: 'connections accepted by the TCP listener',
  },
  {
    env: 'PARLEY_TOKEN_TTL_MS',
    field: 'tokenTtlMs',
    kind: 'int',
    default: 30 * 24 * 3600 * 1000,
    min: 1000,
    doc: 'login token lifetime',
  },
  {
    env: 'PARLEY_PASSWORD_LOG2N',
    field: 'passwordLog2N',
    kind: 'int',
    default: 15,
    min: 10,
    max: 20,
    doc: 'scrypt cost (log2 of N; memory = 128 * r * N bytes)',
  },
  {
    env: 'PARLEY_MAX_TEXT_LENGTH',
    field: 'maxTextLength',
    kind: 'int',
    default: 10000,
    min: 1,
    doc: 'characters in a text message',
  },
  {
    env: 'PARLEY_MAX_PULL_LIMIT',
    field: 'maxPullLimit',
    kind: 'int',
    default: 200,
    min: 1,
    max: 10000,
    doc: 'messages per MP page',
  },
  {
    env: 'PARLEY_SHUTDOWN_GRACE_MS',
    field: 'shutdownGraceMs',
    kind: 'int',
    default: 5000,
    min: 0,
    doc: 'how long a graceful shutdown waits for clients to leave',
  },
  {
    env: 'PARLEY_RECALL_WINDOW_MS',
    field: 'recallWindowMs',
    kind: 'int',
    default: 120000,
    min: 0,
    doc: 'how long a sender may recall or edit a message',
  },
  {
    env: 'PARLEY_MAX_LOGIN_FAILURES',
    field: 'maxLoginFailures',
    kind: 'int',
    default: 10,
    min: 1,
    doc: 'failed password logins per account within the window before it is locked (every dialect)',
  },
  {
    env: 'PARLEY_LOGIN_WINDOW_MS',
    field: 'loginWindowMs',
    kind: 'int',
    default: 300000,
    min: 1000,
    doc: 'the failed-login window, and how long a lockout lasts',
  },
  {
    env: 'PARLEY_MAX_GROUP_SIZE',
    field: 'maxGroupSize',
    kind: 'int',
    default: 100000,
    min: 2,
    doc: 'members in one group',
  },
  {
    env: 'PARLEY_GROUP_NOTIFY_THRESHOLD',
    field: 'groupNotifyThreshold',
    kind: 'int',
    default: 1000,
    min: 1,
    doc: 'above this many members, devices get a notify (MN) and pull instead of the message',
  },
  {
    env: 'PARLEY_MEDIA_MAX_BYTES',
    field: 'mediaMaxBytes',
    kind: 'int',
    default: 20971520,
    min: 1024,
    doc: 'largest media upload (POST /api/v1/media); bigger is refused with 413',
  },
  {
    env: 'PARLEY_HTTP_RATE_LIMIT',
    field: 'httpRateLimit',
    kind: 'int',
    default: 600,
    min: 1,
    doc: 'HTTP API requests per minute per bearer token (or per IP without one)',
  },
  {
    env: 'PARLEY_HTTP_AUTH_RATE_LIMIT',
    field: 'httpAuthRateLimit',
    kind: 'int',
    default: 30,
    min: 1,
    doc: 'HTTP register (and, separately, login) requests per minute per IP',
  },
  {
    env: 'PARLEY_RED_PACKET_TTL_MS',
    field: 'redPacketTtlMs',
    kind: 'int',
    default: 86400000,
    min: 1000,
    doc: 'how long a red packet can be claimed; then the rest returns to the sender',
  },
  {
    env: 'PARLEY_RED_PACKET_MAX_TOTAL',
    field: 'redPacketMaxTotal',
    kind: 'int',
    default: 2000000,
    min: 1,
    doc: 'largest red packet, in the smallest unit (cents)',
  },
  {
    env: 'PARLEY_ADMIN_USERS',
    field: 'adminUsers',
    kind: 'optional',
    default: undefined,
    doc: 'comma-separated usernames allowed to use /api/v1/admin (e.g. crediting balances)',
  },
  {
    env: 'PARLEY_CALL_RING_TIMEOUT_MS',
    field: 'callRingTimeoutMs',
    kind: 'int',
    default: 60000,
    min: 1000,
    doc: 'an unanswered call ends as missed after this long',
  },
  {
    env: 'PARLEY_MAX_CONNECTIONS_PER_ADDRESS',
    field: 'maxConnectionsPerAddress',
    kind: 'int',
    default: 1000,
    min: 0,
    doc: 'open connections per client address on this node, over TCP, TLS and WebSocket (0 = no limit); past it RATE_LIMITED and closed',
  },
  {
    env: 'PARLEY_MAX_LOGIN_FAILURES_PER_ADDRESS',
    field: 'maxLoginFailuresPerAddress',
    kind: 'int',
    default: 100,
    min: 0,
    doc: 'failed logins from one address within PARLEY_LOGIN_WINDOW_MS before its logins are refused with RATE_LIMITED (0 = no limit)',
  },
  {
    env: 'PARLEY_MESSAGE_RATE_WINDOW_MS',
    field: 'messageRateWindowMs',
    kind: 'int',
    default: 60000,
    min: 1000,
    doc: 'the window the message rate limits count in',
  },
  {
    env: 'PARLEY_MAX_MESSAGES_PER_CONNECTION',
    field: 'maxMessagesPerConnection',
    kind: 'int',
    default: 6000,
    min: 0,
    doc: 'messages one connection may send per window; past it RATE_LIMITED (0 = no limit)',
  },
  {
    env: 'PARLEY_MAX_MESSAGES_PER_USER',
    field: 'maxMessagesPerUser',
    kind: 'int',
    default: 12000,
    min: 0,
    doc: 'messages one user may send per window over all devices and the HTTP API; past it RATE_LIMITED (0 = no limit)',
  },
  {
    env: 'PARLEY_TLS_PORT',
    field: 'tlsPort',
    kind: 'int',
    default: 7443,
    min: 0,
    max: 65535,
    doc: 'TLS port for the TCP dialects (same detection as TCP), when PARLEY_TLS_CERT and PARLEY_TLS_KEY are set',
  },
  {
    env: 'PARLEY_HTTPS_PORT',
    field: 'httpsPort',
    kind: 'int',
    default: 8443,
    min: 0,
    max: 65535,
    doc: 'HTTPS port: the HTTP port over TLS (API, WSS /ws...), when PARLEY_TLS_CERT and PARLEY_TLS_KEY are set',
  },
  {
    env: 'PARLEY_TLS_CERT',
    field: 'tlsCert',
    kind: 'optional',
    default: undefined,
    doc: 'PEM certificate (chain) file for the TLS and HTTPS listeners; unset = no TLS',
  },
  {
    env: 'PARLEY_TLS_KEY',
    field: 'tlsKey',
    kind: 'optional',
    default: undefined,
    doc: 'PEM private key file for PARLEY_TLS_CERT',
  },
  {
    env: 'PARLEY_RSA_KEY',
    field: 'rsaKey',
    kind: 'optional',
    default: undefined,
    doc: 'PEM RSA private key (2048+ bits) for the native encryption flags (RSA LOGIN, then AES frames); unset = generated on first use into <data dir>/server-rsa.pem, or, with PARLEY_DATABASE_URL, the flags are off (every node needs the same key)',
  },
  {
    env: 'PARLEY_ICE_SERVERS',
    field: 'iceServers',
    kind: 'optional',
    default: undefined,
    doc: 'WebRTC ICE servers for calls, as JSON (RTCIceServer[], e.g. [{"urls":"stun:stun.example.org"}]); unset = none (same network only)',
  },
];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function readFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  const obj = parsed as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!CONFIG_KEYS.some((k) => k.env === key)) throw new ConfigError(`unknown key ${key} in ${path}`);
  }
  return obj;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ParleyConfig {
  const file =
    env['PARLEY_CONFIG'] !== undefined && env['PARLEY_CONFIG'] !== '' ? readFile(env['PARLEY_CONFIG']) : {};
  const out: Record<string, string | number | undefined> = {};
  for (const spec of CONFIG_KEYS) {
    const fromEnv = env[spec.env];
    const raw: unknown = fromEnv !== undefined && fromEnv !== '' ? fromEnv : file[spec.env];
    if (raw === undefined || raw === null || raw === '') {
      out[spec.field] = spec.default;
      continue;
    }
    if (spec.kind === 'int') {
      // Plain decimal only: ' ', '0x1F90' and '1e3' are mistakes, not numbers.
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^-?\d+$/.test(raw.trim())
            ? Number(raw)
            : Number.NaN;
      if (!Number.isInteger(n))
        throw new ConfigError(`${spec.env} must be an integer, got ${JSON.stringify(raw)}`);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ConfigError(
          `${spec.env} must be in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}], got ${n}`,
        );
      }
      out[spec.field] = n;
    } else {
      if (typeof raw !== 'string')
        throw new ConfigError(`${spec.env} must be a string, got ${JSON.stringify(raw)}`);
      out[spec.field] = raw;
    }
  }
  return out as unknown as ParleyConfig;
}
