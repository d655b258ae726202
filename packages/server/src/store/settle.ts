import { BadRequestError } from '@parley/protocol';

/**
 * A synchronous better-sqlite3 call as a promise: a throw becomes a rejection. A number SQLite
 * cannot bind (a uint64 id past 2^63 - 1 from the wire) is the request's fault: BAD_REQUEST, not
 * INTERNAL.
 */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    if (err instanceof RangeError && /too big/.test(err.message)) {
      return Promise.reject(new BadRequestError('a number in the request is out of range'));
    }
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
