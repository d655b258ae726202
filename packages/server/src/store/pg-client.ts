import { BadRequestError } from '@parley/protocol';
import { Client, DatabaseError, type ClientConfig } from 'pg';

/** PostgreSQL's "numeric value out of range" and "invalid text representation". */
const BAD_VALUE_CODES: ReadonlySet<string> = new Set(['22003', '22P02']);

/**
 * A value from the request PostgreSQL cannot take (a uint64 id from the wire past 2^63 - 1 for a
 * bigint column) is the request's fault: BAD_REQUEST, as SqliteStore answers it (settle.ts), not
 * INTERNAL.
 */
export function requestValueError(err: unknown): Error {
  if (err instanceof DatabaseError && err.code !== undefined && BAD_VALUE_CODES.has(err.code)) {
    return new BadRequestError('a number in the request is out of range');
  }
  return err instanceof Error ? err : new Error(String(err));
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * The pool's client class (the Pool's `Client` option), so every query goes through
 * requestValueError: the pool's own queries (callback form) and transactions' (promise form).
 */
export class RequestCheckedClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    const query = (super.query as AnyFunction).bind(this);
    const wrapped: AnyFunction = (...args) => {
      const last = args.at(-1);
      if (typeof last === 'function') {
        const callback = last as AnyFunction;
        args[args.length - 1] = (err: unknown, ...rest: unknown[]) =>
          callback(err === null || err === undefined ? err : requestValueError(err), ...rest);
      }
      const result = query(...args);
      return result instanceof Promise
        ? result.catch((err: unknown) => Promise.reject(requestValueError(err)))
        : result;
    };
    this.query = wrapped as Client['query'];
  }
}
