import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadRequestError } from '../errors.js';
import {
  decodeImtpAuth,
  decodeImtpLogin,
  decodeImtpLoginResult,
  decodeImtpMessage,
  decodeImtpMsgRes,
  decodeImtpOfflineBody,
  encodeImtpAuth,
  encodeImtpLogin,
  encodeImtpLoginResult,
  encodeImtpMessage,
  encodeImtpMsgRes,
  encodeImtpOfflineBody,
  peekImtpAckId,
  type ImtpMessageBody,
} from './body.js';
import { isImtpMessageCommand, isImtpUnsupportedCommand, ImtpCommand } from './commands.js';
import { ImtpCallCommand, imtpCallCommand, imtpCallKind } from './calls.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('IMTP bodies', () => {
  it('round-trips login, auth and the login result', () => {
    assert.deepEqual(decodeImtpLogin(encodeImtpLogin({ username: 'ann', password: 'pw 密码' })), {
      username: 'ann',
      password: 'pw 密码',
    });
    assert.equal(decodeImtpAuth(encodeImtpAuth('tok')), 'tok');
    assert.equal(decodeImtpAuth(utf8(' bare-token ')), 'bare-token');
    const info = { id: '123', username: 'ann', displayName: 'Ann', avatarUrl: '', token: 't' };
    const body = encodeImtpLoginResult(0, info);
    assert.equal(body.at(-1), 0);
    assert.deepEqual(decodeImtpLoginResult(body), { state: 0, info });
    assert.deepEqual(decodeImtpLoginResult(encodeImtpLoginResult(3, { message: 'no' })), {
      state: 3,
      info: { message: 'no' },
    });
  });

  it('refuses malformed login bodies with BAD_REQUEST', () => {
    for (const body of ['', 'nope', '[]', '{"username":1,"password":"x"}', '{"username":"a"}']) {
      assert.throws(() => decodeImtpLogin(utf8(body)), BadRequestError, body);
    }
    assert.throws(() => decodeImtpLogin(new Uint8Array([0xff, 0xfe])), BadRequestError);
    assert.throws(() => decodeImtpAuth(utf8('  ')), BadRequestError);
    assert.throws(() => decodeImtpAuth(utf8('{"tok":1}')), BadRequestError);
  });

  it('round-trips MSG_RES', () => {
    const bytes = encodeImtpMsgRes({ state: 4, ackId: -5n });
    assert.equal(bytes.length, 9);
    assert.deepEqual(decodeImtpMsgRes(bytes), { state: 4, ackId: -5n });
    assert.throws(() => decodeImtpMsgRes(new Uint8Array(3)), BadRequestError);
  });

  it('encodes the message layout and round-trips text with non-ASCII and emoji', () => {
    const msg: ImtpMessageBody = { text: '你好 👋🏽 é', ackId: 7n, timestamp: 1_700_000_000_000n };
    const bytes = encodeImtpMessage(msg);
    const view = new DataView(bytes.buffer);
    const textLength = utf8(msg.text).length;
    assert.equal(view.getInt32(0), textLength);
    assert.equal(view.getBigInt64(4 + textLength), 7n);
    assert.equal(view.getInt32(4 + textLength + 16), 0);
    assert.deepEqual(decodeImtpMessage(bytes), msg);
    const withMeta: ImtpMessageBody = {
      ...msg,
      metadata: {
        width: 10,
        height: 20,
        mediaType: 'image/png',
        size: 3,
        name: 'a.png',
        thumbnailUrl: 'https://x/t',
      },
    };
    assert.deepEqual(decodeImtpMessage(encodeImtpMessage(withMeta)), withMeta);
  });

  it('accepts a message without the metadata block', () => {
    const full = encodeImtpMessage({ text: 'hi', ackId: 1n, timestamp: 2n });
    assert.deepEqual(decodeImtpMessage(full.subarray(0, full.length - 4)), {
      text: 'hi',
      ackId: 1n,
      timestamp: 2n,
    });
  });

  it('refuses malformed message bodies with BAD_REQUEST', () => {
    const good = encodeImtpMessage({ text: 'hi', ackId: 1n, timestamp: 2n, metadata: { width: 1 } });
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      good.subarray(0, 10),
      new Uint8Array([0xff, 0xff, 0xff, 0xff]),
      new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1]),
      new Uint8Array([...good, 1]),
    ];
    const meta = (json: string): Uint8Array => {
      const m = utf8(json);
      const base = encodeImtpMessage({ text: 'x', ackId: 1n, timestamp: 1n });
      const out = new Uint8Array(base.length + m.length);
      out.set(base);
      new DataView(out.buffer).setInt32(base.length - 4, m.length);
      out.set(m, base.length);
      return out;
    };
    bad.push(
      meta('not json'),
      meta('[1]'),
      meta('{"width":-1}'),
      meta('{"name":5}'),
      meta('{"mediaType":{}}'),
    );
    for (const body of bad) assert.throws(() => decodeImtpMessage(body), BadRequestError);
    // The ackId is still found for the error answer when only the metadata is broken.
    assert.equal(peekImtpAckId(meta('not json')), 1n);
    assert.equal(peekImtpAckId(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1])), undefined);
  });

  it('never throws anything but BAD_REQUEST on random bodies', () => {
    const decoders = [
      peekImtpAckId,
      decodeImtpMessage,
      decodeImtpLogin,
      decodeImtpAuth,
      decodeImtpLoginResult,
      decodeImtpMsgRes,
      decodeImtpOfflineBody,
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const decode of decoders) {
          try {
            decode(bytes);
          } catch (err) {
            assert.ok(err instanceof BadRequestError, String(err));
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips random message bodies', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 50, unit: 'grapheme' }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        (text, ackId, timestamp) => {
          assert.deepEqual(decodeImtpMessage(encodeImtpMessage({ text, ackId, timestamp })), {
            text,
            ackId,
            timestamp,
          });
        },
      ),
    );
  });

  it('round-trips the offline body', () => {
    const entries = [
      {
        cmd: 1,
        group: false,
        sender: 5n,
        receiver: 6n,
        body: encodeImtpMessage({ text: 'a', ackId: 1n, timestamp: 1n }),
      },
      { cmd: 4, group: true, sender: 7n, receiver: 8n, body: new Uint8Array(0) },
    ];
    const decoded = decodeImtpOfflineBody(encodeImtpOfflineBody(entries));
    assert.deepEqual(
      decoded.map((e) => ({ ...e, body: [...e.body] })),
      entries.map((e) => ({ ...e, body: [...e.body] })),
    );
    assert.deepEqual(decodeImtpOfflineBody(encodeImtpOfflineBody([])), []);
  });

  it('classifies commands', () => {
    assert.ok(isImtpMessageCommand(ImtpCommand.TEXT) && isImtpMessageCommand(ImtpCommand.FILE));
    assert.ok(!isImtpMessageCommand(ImtpCommand.MSG_RES) && !isImtpMessageCommand(0));
    assert.ok(!isImtpMessageCommand(ImtpCommand.VOICE_CALL), 'calls are signals, not messages');
    assert.ok(isImtpUnsupportedCommand(48) && isImtpUnsupportedCommand(49));
    assert.ok(!isImtpUnsupportedCommand(6) && !isImtpUnsupportedCommand(40) && !isImtpUnsupportedCommand(50));
    assert.equal(imtpCallKind(ImtpCommand.VIDEO_CALL), 'invite');
    assert.equal(imtpCallKind(ImtpCallCommand.HANGUP), 'hangup');
    assert.equal(imtpCallKind(ImtpCommand.TEXT), undefined);
    assert.equal(imtpCallCommand('invite', 'video'), ImtpCommand.VIDEO_CALL);
    assert.equal(imtpCallCommand('invite', 'voice'), ImtpCommand.VOICE_CALL);
    for (const [name, cmd] of Object.entries(ImtpCallCommand)) {
      assert.equal(imtpCallCommand(imtpCallKind(cmd) ?? '', ''), cmd, name);
    }
  });
});
