import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ContentType,
  MessageContentSchema,
  TooLargeError,
  type MessageContent,
} from '@parley/protocol';
import { DEFAULT_CONTENT_LIMITS, validateContent, type ContentLimits } from './content.js';

const LIMITS: ContentLimits = DEFAULT_CONTENT_LIMITS;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function content(init: MessageInitShape<typeof MessageContentSchema>): MessageContent {
  return create(MessageContentSchema, init);
}

const media = (url: string, extra: Record<string, unknown> = {}) => ({
  url,
  size: 12_345n,
  mime: 'image/png',
  width: 640,
  height: 480,
  thumbnailUrl: 'https://cdn.example.com/t/1.jpg',
  thumbnailSize: 999n,
  ...extra,
});

const VALID: Record<string, MessageContent> = {
  'plain text': content({ contentType: ContentType.TEXT, text: 'hello world' }),
  'text with emoji and CJK': content({
    contentType: ContentType.TEXT,
    text: '你好，世界 👋🏽 こんにちは 안녕 👨‍👩‍👧',
  }),
  'text with newlines': content({ contentType: ContentType.TEXT, text: 'line 1\nline 2\r\n\tend' }),
  image: content({ contentType: ContentType.IMAGE, media: media('https://cdn.example.com/a.png') }),
  'image with a server-relative url': content({
    contentType: ContentType.IMAGE,
    media: media('/media/abc123'),
  }),
  video: content({
    contentType: ContentType.VIDEO,
    media: media('https://cdn.example.com/v.mp4', { mime: 'video/mp4', durationMs: 15_000 }),
  }),
  sound: content({
    contentType: ContentType.SOUND,
    media: { url: 'http://cdn.example.com/s.amr', durationMs: 3000, format: 1 },
  }),
  sticker: content({ contentType: ContentType.STICKER, media: { url: 'https://cdn.example.com/st/7.gif' } }),
  file: content({
    contentType: ContentType.FILE,
    media: { url: 'https://cdn.example.com/f/1', name: 'report Q3.pdf', size: 1_000_000n },
  }),
  location: content({
    contentType: ContentType.LOCATION,
    location: {
      latitude: 48.8584,
      longitude: 2.2945,
      title: 'Eiffel Tower',
      address: 'Champ de Mars, Paris',
    },
  }),
  'location at the edges': content({
    contentType: ContentType.LOCATION,
    location: { latitude: -90, longitude: 180 },
  }),
  face: content({ contentType: ContentType.FACE, text: '[:smile]' }),
  custom: content({ contentType: ContentType.CUSTOM, customType: 'poll', data: new Uint8Array([1, 2, 3]) }),
  encrypted: content({ contentType: ContentType.ENCRYPTED, ciphertext: new Uint8Array([9, 8, 7]) }),
};

const LONG = 'x'.repeat(LIMITS.maxTextLength + 1);

// BadRequestError and TooLargeError share one class type, so one alias covers both.
type ErrorClass = typeof BadRequestError;

const INVALID: Record<string, [MessageContent | undefined, ErrorClass]> = {
  'missing content': [undefined, BadRequestError],
  'empty text': [content({ contentType: ContentType.TEXT, text: '' }), BadRequestError],
  'whitespace-only text': [content({ contentType: ContentType.TEXT, text: ' \n\t ' }), BadRequestError],
  'unknown type 99': [content({ contentType: 99, text: 'hi' }), BadRequestError],
  'unknown type 12': [content({ contentType: 12, text: 'hi' }), BadRequestError],
  'UNKNOWN (0)': [content({ contentType: ContentType.UNKNOWN, text: 'hi' }), BadRequestError],
  'SYSTEM from a client': [
    content({ contentType: ContentType.SYSTEM, text: 'alice was made admin' }),
    BadRequestError,
  ],
  TYPING: [content({ contentType: ContentType.TYPING }), BadRequestError],
  'image without media': [content({ contentType: ContentType.IMAGE }), BadRequestError],
  'image with empty url': [content({ contentType: ContentType.IMAGE, media: { url: '' } }), BadRequestError],
  'video without url': [
    content({ contentType: ContentType.VIDEO, media: { mime: 'video/mp4' } }),
    BadRequestError,
  ],
  'sound without media': [content({ contentType: ContentType.SOUND }), BadRequestError],
  'sticker without media': [content({ contentType: ContentType.STICKER }), BadRequestError],
  'file without media': [content({ contentType: ContentType.FILE }), BadRequestError],
  'protocol-relative url to another host': [
    content({ contentType: ContentType.IMAGE, media: { url: '//evil.example/x.png' } }),
    BadRequestError,
  ],
  'javascript: url': [
    content({ contentType: ContentType.IMAGE, media: { url: 'javascript:alert(1)' } }),
    BadRequestError,
  ],
  'data: url': [
    content({ contentType: ContentType.FILE, media: { url: 'data:text/html,<b>x</b>' } }),
    BadRequestError,
  ],
  'ftp url': [
    content({ contentType: ContentType.VIDEO, media: { url: 'ftp://example.com/v.mp4' } }),
    BadRequestError,
  ],
  'url with a space': [
    content({ contentType: ContentType.IMAGE, media: { url: 'https://cdn.example.com/a b.png' } }),
    BadRequestError,
  ],
  'url over 2000 characters': [
    content({
      contentType: ContentType.IMAGE,
      media: { url: `https://cdn.example.com/${'a'.repeat(2000)}` },
    }),
    BadRequestError,
  ],
  'location without coordinates object': [content({ contentType: ContentType.LOCATION }), BadRequestError],
  'latitude 91': [
    content({ contentType: ContentType.LOCATION, location: { latitude: 91, longitude: 0 } }),
    BadRequestError,
  ],
  'latitude -90.0001': [
    content({ contentType: ContentType.LOCATION, location: { latitude: -90.0001, longitude: 0 } }),
    BadRequestError,
  ],
  'longitude 181': [
    content({ contentType: ContentType.LOCATION, location: { latitude: 0, longitude: 181 } }),
    BadRequestError,
  ],
  'NaN latitude': [
    content({ contentType: ContentType.LOCATION, location: { latitude: Number.NaN, longitude: 0 } }),
    BadRequestError,
  ],
  'empty face': [content({ contentType: ContentType.FACE, text: '' }), BadRequestError],
  'face over 64 characters': [
    content({ contentType: ContentType.FACE, text: `[:${'a'.repeat(70)}]` }),
    BadRequestError,
  ],
  'custom without a type': [
    content({ contentType: ContentType.CUSTOM, data: new Uint8Array([1]) }),
    BadRequestError,
  ],
  'text over maxTextLength': [content({ contentType: ContentType.TEXT, text: LONG }), TooLargeError],
  'searchable content over maxTextLength': [
    content({ contentType: ContentType.TEXT, text: 'ok', searchableContent: LONG }),
    TooLargeError,
  ],
  'content bytes over maxContentBytes': [
    content({
      contentType: ContentType.CUSTOM,
      customType: 'blob',
      data: new Uint8Array(LIMITS.maxContentBytes + 1),
    }),
    TooLargeError,
  ],
};

