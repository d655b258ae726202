import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { WireType } from '@bufbuild/protobuf/wire';
import { BadRequestError, ContentType, MessageContentSchema } from '@parley/protocol';
import { DEFAULT_CONTENT_LIMITS, validateContent } from './content.js';

const encrypted = (extra: Record<string, unknown> = {}) =>
  create(MessageContentSchema, {
    contentType: ContentType.ENCRYPTED,
    ciphertext: Uint8Array.of(1, 2, 3),
    ...extra,
  });

describe('end-to-end (ENCRYPTED) content', () => {
  it('is stored as it came, with no search text', () => {
    const input = encrypted();
    const valid = validateContent(input, DEFAULT_CONTENT_LIMITS);
    assert.equal(valid.searchText, '');
    assert.deepEqual(valid.content, input);
  });

  it('refuses an empty ciphertext and any field beside it (nothing readable rides along)', () => {
    assert.throws(
      () => validateContent(encrypted({ ciphertext: new Uint8Array(0) }), DEFAULT_CONTENT_LIMITS),
      /needs a ciphertext/,
    );
    for (const extra of [
      { text: 'hello' },
      { searchableContent: 'hello' },
      { pushContent: 'hello' },
      { data: Uint8Array.of(1) },
      { media: { url: 'https://example.org/a.png' } },
      { mentionedTargets: ['1'] },
      { customType: 'x' },
    ]) {
      assert.throws(
        () => validateContent(encrypted(extra), DEFAULT_CONTENT_LIMITS),
        BadRequestError,
        JSON.stringify(extra),
      );
    }
    const unknownField = encrypted();
    unknownField.$unknown = [
      { no: 99, wireType: WireType.LengthDelimited, data: Uint8Array.of(0x9a, 0x06, 1, 0x41) },
    ];
    assert.throws(
      () => validateContent(unknownField, DEFAULT_CONTENT_LIMITS),
      /content type and ciphertext only/,
    );
  });

  it('is bounded like any content', () => {
    assert.throws(
      () =>
        validateContent(
          encrypted({ ciphertext: new Uint8Array(DEFAULT_CONTENT_LIMITS.maxContentBytes) }),
          DEFAULT_CONTENT_LIMITS,
        ),
      /exceeds/,
    );
  });
});
