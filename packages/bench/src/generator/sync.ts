import {
  Command,
  LoginRequestSchema,
  LoginResponseSchema,
  Platform,
  PullRequestSchema,
  PullResponseSchema,
  SyncRequestSchema,
  SyncResponseSchema,
} from '@parley/protocol';
import { ParleyConnection } from '../clients/parley-connection.js';
import type { Driver, Target } from '../clients/endpoint.js';
import { nowMs, sleep } from '../util/clock.js';

export interface SyncRun {
  /** From opening the connection until the last missed message is in hand. */
  readonly totalMs: number;
  readonly loginMs: number;
  readonly syncMs: number;
  readonly pullMs: number;
  readonly conversations: number;
  readonly messages: number;
  readonly pulls: number;
}

/**
 * What a Parley device does on reconnect (docs/native-protocol.md, Delivery 3): LOGIN with its
 * token, SYNC with its cursors (it held nothing, so none), then MP every moved conversation from
 * its cursor, all conversations in flight at once on the one connection, following has_more.
 */
export async function parleyReconnectSync(
  target: Target,
  device: { readonly name: string; readonly token: string },
  pullLimit: number,
): Promise<SyncRun> {
  const t0 = nowMs();
  const conn = await ParleyConnection.open(target);
  try {
    await conn.request(
      Command.LOGIN,
      LoginRequestSchema,
      { token: device.token, deviceId: device.name, platform: Platform.PC },
      LoginResponseSchema,
    );
    const t1 = nowMs();
    const sync = await conn.request(Command.SYNC, SyncRequestSchema, { cursors: [] }, SyncResponseSchema);
    const t2 = nowMs();
    let messages = 0;
    let pulls = 0;
    await Promise.all(
      sync.conversations.map(async (state) => {
        let from = state.joinSeq > 1n ? state.joinSeq : 1n;
        for (;;) {
          pulls++;
          const page = await conn.request(
            Command.MP,
            PullRequestSchema,
            { conversation: state.conversation, fromSeq: from, limit: pullLimit },
            PullResponseSchema,
          );
          messages += page.messages.length;
          const last = page.messages.at(-1);
          if (!page.hasMore || last === undefined) break;
          from = last.seq + 1n;
        }
      }),
    );
    const t3 = nowMs();
    return {
      totalMs: t3 - t0,
      loginMs: t1 - t0,
      syncMs: t2 - t1,
      pullMs: t3 - t2,
      conversations: sync.conversations.length,
      messages,
      pulls,
    };
  } finally {
    await conn.close();
  }
}

/**
 * The MQTT equivalent: a persistent session (clean = false) reconnects and the broker replays
 * what it queued while the client was away. Done when `expected` messages arrived.
 */
export async function mqttReconnectSync(
  driver: Driver,
  name: string,
  expected: number,
  timeoutMs: number,
): Promise<SyncRun> {
  let received = 0;
  const t0 = nowMs();
  const endpoint = await driver.connect({ name, persistent: true }, () => {
    received++;
  });
  const t1 = nowMs();
  const deadline = Date.now() + timeoutMs;
  while (received < expected && Date.now() < deadline) await sleep(1);
  const t2 = nowMs();
  await endpoint.close();
  return {
    totalMs: t2 - t0,
    loginMs: t1 - t0,
    syncMs: 0,
    pullMs: t2 - t1,
    conversations: 0,
    messages: received,
    pulls: 0,
  };
}
