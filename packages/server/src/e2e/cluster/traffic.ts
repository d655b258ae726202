import assert from 'node:assert/strict';
import { direct } from '@parley/sdk';
import { until, type TestUser } from './cluster-clients.js';

export interface TrafficResult {
  readonly sent: number;
  readonly acked: number;
  readonly delivered: number;
}

/**
 * Steady traffic in a ring (user i writes to user i+1) while `during` runs (a node dies, Redis
 * restarts, ...). Afterwards every acked message must reach its recipient exactly once.
 */
export async function ringTraffic(
  users: readonly TestUser[],
  options: {
    tag: string;
    beforeMs: number;
    afterMs: number;
    intervalMs: number;
    during: () => Promise<void>;
  },
): Promise<TrafficResult> {
  const acked = users.map(() => [] as string[]);
  const pending: Promise<void>[] = [];
  let sent = 0;
  let running = true;
  const senders = users.map(async (user, i) => {
    const to = users[(i + 1) % users.length];
    assert.ok(to);
    for (let k = 0; running; k++) {
      const text = `${options.tag}:${i}:${k}`;
      sent += 1;
      pending.push(
        user.client.messages.sendText(direct(to.id), text).then(() => {
          acked[(i + 1) % users.length]?.push(text);
        }),
      );
      await new Promise((r) => setTimeout(r, options.intervalMs));
    }
  });
  await new Promise((r) => setTimeout(r, options.beforeMs));
  await options.during();
  await new Promise((r) => setTimeout(r, options.afterMs));
  running = false;
  await Promise.all(senders);
  // The outbox retries through reconnects: every send is acked in the end.
  await Promise.all(pending);
  let delivered = 0;
  for (const [i, user] of users.entries()) {
    const expected = acked[i] ?? [];
    await until(
      () => {
        const got = new Set(user.texts());
        return expected.every((t) => got.has(t));
      },
      `${user.name} received all ${expected.length} acked messages`,
      30_000,
    );
    const mine = user.texts().filter((t) => t.startsWith(`${options.tag}:`));
    assert.equal(new Set(mine).size, mine.length, `${user.name} got no message twice`);
    assert.equal(mine.length, expected.length, `${user.name} got exactly the acked messages`);
    delivered += mine.length;
  }
  const total = acked.reduce((n, a) => n + a.length, 0);
  return { sent, acked: total, delivered };
}
