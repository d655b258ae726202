import { Status, statusName } from './status.js';

/**
 * One error class per failure, each tied to a status code from the shared table. Servers throw
 * them, gateways turn them into status bytes / ERR lines / HTTP bodies, and clients turn status
 * codes back into the same classes with `errorFromStatus`. Anything else is INTERNAL.
 */
export class ParleyError extends Error {
  readonly status: Status;
  constructor(status: Status, message: string) {
    super(message);
    this.name = 'ParleyError';
    this.status = status;
  }
}

function errorClass(status: Status, name: string) {
  const cls = class extends ParleyError {
    constructor(message: string = statusName(status)) {
      super(status, message);
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

export const BadRequestError = errorClass(Status.BAD_REQUEST, 'BadRequestError');
export const UnauthenticatedError = errorClass(Status.UNAUTHENTICATED, 'UnauthenticatedError');
export const AuthFailedError = errorClass(Status.AUTH_FAILED, 'AuthFailedError');
export const ForbiddenError = errorClass(Status.FORBIDDEN, 'ForbiddenError');
export const NotFoundError = errorClass(Status.NOT_FOUND, 'NotFoundError');
export const ConflictError = errorClass(Status.CONFLICT, 'ConflictError');
export const RateLimitedError = errorClass(Status.RATE_LIMITED, 'RateLimitedError');
export const TooLargeError = errorClass(Status.TOO_LARGE, 'TooLargeError');
export const UnknownCommandError = errorClass(Status.UNKNOWN_COMMAND, 'UnknownCommandError');
export const UnsupportedError = errorClass(Status.UNSUPPORTED, 'UnsupportedError');
export const UnsupportedVersionError = errorClass(Status.UNSUPPORTED_VERSION, 'UnsupportedVersionError');
export const ProtocolError = errorClass(Status.PROTOCOL_ERROR, 'ProtocolError');
export const KickedError = errorClass(Status.KICKED, 'KickedError');
export const TokenExpiredError = errorClass(Status.TOKEN_EXPIRED, 'TokenExpiredError');
export const TokenRevokedError = errorClass(Status.TOKEN_REVOKED, 'TokenRevokedError');
export const TimeoutError = errorClass(Status.TIMEOUT, 'TimeoutError');
export const SlowConsumerError = errorClass(Status.SLOW_CONSUMER, 'SlowConsumerError');
export const ShuttingDownError = errorClass(Status.SHUTTING_DOWN, 'ShuttingDownError');
export const BadCompressionError = errorClass(Status.BAD_COMPRESSION, 'BadCompressionError');
export const ExpiredError = errorClass(Status.EXPIRED, 'ExpiredError');
export const InternalError = errorClass(Status.INTERNAL, 'InternalError');

const byStatus = new Map<number, new (message?: string) => ParleyError>([
  [Status.BAD_REQUEST, BadRequestError],
  [Status.UNAUTHENTICATED, UnauthenticatedError],
  [Status.AUTH_FAILED, AuthFailedError],
  [Status.FORBIDDEN, ForbiddenError],
  [Status.NOT_FOUND, NotFoundError],
  [Status.CONFLICT, ConflictError],
  [Status.RATE_LIMITED, RateLimitedError],
  [Status.TOO_LARGE, TooLargeError],
  [Status.UNKNOWN_COMMAND, UnknownCommandError],
  [Status.UNSUPPORTED, UnsupportedError],
  [Status.UNSUPPORTED_VERSION, UnsupportedVersionError],
  [Status.PROTOCOL_ERROR, ProtocolError],
  [Status.KICKED, KickedError],
  [Status.TOKEN_EXPIRED, TokenExpiredError],
  [Status.TOKEN_REVOKED, TokenRevokedError],
  [Status.TIMEOUT, TimeoutError],
  [Status.SLOW_CONSUMER, SlowConsumerError],
  [Status.SHUTTING_DOWN, ShuttingDownError],
  [Status.BAD_COMPRESSION, BadCompressionError],
  [Status.EXPIRED, ExpiredError],
  [Status.INTERNAL, InternalError],
]);

/** The error class for a non-OK status; unknown codes become InternalError. */
export function errorFromStatus(status: number, message?: string): ParleyError {
  const cls = byStatus.get(status) ?? InternalError;
  return new cls(message);
}

/** Any thrown value as a ParleyError: ours pass through, everything else is INTERNAL. */
export function toParleyError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  return new InternalError('internal error');
}
