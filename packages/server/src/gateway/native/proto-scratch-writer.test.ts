import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { MessageContentSchema, MessageSchema, SendResultSchema } from '@parley/protocol';
import type { StoredMessage } from '../../core/types.js';
import { envelopeToWire, messageToWire } from './native-wire.js';
import { writeSendResult } from './send-result-writer.js';
import { writeStoredMessage } from './stored-message-writer.js';

/** What the writer replaced: protobuf-es's encoding of the envelope, then the content as field 2. */
function reference(message: StoredMessage, viewer: bigint, senderName: string): Uint8Array {
  const head = toBinary(MessageSchema, envelopeToWire(message, viewer, senderName));
  const content = toBinary(
    MessageSchema,
    create(MessageSchema, { messageContent: fromBinary(MessageContentSchema, message.content) }),
  );
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

// A small deterministic generator, so a failure names a reproducible case.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const LONE = '\ud800';
const STRINGS = ['', 'a', 'dev-1', 'x'.repeat(200), '你好', '👋 emoji', 'é', `${LONE} lone`, 'ascii then ü'];
const IDS = [1n, 127n, 128n, 16_383n, 16_384n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n];
const NUMBERS = [
  0,
  1,
  127,
  128,
  300,
  2 ** 31,
  2 ** 32 + 5,
  1_700_000_000_123,
  Number.MAX_SAFE_INTEGER,
  -1,
  -1_700_000_000_000,
];

function message(next: () => number): StoredMessage {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const a = pick(IDS);
  const b = pick(IDS);
  const kind = pick(['s', 'g', 'r'] as const);
  const conversationId =
    kind === 's' ? `s:${a}:${b}` : kind === 'g' ? `g:${b}` : `r:room-${pick(['x', 'general'])}`;
  const text = pick(STRINGS);
  return {
    id: pick(IDS),
    conversationId,
    seq: Math.abs(pick(NUMBERS)),
    senderId: a,
    senderDevice: pick(STRINGS),
    clientMsgId: pick(STRINGS),
    contentType: 1,
    content: toBinary(MessageContentSchema, create(MessageContentSchema, { contentType: 1, text })),
    searchText: text,
    serverTime: pick(NUMBERS),
    flags: Math.floor(next() * 4),
  };
}

describe('stored message writer', () => {
  it('writes the bytes protobuf-es writes, for 5,000 random messages and both viewers', () => {
    const next = random(42);
    for (let i = 0; i < 5000; i++) {
      const m = message(next);
      const viewer = next() < 0.5 ? m.senderId : 99n;
      const name = STRINGS[i % STRINGS.length] ?? '';
      const written = writeStoredMessage(m, viewer, name);
      assert.deepEqual(
        written,
        reference(m, viewer, name),
        `case ${i}: ${JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
      );
      // A lone surrogate reads back as U+FFFD, in both encodings alike (the bytes matched above).
      const wellFormed = ![m.senderDevice, m.clientMsgId, name].some((t) => t.includes(LONE));
      if (wellFormed) assert.deepEqual(fromBinary(MessageSchema, written), messageToWire(m, viewer, name));
    }
  });

  it('leaves the requested room at the start, and grows past its scratch buffer', () => {
    const m = {
      ...message(random(7)),
      content: new Uint8Array(100_000).fill(9),
      senderDevice: 'ü'.repeat(5000),
    };
    const plain = writeStoredMessage(m, 1n, 'name');
    const roomy = writeStoredMessage(m, 1n, 'name', 12);
    assert.equal(roomy.length, plain.length + 12);
    assert.deepEqual(roomy.subarray(12), plain);
    assert.deepEqual(
      writeStoredMessage(m, 1n, 'name'),
      plain,
      'the scratch buffer is reused without leftovers',
    );
  });
});

describe('send result writer', () => {
  it('writes the bytes protobuf-es writes, for 2,000 random results', () => {
    const next = random(9);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    for (let i = 0; i < 2000; i++) {
      const fields = {
        messageId: pick([0n, ...IDS]),
        seq: Math.abs(pick(NUMBERS)),
        serverTime: pick(NUMBERS),
        clientMsgId: pick(STRINGS),
        conversation: { type: pick([0, 1, 2]), target: pick(['', '42', 'general', ...STRINGS]) },
        duplicate: next() < 0.5,
      };
      const expected = toBinary(
        SendResultSchema,
        create(SendResultSchema, {
          ...fields,
          seq: BigInt(fields.seq),
          serverTime: BigInt(fields.serverTime),
        }),
      );
      assert.deepEqual(writeSendResult(fields), expected, `case ${i}`);
    }
  });
});