describe('validateContent', () => {
  it('accepts a valid example of every storable content type', () => {
    const covered = new Set<number>();
    for (const [name, input] of Object.entries(VALID)) {
      const result = validateContent(input, LIMITS);
      covered.add(input.contentType);
      assert.equal(result.content.contentType, input.contentType, name);
      assert.deepEqual(
        fromBinary(MessageContentSchema, result.bytes),
        result.content,
        `${name}: bytes encode content`,
      );
      assert.ok(!CONTROL.test(result.searchText), `${name}: searchText has no control characters`);
    }
    const serverOnly: number[] = [ContentType.SYSTEM, ContentType.RED_PACKET, ContentType.CALL];
    const storable = Object.values(ContentType).filter(
      (t) => t !== ContentType.UNKNOWN && t !== ContentType.TYPING && !serverOnly.includes(t),
    );
    assert.deepEqual(
      [...covered].sort((a, b) => a - b),
      storable.sort((a, b) => a - b),
    );
  });

  it('takes red packets and call records only from the server', () => {
    for (const contentType of [ContentType.RED_PACKET, ContentType.CALL]) {
      const input = content({ contentType, text: '[Red packet] hi' });
      assert.throws(() => validateContent(input, LIMITS), BadRequestError);
      assert.equal(validateContent(input, LIMITS, true).searchText, '[Red packet] hi');
    }
  });

  it('keeps text with emoji and CJK exactly', () => {
    const text = '你好，世界 👋🏽 こんにちは 안녕 👨‍👩‍👧';
    const result = validateContent(content({ contentType: ContentType.TEXT, text }), LIMITS);
    assert.equal(result.content.text, text);
    assert.equal(fromBinary(MessageContentSchema, result.bytes).text, text);
    assert.equal(result.searchText, text);
  });

  for (const [name, [input, errorClass]] of Object.entries(INVALID)) {
    it(`rejects ${name} with ${errorClass.name}`, () => {
      assert.throws(() => validateContent(input, LIMITS), errorClass);
    });
  }

  it('applies the limits it is given', () => {
    const limits: ContentLimits = { maxTextLength: 5, maxContentBytes: 64 };
    assert.doesNotThrow(() =>
      validateContent(content({ contentType: ContentType.TEXT, text: '12345' }), limits),
    );
    assert.throws(
      () => validateContent(content({ contentType: ContentType.TEXT, text: '123456' }), limits),
      TooLargeError,
    );
    const exact = DEFAULT_CONTENT_LIMITS.maxTextLength;
    assert.doesNotThrow(() =>
      validateContent(content({ contentType: ContentType.TEXT, text: 'y'.repeat(exact) }), LIMITS),
    );
    // Short text, but a large encoded content (a long file name) trips the byte limit.
    assert.throws(
      () =>
        validateContent(
          content({
            contentType: ContentType.FILE,
            media: { url: 'https://x.example/f', name: 'n'.repeat(100) },
          }),
          limits,
        ),
      TooLargeError,
    );
  });

  it('clears localMediaPath and leaves the input untouched', () => {
    const input = content({
      contentType: ContentType.IMAGE,
      localMediaPath: '/home/alice/Pictures/secret.png',
      media: media('https://cdn.example.com/a.png'),
    });
    const result = validateContent(input, LIMITS);
    assert.equal(result.content.localMediaPath, '');
    assert.equal(fromBinary(MessageContentSchema, result.bytes).localMediaPath, '');
    assert.ok(!Buffer.from(result.bytes).toString('latin1').includes('secret.png'));
    assert.equal(result.content.media?.url, 'https://cdn.example.com/a.png');
    assert.equal(input.localMediaPath, '/home/alice/Pictures/secret.png');
  });

  it('stores the client encoded bytes as they are, unless something in them must be cleared', () => {
    const input = content({ contentType: ContentType.TEXT, text: 'as sent' });
    const encoded = toBinary(MessageContentSchema, input);
    assert.equal(validateContent(input, LIMITS, false, encoded).bytes, encoded, 'no re-encoding');
    const withPath = content({
      contentType: ContentType.IMAGE,
      localMediaPath: '/home/alice/secret.png',
      media: media('https://cdn.example.com/a.png'),
    });
    const sent = toBinary(MessageContentSchema, withPath);
    const result = validateContent(withPath, LIMITS, false, sent);
    assert.notEqual(result.bytes, sent);
    assert.equal(fromBinary(MessageContentSchema, result.bytes).localMediaPath, '');
    // The size limit applies to the bytes as sent too.
    const big = content({ contentType: ContentType.TEXT, text: 'x'.repeat(5000) });
    assert.throws(
      () =>
        validateContent(
          big,
          { ...LIMITS, maxContentBytes: 1000 },
          false,
          toBinary(MessageContentSchema, big),
        ),
      TooLargeError,
    );
  });

  it('picks the search text per content type', () => {
    const search = (init: MessageInitShape<typeof MessageContentSchema>) =>
      validateContent(content(init), LIMITS).searchText;
    assert.equal(search({ contentType: ContentType.TEXT, text: 'find me' }), 'find me');
    assert.equal(
      search({ contentType: ContentType.TEXT, text: 'shown text', searchableContent: 'explicit search' }),
      'explicit search',
    );
    assert.equal(
      search({
        contentType: ContentType.FILE,
        media: { url: 'https://x.example/f', name: 'budget 2025.xlsx' },
      }),
      'budget 2025.xlsx',
    );
    assert.equal(
      search({
        contentType: ContentType.LOCATION,
        location: { latitude: 1, longitude: 2, title: 'Cafe', address: 'Main St 1' },
      }),
      'Cafe Main St 1',
    );
    assert.equal(
      search({ contentType: ContentType.LOCATION, location: { latitude: 1, longitude: 2, title: 'Cafe' } }),
      'Cafe',
    );
    assert.equal(search({ contentType: ContentType.IMAGE, media: { url: '/media/x' } }), '');
    assert.equal(search({ contentType: ContentType.FACE, text: '[:smile]' }), '');
  });

  it('strips NUL and other control characters from the search text', () => {
    const result = validateContent(
      content({ contentType: ContentType.TEXT, text: 'a\u0000b\u0007c\u007fd\ne' }),
      LIMITS,
    );
    assert.equal(result.searchText, 'a b c d\ne');
    const file = validateContent(
      content({ contentType: ContentType.FILE, media: { url: '/media/f', name: 'evil\u0000name' } }),
      LIMITS,
    );
    assert.ok(!file.searchText.includes('\u0000'));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), (text) => {
        fc.pre(text.trim() !== '');
        const r = validateContent(content({ contentType: ContentType.TEXT, text }), LIMITS);
        assert.ok(!r.searchText.includes('\u0000'));
        assert.ok(!CONTROL.test(r.searchText));
        assert.equal(r.searchText.length, text.length, 'control characters are replaced, not removed');
      }),
    );
  });

  it('never throws anything but BadRequestError or TooLargeError for arbitrary content (property)', () => {
    const arbContent = fc.record({
      contentType: fc.integer({ min: 0, max: 20 }),
      text: fc.string({ maxLength: 80 }),
      searchableContent: fc.string({ maxLength: 20 }),
      customType: fc.string({ maxLength: 10 }),
      media: fc.option(
        fc.record({
          url: fc.oneof(fc.webUrl(), fc.string({ maxLength: 30 })),
          name: fc.string({ maxLength: 20 }),
        }),
        {
          nil: undefined,
        },
      ),
      location: fc.option(
        fc.record({ latitude: fc.double(), longitude: fc.double(), title: fc.string({ maxLength: 20 }) }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(arbContent, (init) => {
        try {
          const r = validateContent(content(init), { maxTextLength: 60, maxContentBytes: 200 });
          assert.ok(r.bytes.length <= 200);
          assert.ok(
            ![ContentType.UNKNOWN, ContentType.TYPING, ContentType.SYSTEM].includes(
              r.content.contentType as 0,
            ),
          );
        } catch (err) {
          assert.ok(err instanceof BadRequestError || err instanceof TooLargeError, String(err));
        }
      }),
    );
  });
});
