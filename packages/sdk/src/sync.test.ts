import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import {
  MessageSchema,
  PullResponseSchema,
  SyncResponseSchema,
  TimeoutError,
  type Message,
  type PullResponse,
} from '@parley/protocol';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff.js';
import { direct } from './conversation.js';
import { Emitter } from './emitter.js';
import { SyncEngine } from './sync.js';

const peer = direct(7n);
const msg = (seq: number): Message =>
  create(MessageSchema, {
    seq: BigInt(seq),
    conversation: peer,
    messageContent: { contentType: 1, text: `m${String(seq)}` },
  });

/** A sync engine over an in-memory "server" holding seqs 1..head. */
function harness(head: { value: number }, faults: { timeouts: number } = { timeouts: 0 }) {
  const delivered: bigint[] = [];
  const pulls: bigint[] = [];
  const stalls = { count: 0 };
  const engine = new SyncEngine(
    {
      pull: (_c, fromSeq, limit): Promise<PullResponse> => {
        pulls.push(fromSeq);
        if (faults.timeouts > 0) {
          faults.timeouts -= 1;
          return Promise.reject(new TimeoutError('MP got no response in 10000 ms'));
        }
        const messages: Message[] = [];
        for (let s = Number(fromSeq); s <= head.value && messages.length < limit; s++) messages.push(msg(s));
        const last = messages.at(-1)?.seq ?? 0n;
        return Promise.resolve(
          create(PullResponseSchema, {
            messages,
            hasMore: last < BigInt(head.value) && messages.length > 0,
            maxSeq: BigInt(head.value),
          }),
        );
      },
      sync: () =>
        Promise.resolve(
          create(SyncResponseSchema, { conversations: [{ conversation: peer, maxSeq: BigInt(head.value) }] }),
        ),
      deliver: (m) => delivered.push(m.seq),
      saveCursor: () => undefined,
      stalled: () => {
        stalls.count += 1;
      },
      report: (e) => {
        throw e;
      },
    },
    3,
  );
  return { engine, delivered, pulls, stalls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('sync engine (gap detection, duplicates, order)', () => {
  it('delivers cursor + 1 at once, drops duplicates, pulls gaps in pages', async () => {
    const head = { value: 1 };
    const { engine, delivered, pulls } = harness(head);
    engine.ingest(msg(1));
    engine.ingest(msg(1));
    assert.deepEqual(delivered, [1n]);
    head.value = 8;
    engine.ingest(msg(8)); // 2..7 missed
    engine.ingest(msg(5)); // overtaken by the pull: dropped or delivered once
    await settle();
    assert.deepEqual(delivered, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    assert.deepEqual(pulls, [2n, 5n, 8n], 'pages of 3 from cursor + 1');
    engine.ingest(msg(8));
    engine.ingest(msg(3));
    assert.equal(delivered.length, 8);
    assert.equal(engine.cursor(peer), 8n);
  });

  it('syncAll pulls from the stored cursor to the head', async () => {
    const head = { value: 10 };
    const { engine, delivered, pulls } = harness(head);
    engine.load(new Map([['0:7', 6n]]));
    assert.equal(await engine.syncAll(), 1);
    assert.deepEqual(delivered, [7n, 8n, 9n, 10n]);
    assert.deepEqual(pulls, [7n, 10n]);
  });

  it('notify pulls up to the head', async () => {
    const head = { value: 2 };
    const { engine, delivered } = harness(head);
    engine.notify(peer, 2n);
    await settle();
    assert.deepEqual(delivered, [1n, 2n]);
  });

  it('a pull that times out asks the host to reconnect; the next sync resumes it', async () => {
    const head = { value: 4 };
    const { engine, delivered, stalls } = harness(head, { timeouts: 1 });
    engine.notify(peer, 4n);
    await settle();
    assert.deepEqual(delivered, []);
    assert.equal(stalls.count, 1, 'the host dropped the connection');
    assert.equal(await engine.syncAll(), 1, 'the reconnect sync');
    assert.deepEqual(delivered, [1n, 2n, 3n, 4n]);
  });
});

describe('backoff and emitter', () => {
  it('grows exponentially with jitter inside [d(1-j), d] and stops at the ceiling', () => {
    assert.equal(
      backoffDelay(DEFAULT_BACKOFF, 0, () => 1),
      500,
    );
    assert.equal(
      backoffDelay(DEFAULT_BACKOFF, 0, () => 0),
      250,
    );
    assert.equal(
      backoffDelay(DEFAULT_BACKOFF, 3, () => 1),
      4000,
    );
    assert.equal(
      backoffDelay(DEFAULT_BACKOFF, 50, () => 1),
      30_000,
    );
  });

  it('a throwing handler does not stop the others and is reported', () => {
    const reported: unknown[] = [];
    const e = new Emitter<{ x: number }>((err) => reported.push(err));
    const got: number[] = [];
    e.on('x', () => {
      throw new Error('boom');
    });
    const off = e.on('x', (v) => got.push(v));
    e.emit('x', 1);
    off();
    e.emit('x', 2);
    assert.deepEqual(got, [1]);
    assert.equal(reported.length, 2);
  });
});
