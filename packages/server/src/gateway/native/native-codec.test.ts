import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { create, toBinary } from '@bufbuild/protobuf';
import { MessageContentSchema, MessageSchema } from '@parley/protocol';
import { soleEmbeddedField } from './native-codec.js';

const CONTENT_FIELD = 2;

describe('soleEmbeddedField', () => {
  it('finds the content of any Message among fields of every wire type', () => {
    fc.assert(
      fc.property(
        fc.record({
          messageId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          clientMsgId: fc.string({ maxLength: 80 }),
          seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          serverTime: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
          flags: fc.nat(),
          text: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
          latitude: fc.double({ noNaN: true }),
        }),
        (r) => {
          const messageContent =
            r.text === undefined
              ? undefined
              : create(MessageContentSchema, {
                  contentType: 1,
                  text: r.text,
                  location: { latitude: r.latitude, longitude: 1.5 },
                });
          const body = toBinary(
            MessageSchema,
            create(MessageSchema, {
              messageId: r.messageId,
              clientMsgId: r.clientMsgId,
              seq: r.seq,
              serverTime: r.serverTime,
              flags: r.flags,
              messageContent,
              conversation: { type: 0, target: '42' },
            }),
          );
          const found = soleEmbeddedField(body, CONTENT_FIELD);
          if (messageContent === undefined) assert.equal(found, undefined);
          else assert.deepEqual(found, toBinary(MessageContentSchema, messageContent));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives up on a field that occurs twice (protobuf would merge them), and on truncated bytes', () => {
    const part = toBinary(
      MessageSchema,
      create(MessageSchema, { messageContent: { contentType: 1, text: 'a' } }),
    );
    const twice = new Uint8Array([...part, ...part]);
    assert.equal(soleEmbeddedField(twice, CONTENT_FIELD), undefined);
    for (let cut = 1; cut < part.length; cut++) {
      assert.equal(soleEmbeddedField(part.subarray(0, cut), CONTENT_FIELD), undefined, `cut at ${cut}`);
    }
    assert.equal(soleEmbeddedField(new Uint8Array([0x0b, 0x0c]), CONTENT_FIELD), undefined, 'a group');
  });

  it('copies the bytes out (the frame buffer may be reused)', () => {
    const body = toBinary(
      MessageSchema,
      create(MessageSchema, { messageContent: { contentType: 1, text: 'b' } }),
    );
    const found = soleEmbeddedField(body, CONTENT_FIELD);
    assert.ok(found);
    body.fill(0);
    assert.notEqual(found[0], 0);
  });
});
