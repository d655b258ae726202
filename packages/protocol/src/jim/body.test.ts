import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadRequestError } from '../errors.js';
import {
  encodeJimAuth,
  encodeJimAuthOk,
  encodeJimBody,
  encodeJimStatus,
  parseJimAuth,
  parseJimAuthOk,
  parseJimBody,
  parseJimMessage,
  parseJimStatus,
  type JimBody,
} from './body.js';
import { JimFileFormat, JimImageFormat, JimVideoFormat, jimFormatMime, jimMimeFormat } from './formats.js';

const enc = new TextEncoder();
const AVATAR = 'https://www.baidu.com/img/flexible/logo/pc/result.png';
const env = { senderId: '1', senderName: '用户1', senderAvatar: AVATAR, receiverId: '2' };

/** One body of every type, as the seed shows them. */
const samples: JimBody[] = [
  { type: 'text', data: { ...env, content: 'hello client 2 — 你好 👋🏽' } },
  { type: 'text', data: { ...env, content: 'refused', code: 4 } },
  {
    type: 'location',
    data: {
      ...env,
      coverImage: AVATAR,
      lat: 116.5319,
      lng: 40.016465,
      mapLink: 'https://j.map.baidu.com/8f/Q44c',
      desc: '深圳湾公园',
    },
  },
  { type: 'face', data: { ...env, symbol: '[:smile]' } },
  { type: 'sound', data: { ...env, url: 'https://example.com/a.mp3', size: 10240, seconds: 3600 } },
  {
    type: 'image',
    data: { ...env, format: 2, size: 10240, width: 500, height: 700, iconUrl: AVATAR, bigUrl: AVATAR },
  },
  {
    type: 'file',
    data: {
      ...env,
      size: 10240,
      name: 'a.docx',
      format: 1,
      thumbUrl: 'https://example.com/a.png',
      url: 'https://example/a.docx',
    },
  },
  {
    type: 'video',
    data: {
      ...env,
      size: 10240,
      seconds: 3600,
      url: 'https://example/a.mp4',
      format: 1,
      thumbUrl: 'https://example.com/a.png',
      thumbSize: 1024,
      thumbWidth: 500,
      thumbHeight: 700,
      thumbFormat: 2,
    },
  },
  { type: 'ack', data: { receiverId: '2', requestId: 1233, messageId: '7311234567890123456' } },
];

/** The seed's own JSON lines, verbatim (image keys with trailing spaces, ack ids as numbers). */
const seedLines: Record<string, string> = {
  text: `{"type":"text","data":{"sender_id":"1","sender_name":"用户1","sender_avatar":"${AVATAR}","receiver_id":"2","content":"hello client 2"}}`,
  location: `{"type":"location","data":{"sender_id":"1","sender_name":"用户1","sender_avatar":"${AVATAR}","receiver_id":"2","cover_image":"${AVATAR}","lat":116.5319,"lng":40.016465,"map_link":"https://j.map.baidu.com/8f/Q44c","desc":"深圳湾公园"}}`,
  face: `{"type":"face","data":{"sender_id":"1","sender_name":"用户1","sender_avatar":"${AVATAR}","receiver_id":"2","symbol":"[:smile]"}}`,
  sound: `{"type":"sound","data":{"sender_id":"1","sender_name":"用户1","sender_avatar":"${AVATAR}","receiver_id":"2","url":"https://example.com/a.mp3","size":10240,"seconds":3600}}  `,
  image: `{"type":"image","data":{"sender_id":"1","sender_name":"用户1","sender_avatar":"${AVATAR}","receiver_id":"2","format":2,"size ":10240,"width ":500,"height ":700,"icon_url ":"https: //www.baidu.com/img/flexible/logo/pc/result.png","big_url ":"https: //www.baidu.com/img/flexible/logo/pc/result.png"}}`,
  file: `{"type":"file","data":{"sender_id":"1","sender_name":"用户1","sender_avatar":"${AVATAR}","receiver_id":"2","size":10240,"name":"a.docx","format":1,"thumb_url":"https://example.com/a.png","url":"https://example/a.docx"}}`,
  video: `{"type":"video","data":{"sender_id":"1","sender_name":"用户1","sender_avatar":"${AVATAR}","receiver_id":"2","size":10240,"seconds":3600,"url":"https://example/a.mp4","format":1,"thumb_url":"https://example.com/a.png","thumb_size":1024,"thumb_width":500,"thumb_height":700,"thumb_format":2}}`,
  ack: `{"type":"ack","data":{"receiver_id":"2","request_id":1233,"message_id":89797}}`,
};

