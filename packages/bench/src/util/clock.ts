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

/**
 * Resolves once `nowMs()` has reached `at`. A bare `setTimeout(at - nowMs())` can wake early:
 * Node counts the delay from the event loop's cached time, which lags the clock by however long
 * the process has been busy since the loop last looked (milliseconds on a loaded machine). A step
 * whose first messages were stamped before its start took them for an earlier step's stragglers.
 */
export async function sleepUntil(at: number): Promise<void> {
  for (let left = at - nowMs(); left > 0; left = at - nowMs()) await sleep(Math.ceil(left));
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
