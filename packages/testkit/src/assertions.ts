import assert from 'node:assert/strict';
import { statusName } from '@parley/protocol';

/** The status code of a ParleyError (or anything carrying `status`). */
export function statusOf(err: unknown): number | undefined {
  return (err as { status?: number } | null)?.status;
}

/** Asserts that `promise` rejects with a ParleyError of exactly `status`. */
export async function rejectsWithStatus(
  promise: Promise<unknown>,
  status: number,
  what: string,
): Promise<void> {
  await assert.rejects(promise, (err) => {
    const got = statusOf(err);
    assert.equal(
      got,
      status,
      `${what}: expected ${statusName(status)}, got ${got === undefined ? String(err) : statusName(got)}`,
    );
    return true;
  });
}