void describe('Jim bodies', () => {
  void it('round-trip every body type', () => {
    for (const body of samples) {
      assert.deepEqual(parseJimBody(encodeJimBody(body)), body, body.type);
    }
  });

  void it('parse every seed line verbatim', () => {
    for (const [type, line] of Object.entries(seedLines)) {
      const body = parseJimBody(enc.encode(line));
      assert.equal(body.type, type);
      if (body.type !== 'ack') assert.equal(body.data.senderName, '用户1');
    }
  });

  void it('read the seed image keys that end in a space', () => {
    const body = parseJimBody(enc.encode(seedLines['image'] ?? ''));
    assert.equal(body.type, 'image');
    assert.deepEqual(body.data, {
      ...env,
      format: 2,
      size: 10240,
      width: 500,
      height: 700,
      iconUrl: 'https: //www.baidu.com/img/flexible/logo/pc/result.png',
      bigUrl: 'https: //www.baidu.com/img/flexible/logo/pc/result.png',
    });
  });

  void it('write image keys in both spellings, and prefer the clean one on input', () => {
    const image = samples.find((b) => b.type === 'image');
    assert.ok(image !== undefined);
    const json = JSON.parse(new TextDecoder().decode(encodeJimBody(image))) as {
      data: Record<string, unknown>;
    };
    for (const key of ['size', 'width', 'height', 'icon_url', 'big_url']) {
      assert.deepEqual(json.data[key], json.data[`${key} `], key);
    }
    const both = parseJimBody(
      enc.encode('{"type":"image","data":{"big_url":"https://a/clean","big_url ":"https://a/spaced"}}'),
    );
    assert.equal(both.type === 'image' && both.data.bigUrl, 'https://a/clean');
  });

  void it('read the ack of the seed (numeric message id) and write ids as decimal strings', () => {
    const ack = parseJimBody(enc.encode(seedLines['ack'] ?? ''));
    assert.deepEqual(ack, { type: 'ack', data: { receiverId: '2', requestId: 1233, messageId: '89797' } });
    const text = new TextDecoder().decode(encodeJimBody(ack));
    assert.match(text, /"message_id":"89797"/);
  });

  void it('parseJimMessage refuses an ack from a client', () => {
    assert.throws(() => parseJimMessage(enc.encode(seedLines['ack'] ?? '')), BadRequestError);
    assert.equal(parseJimMessage(enc.encode(seedLines['text'] ?? '')).type, 'text');
  });

  void it('refuse malformed bodies with BadRequestError', () => {
    const bad = [
      new Uint8Array([0xff, 0xfe]),
      enc.encode('{'),
      enc.encode('[]'),
      enc.encode('null'),
      enc.encode('{"type":"text"}'),
      enc.encode('{"type":"text","data":[]}'),
      enc.encode('{"type":"text","data":{}}'),
      enc.encode('{"type":"text","data":{"content":5}}'),
      enc.encode('{"type":"nope","data":{}}'),
      enc.encode('{"type":"image","data":{"big_url":"x","size":-1}}'),
      enc.encode('{"type":"image","data":{"big_url":"x","width":1.5}}'),
      enc.encode('{"type":"location","data":{"lat":"1","lng":2}}'),
      enc.encode('{"type":"sound","data":{"url":"x","seconds":-3}}'),
      enc.encode('{"type":"text","data":{"content":"x","sender_id":{}}}'),
      enc.encode('{"type":"ack","data":{"request_id":4294967296}}'),
    ];
    for (const bytes of bad) {
      assert.throws(() => parseJimBody(bytes), BadRequestError, Buffer.from(bytes).toString());
    }
  });

  void it('round-trip auth, auth-ok and status bodies', () => {
    const auth = { clientId: 'phone-1', token: 'abc' };
    assert.deepEqual(parseJimAuth(encodeJimAuth(auth)), auth);
    const ok = { userId: '7311234567890123456', username: 'alice' };
    assert.deepEqual(parseJimAuthOk(encodeJimAuthOk(ok)), ok);
    const status = { code: 3, message: 'unknown token — 未知' };
    assert.deepEqual(parseJimStatus(encodeJimStatus(status)), status);
    assert.throws(() => parseJimAuth(enc.encode('{"client_id":"x"}')), BadRequestError);
    assert.throws(
      () => parseJimAuth(enc.encode(`{"client_id":"${'x'.repeat(49)}","token":"t"}`)),
      BadRequestError,
    );
    assert.throws(() => parseJimAuth(enc.encode('{"client_id":"a b","token":"t"}')), BadRequestError);
  });

  void it('map format numbers to MIME types and back', () => {
    assert.equal(jimFormatMime(JimImageFormat, 2), 'image/png');
    assert.equal(jimFormatMime(JimImageFormat, 9), '');
    assert.equal(jimFormatMime(JimImageFormat, -1), '');
    assert.equal(jimMimeFormat(JimFileFormat, 'application/vnd.ms-excel'), 3);
    assert.equal(jimMimeFormat(JimVideoFormat, 'VIDEO/MP4'), 0);
    assert.equal(jimMimeFormat(JimVideoFormat, 'video/webm'), -1);
  });
});

