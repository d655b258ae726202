import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  create,
  equals,
  fromBinary,
  toBinary,
  type DescMessage,
  type MessageShape,
} from '@bufbuild/protobuf';
import {
  ConversationSchema,
  DisconnectSchema,
  ErrorBodySchema,
  KickNoticeSchema,
  LocationInfoSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MediaInfoSchema,
  MessageContentSchema,
  MessageSchema,
  NotifySchema,
  PullRequestSchema,
  PullResponseSchema,
  RecallRequestSchema,
  SendResultSchema,
  SyncRequestSchema,
  SyncResponseSchema,
  type Message,
} from './gen/parley/v1/parley_pb.js';
import { ContentType, ConversationType, Platform } from './kinds.js';
import { Command } from './commands.js';
import { Flow, makeFlags } from './flags.js';
import { FrameDecoder, encodeFrame } from './frame.js';

const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const ABOVE_2_53 = 2n ** 53n + 1n;

function roundTrip<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): MessageShape<Desc> {
  const decoded = fromBinary(schema, toBinary(schema, message));
  assert.ok(equals(schema, decoded, message), `${schema.typeName} round trip`);
  return decoded;
}

const text = 'Hé, 你好! 👋🏽 Ünïcödé — 🇫🇷 👨‍👩‍👧‍👦 \u{10FFFF} \u0000 end';

function sampleMessage(): Message {
  return create(MessageSchema, {
    messageId: U64_MAX,
    messageContent: {
      contentType: ContentType.IMAGE,
      searchableContent: text,
      pushContent: '[图片]',
      data: new Uint8Array([0, 1, 2, 254, 255]),
      mentionedType: 1,
      mentionedTargets: ['1001', ABOVE_2_53.toString(), 'ünïcode'],
      mediaType: 3,
      msgLength: 0xffff_ffff,
      remoteMediaUrl: 'https://cdn.example/img/1.jpg',
      localMediaPath: '/sdcard/DCIM/1.jpg',
      text,
      media: {
        url: 'https://cdn.example/img/1.jpg',
        size: ABOVE_2_53,
        mime: 'image/jpeg',
        format: 2,
        width: 4032,
        height: 3024,
        durationMs: 0,
        thumbnailUrl: 'https://cdn.example/img/1.thumb.jpg',
        thumbnailSize: 12_345n,
        thumbnailWidth: 160,
        thumbnailHeight: 120,
        name: 'Пляж 🏖.jpg',
      },
      location: {
        latitude: 48.858_370_1,
        longitude: -2.294_481_3,
        title: 'Tour Eiffel',
        address: 'Champ de Mars, 5 Av. Anatole France, 75007 Paris',
        mapUrl: 'https://maps.example/?q=48.8583,2.2945',
        coverUrl: 'https://maps.example/cover.png',
      },
      customType: 'x.poll',
    },
    conversation: { type: ConversationType.GROUP, target: ABOVE_2_53.toString() },
    from: '9007199254740993',
    to: '18446744073709551615',
    seq: ABOVE_2_53,
    clientMsgId: '3f1c0b9e-2a4d-4c1e-9a7b-1d2e3f4a5b6c',
    senderId: 2n ** 63n,
    senderDevice: 'device-Ω',
    serverTime: -1n,
    flags: 3,
    senderName: 'Zoë 🦊',
  });
}

