import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { MessageContentSchema, MessageSchema, PullResponseSchema } from '@parley/protocol';
import type { StoredMessage } from '../../core/types.js';
import { encodePullResponse, messageToWire } from './native-wire.js';
import { writeStoredMessage } from './stored-message-writer.js';

function stored(seq: number, text: string): StoredMessage {
  return {
    id: 1000n + BigInt(seq),
    conversationId: 's:5:9',
    seq,
    senderId: 5n,
    senderDevice: 'dev',
    clientMsgId: `c${seq}`,
    contentType: 1,
    // Long enough that the length takes two varint bytes.
    content: toBinary(MessageContentSchema, create(MessageContentSchema, { contentType: 1, text })),
    searchText: text,
    serverTime: 1_700_000_000_000 + seq,
    flags: seq % 2,
  };
}

describe('native wire: stored messages spliced as bytes', () => {
  it('encodes the same Message as the object path, for every viewer', () => {
    for (const text of ['hi', 'x'.repeat(300), '你好 👋']) {
      const m = stored(7, text);
      for (const viewer of [5n, 9n]) {
        const spliced = fromBinary(MessageSchema, writeStoredMessage(m, viewer, 'alice'));
        assert.deepEqual(spliced, messageToWire(m, viewer, 'alice'));
      }
    }
  });

  it('encodes a PullResponse equal to the object path', () => {
    const messages = Array.from({ length: 50 }, (_, i) => stored(i + 1, `message ${i} ${'y'.repeat(i * 5)}`));
    const bytes = encodePullResponse(messages, 9n, true, 77);
    const expected = create(PullResponseSchema, {
      messages: messages.map((m) => messageToWire(m, 9n)),
      hasMore: true,
      maxSeq: 77n,
    });
    assert.deepEqual(fromBinary(PullResponseSchema, bytes), expected);
    assert.deepEqual(
      fromBinary(PullResponseSchema, encodePullResponse([], 9n, false, 0)),
      create(PullResponseSchema),
    );
  });
});