void describe('Jim bodies: fuzz', () => {
  function onlyBadRequest(bytes: Uint8Array): void {
    try {
      const body = parseJimBody(bytes);
      // Whatever parses re-encodes and parses to the same value.
      assert.deepEqual(parseJimBody(encodeJimBody(body)), body);
    } catch (err) {
      assert.ok(err instanceof BadRequestError, String(err));
    }
    for (const parse of [parseJimAuth, parseJimAuthOk, parseJimStatus]) {
      try {
        parse(bytes);
      } catch (err) {
        assert.ok(err instanceof BadRequestError, String(err));
      }
    }
  }

  void it('random bytes and random JSON only ever fail with BadRequestError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyBadRequest(bytes);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        onlyBadRequest(enc.encode(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  void it('mutated seed lines only ever fail with BadRequestError', () => {
    const lines = Object.values(seedLines).map((l) => enc.encode(l));
    fc.assert(
      fc.property(
        fc.constantFrom(...lines),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (line, edits) => {
          const out = Uint8Array.from(line);
          for (const e of edits) out[e.at % out.length] = e.byte;
          onlyBadRequest(out);
        },
      ),
      { numRuns: 500 },
    );
  });

  void it('random typed data objects round-trip', () => {
    const data = fc.record({
      type: fc.constantFrom('text', 'face', 'sound', 'image', 'file', 'video', 'location'),
      data: fc.dictionary(
        fc.constantFrom(
          'content',
          'symbol',
          'url',
          'big_url ',
          'size ',
          'size',
          'seconds',
          'lat',
          'lng',
          'format',
          'sender_id',
        ),
        fc.oneof(fc.string(), fc.integer({ min: -5, max: 100000 }), fc.double(), fc.constant(null)),
      ),
    });
    fc.assert(
      fc.property(data, (value) => {
        onlyBadRequest(enc.encode(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });
});
