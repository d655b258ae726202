/**
 * Milliseconds since the epoch with sub-millisecond precision. Processes on one host share the
 * wall clock, so a time stamped by a sender process can be compared in a receiver process (the
 * fan-out scenario's "latency to the last member" spans processes).
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every `everyMs` until it holds; false when `timeoutMs` passed first. */
export async function pollUntil(predicate: () => boolean, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
