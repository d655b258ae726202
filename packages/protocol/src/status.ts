/**
 * The status codes carried in a response header's status byte (and, for the other dialects,
 * mapped onto their error replies). One table for every dialect and the HTTP API; 0 is OK.
 * `close` says whether the server closes the connection after answering with this status.
 */
export const Status = {
  OK: 0,
  /** The body could not be decoded or a field is invalid. */
  BAD_REQUEST: 1,
  /** A command other than LOGIN, REGISTER or PING before a successful LOGIN. */
  UNAUTHENTICATED: 2,
  /** Wrong username/password, or an unknown token. */
  AUTH_FAILED: 3,
  /** Authenticated, but not allowed to do this. */
  FORBIDDEN: 4,
  NOT_FOUND: 5,
  /** E.g. a username that is taken. */
  CONFLICT: 6,
  RATE_LIMITED: 7,
  /** A frame length or a decompressed body over the limit. */
  TOO_LARGE: 8,
  UNKNOWN_COMMAND: 9,
  /** A flag combination or feature this server does not support. */
  UNSUPPORTED: 10,
  /** Header version other than 1. */
  UNSUPPORTED_VERSION: 11,
  /** Reserved flag bits set, or a frame that breaks the framing rules. */
  PROTOCOL_ERROR: 12,
  /** The session was replaced by another login of the same platform class. */
  KICKED: 13,
  TOKEN_EXPIRED: 14,
  TOKEN_REVOKED: 15,
  /** No complete frame (or no LOGIN) in time. */
  TIMEOUT: 16,
  /** The connection cannot keep up with what the server writes to it. */
  SLOW_CONSUMER: 17,
  /** The server is shutting down; reconnect (elsewhere). */
  SHUTTING_DOWN: 18,
  /** A gzip body that is not valid gzip. */
  BAD_COMPRESSION: 19,
  /** The operation's time window has passed (e.g. recall). */
  EXPIRED: 20,
  INTERNAL: 255,
} as const;

export type Status = (typeof Status)[keyof typeof Status];

const statusNames = new Map<number, string>(Object.entries(Status).map(([k, v]) => [v, k]));

export function isKnownStatus(value: number): value is Status {
  return statusNames.has(value);
}

export function statusName(value: number): string {
  return statusNames.get(value) ?? `UNKNOWN(${String(value)})`;
}