void describe('protobuf bodies', () => {
  void it('round trips a Message with every MessageContent field', () => {
    const m = sampleMessage();
    const back = roundTrip(MessageSchema, m);
    assert.equal(back.messageId, U64_MAX);
    assert.equal(typeof back.messageId, 'bigint');
    assert.equal(back.seq, ABOVE_2_53);
    assert.equal(back.senderId, 2n ** 63n);
    assert.equal(back.serverTime, -1n);
    assert.equal(back.from, '9007199254740993');
    assert.equal(back.senderName, 'Zoë 🦊');
    const content = back.messageContent;
    assert.ok(content !== undefined);
    assert.equal(content.text, text);
    assert.equal(content.media?.size, ABOVE_2_53);
    assert.equal(content.media.name, 'Пляж 🏖.jpg');
    assert.equal(content.location?.latitude, 48.858_370_1);
    assert.equal(content.location.longitude, -2.294_481_3);
    assert.deepEqual(Array.from(content.data), [0, 1, 2, 254, 255]);
    assert.deepEqual(content.mentionedTargets, ['1001', ABOVE_2_53.toString(), 'ünïcode']);
    assert.equal(back.conversation?.type, ConversationType.GROUP);
  });

  void it('round trips the content kinds one at a time', () => {
    const contents = [
      { contentType: ContentType.TEXT, text: 'plain ASCII' },
      { contentType: ContentType.TEXT, text },
      { contentType: ContentType.TEXT, text: '😀'.repeat(10_000) },
      { contentType: ContentType.FACE, text: '[:smile]' },
      {
        contentType: ContentType.SOUND,
        media: { url: 'u', durationMs: 61_000, size: 1n, mime: 'audio/amr' },
      },
      { contentType: ContentType.VIDEO, media: { url: 'v', size: U64_MAX, width: 1, height: 1 } },
      {
        contentType: ContentType.LOCATION,
        location: { latitude: -90, longitude: 180, title: '南极' },
      },
      { contentType: ContentType.LOCATION, location: {} },
      { contentType: ContentType.CUSTOM, customType: 'app.kind', data: new Uint8Array(1000).fill(9) },
      { contentType: ContentType.UNKNOWN },
    ];
    for (const content of contents) {
      const m = create(MessageSchema, {
        messageContent: content,
        conversation: { type: ConversationType.SINGLE, target: '42' },
      });
      roundTrip(MessageSchema, m);
    }
    // An empty sub-message stays present (message fields have explicit presence).
    const back = roundTrip(
      MessageContentSchema,
      create(MessageContentSchema, { location: create(LocationInfoSchema) }),
    );
    assert.ok(back.location !== undefined);
    assert.equal(back.media, undefined);
  });

  void it('encodes an empty Message as no bytes', () => {
    assert.equal(toBinary(MessageSchema, create(MessageSchema)).length, 0);
    const back = fromBinary(MessageSchema, new Uint8Array(0));
    assert.equal(back.messageId, 0n);
    assert.equal(back.messageContent, undefined);
  });

  void it('round trips the other public bodies', () => {
    const conv = { type: ConversationType.CHATROOM, target: 'room-1' };
    roundTrip(
      LoginRequestSchema,
      create(LoginRequestSchema, {
        username: 'zoë',
        password: 'p@ss wörd 🔑',
        deviceId: 'dev-1',
        platform: Platform.MOBILE,
        sessionKey: new Uint8Array(32).fill(0xab),
      }),
    );
    roundTrip(
      LoginRequestSchema,
      create(LoginRequestSchema, { token: 't'.repeat(200), platform: Platform.BOT }),
    );
    roundTrip(
      LoginResponseSchema,
      create(LoginResponseSchema, {
        userId: ABOVE_2_53,
        token: 'tok',
        serverTime: 1_717_000_000_000n,
        tokenExpiresAt: I64_MAX,
        username: 'zoë',
        displayName: 'Zoë',
      }),
    );
    roundTrip(
      SendResultSchema,
      create(SendResultSchema, {
        messageId: U64_MAX,
        seq: ABOVE_2_53,
        serverTime: I64_MIN,
        clientMsgId: 'c',
        conversation: conv,
        duplicate: true,
      }),
    );
    roundTrip(
      PullRequestSchema,
      create(PullRequestSchema, { conversation: conv, fromSeq: ABOVE_2_53, limit: 50, backward: true }),
    );
    roundTrip(
      PullResponseSchema,
      create(PullResponseSchema, {
        messages: [sampleMessage(), create(MessageSchema, { seq: 1n }), create(MessageSchema)],
        hasMore: true,
        maxSeq: U64_MAX,
      }),
    );
    roundTrip(NotifySchema, create(NotifySchema, { conversation: conv, maxSeq: ABOVE_2_53 }));
    roundTrip(RecallRequestSchema, create(RecallRequestSchema, { conversation: conv, messageId: U64_MAX }));
    roundTrip(
      SyncRequestSchema,
      create(SyncRequestSchema, { cursors: [{ conversation: conv, seq: 7n }, { seq: U64_MAX }] }),
    );
    roundTrip(
      SyncResponseSchema,
      create(SyncResponseSchema, {
        conversations: [
          {
            conversation: conv,
            maxSeq: 10n,
            readSeq: 9n,
            unread: 1n,
            joinSeq: 0n,
            lastMessage: sampleMessage(),
          },
        ],
        serverTime: 5n,
      }),
    );
    roundTrip(
      KickNoticeSchema,
      create(KickNoticeSchema, { reason: 1, byDeviceId: 'd', byPlatform: 2, text }),
    );
    roundTrip(DisconnectSchema, create(DisconnectSchema, { reason: 'shutdown', reconnectAfterMs: 5000 }));
    roundTrip(ErrorBodySchema, create(ErrorBodySchema, { message: text }));
  });

  void it('carries a body through a frame', () => {
    const m = sampleMessage();
    const bytes = encodeFrame({
      seq: 77,
      command: Command.MPS,
      flag: makeFlags(Flow.NOTIFY),
      status: 0,
      body: toBinary(MessageSchema, m),
    });
    const decoder = new FrameDecoder();
    for (let i = 0; i < bytes.length; i += 7) decoder.push(bytes.subarray(i, i + 7));
    const r = decoder.next();
    assert.equal(r.kind, 'frame');
    assert.equal(r.frame.command, Command.MPS);
    assert.ok(equals(MessageSchema, fromBinary(MessageSchema, r.frame.body), m));
  });

  void it('round trips arbitrary Messages', () => {
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, ABOVE_2_53, U64_MAX));
    const i64 = fc.bigInt({ min: I64_MIN, max: I64_MAX });
    // Any Unicode scalar value (no lone surrogates: they are not valid UTF-8), and graphemes.
    // (fc.string's 'binary' unit would do, but takes ~1 s to set up.)
    const codePoint = fc
      .integer({ min: 0, max: 0x10_ffff })
      .filter((c) => c < 0xd800 || c > 0xdfff)
      .map((c) => String.fromCodePoint(c));
    const str = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.array(codePoint, { maxLength: 40 }).map((cs) => cs.join('')),
    );
    // -0 and NaN do not survive proto3 implicit presence / equality; everything else does.
    const dbl = fc.double({ noNaN: true }).map((d) => (Object.is(d, -0) ? 0 : d));
    const media = fc.record(
      { url: str, size: u64, mime: str, width: u32, height: u32, durationMs: u32, name: str },
      { requiredKeys: [] },
    );
    const location = fc.record(
      { latitude: dbl, longitude: dbl, title: str, address: str },
      { requiredKeys: [] },
    );
    const content = fc.record(
      {
        contentType: u32,
        searchableContent: str,
        pushContent: str,
        data: fc.uint8Array({ maxLength: 64 }),
        mentionedTargets: fc.array(str, { maxLength: 4 }),
        text: str,
        media,
        location,
        customType: str,
      },
      { requiredKeys: [] },
    );
    const message = fc.record(
      {
        messageId: u64,
        messageContent: content,
        conversation: fc.record({ type: u32, target: str }),
        from: str,
        to: str,
        seq: u64,
        clientMsgId: str,
        senderId: u64,
        senderDevice: str,
        serverTime: i64,
        flags: u32,
        senderName: str,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(message, (init) => {
        roundTrip(MessageSchema, create(MessageSchema, init));
      }),
      { numRuns: 200 },
    );
  });

  void it('either decodes or throws on random bytes, for every body schema', () => {
    const schemas: DescMessage[] = [
      MessageSchema,
      MessageContentSchema,
      MediaInfoSchema,
      LocationInfoSchema,
      ConversationSchema,
      LoginRequestSchema,
      LoginResponseSchema,
      SendResultSchema,
      PullRequestSchema,
      PullResponseSchema,
      NotifySchema,
      RecallRequestSchema,
      SyncRequestSchema,
      SyncResponseSchema,
      KickNoticeSchema,
      DisconnectSchema,
      ErrorBodySchema,
    ];
    // Random bytes, and valid encodings with bytes flipped (more likely to reach deep fields).
    const valid = toBinary(MessageSchema, sampleMessage());
    const mutated = fc
      .array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })), {
        minLength: 1,
        maxLength: 5,
      })
      .map((flips) => {
        const out = Uint8Array.from(valid);
        for (const [at, mask] of flips) out[at] = (out[at] ?? 0) ^ mask;
        return out;
      });
    const input = fc.oneof(fc.uint8Array({ maxLength: 256 }), mutated);
    let decoded = 0;
    let thrown = 0;
    fc.assert(
      fc.property(fc.constantFrom(...schemas), input, (schema, bytes) => {
        try {
          const m = fromBinary(schema, bytes);
          assert.equal(m.$typeName, schema.typeName);
          // Whatever decoded re-encodes.
          toBinary(schema, m);
          decoded++;
        } catch (err) {
          assert.ok(err instanceof Error, String(err));
          thrown++;
        }
      }),
      { numRuns: 400 },
    );
    assert.equal(decoded + thrown, 400);
  });
});
