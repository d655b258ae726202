import {
  BadRequestError,
  InternalError,
  NotFoundError,
  ParleyError,
  RateLimitedError,
  Status,
  TooLargeError,
  UnsupportedError,
  statusName,
} from '@parley/protocol';

/** The one error body of the HTTP API: the status code and name from the shared Status table. */
export interface ErrorBody {
  readonly error: { readonly status: number; readonly name: string; readonly message: string };
}

const HTTP_STATUS = new Map<number, number>([
  [Status.BAD_REQUEST, 400],
  [Status.UNAUTHENTICATED, 401],
  [Status.AUTH_FAILED, 401],
  [Status.TOKEN_EXPIRED, 401],
  [Status.TOKEN_REVOKED, 401],
  [Status.KICKED, 401],
  [Status.FORBIDDEN, 403],
  [Status.EXPIRED, 403],
  [Status.NOT_FOUND, 404],
  [Status.CONFLICT, 409],
  [Status.TOO_LARGE, 413],
  [Status.UNSUPPORTED, 415],
  [Status.RATE_LIMITED, 429],
  [Status.SHUTTING_DOWN, 503],
  [Status.INTERNAL, 500],
]);

/** The HTTP status for a Status code; codes without their own (framing errors) are 400. */
export function httpStatusOf(status: number): number {
  return HTTP_STATUS.get(status) ?? 400;
}

interface FrameworkError {
  readonly statusCode?: unknown;
  readonly validation?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
}

/**
 * Any thrown value as a ParleyError. Core errors pass through; fastify's own errors (schema
 * validation, body too large, bad content type, malformed JSON) become BAD_REQUEST / TOO_LARGE /
 * RATE_LIMITED; anything else is INTERNAL with no detail (the cause is logged, never sent).
 */
export function toApiError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  if (typeof err === 'object' && err !== null) {
    const e = err as FrameworkError;
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.validation !== undefined) return new BadRequestError(message);
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      switch (e.statusCode) {
        case 413:
          return new TooLargeError(message);
        case 415:
          return new UnsupportedError(message);
        case 429:
          return new RateLimitedError(message);
        case 404:
          return new NotFoundError(message);
        default:
          return new BadRequestError(message);
      }
    }
  }
  return new InternalError('internal error');
}

export function errorBody(err: ParleyError): ErrorBody {
  return { error: { status: err.status, name: statusName(err.status), message: err.message } };
}
