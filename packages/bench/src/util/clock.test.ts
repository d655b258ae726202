import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nowMs, sleepUntil } from './clock.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // The event loop's cached time falls behind the clock meanwhile.
  }
}

test('sleepUntil never wakes before the time, even after the process was busy', async () => {
  let earliest = Infinity;
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    busy(5);
    const at = nowMs() + 15;
    await sleepUntil(at);
    earliest = Math.min(earliest, nowMs() - at);
  }
  assert.ok(earliest >= 0, `woke ${(-earliest).toFixed(2)} ms early`);
});

test('sleepUntil returns at once for a time already passed', async () => {
  const t0 = performance.now();
  await sleepUntil(nowMs() - 1000);
  assert.ok(performance.now() - t0 < 50);
});
