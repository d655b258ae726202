import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Status } from '../status.js';
import {
  ImpDecoder,
  encodeImpChannels,
  encodeImpErr,
  encodeImpMsg,
  encodeImpOk,
  encodeImpPong,
  encodeImpUsers,
  parseCommand,
  type ImpDecodeResult,
  type ImpRequest,
} from './index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Everything the decoder yields for `input`, fed in chunks of `chunk` bytes (0 = all at once). */
function decodeAll(
  input: Uint8Array | string,
  chunk = 0,
  decoder = new ImpDecoder(),
): { requests: ImpRequest[]; fault: ImpDecodeResult | undefined } {
  const bytes = typeof input === 'string' ? enc.encode(input) : input;
  const requests: ImpRequest[] = [];
  let fault: ImpDecodeResult | undefined;
  const step = chunk === 0 ? Math.max(bytes.length, 1) : chunk;
  for (let i = 0; i < bytes.length || (i === 0 && bytes.length === 0); i += step) {
    decoder.push(bytes.subarray(i, i + step));
    for (;;) {
      const r = decoder.next();
      if (r.kind === 'need-more') break;
      if (r.kind === 'fault') {
        fault = r;
        return { requests, fault };
      }
      requests.push(r.request);
    }
  }
  return { requests, fault };
}

function one(line: string): ImpRequest {
  const { requests, fault } = decodeAll(line);
  assert.equal(fault, undefined);
  assert.equal(requests.length, 1, `one request from ${JSON.stringify(line)}`);
  const [r] = requests;
  assert.ok(r !== undefined);
  return r;
}

function msgText(r: ImpRequest): string {
  if (r.cmd !== 'MSG') assert.fail(`expected MSG, got ${r.cmd}`);
  return dec.decode(r.payload);
}

describe('IMP decoder: commands', () => {
  it('parses REG with and without a password, @ optional', () => {
    assert.deepEqual(one('REG @alice secret-pw\r\n'), { cmd: 'REG', handle: 'alice', password: 'secret-pw' });
    assert.deepEqual(one('REG bob\n'), { cmd: 'REG', handle: 'bob', password: undefined });
    assert.deepEqual(one('reg @E pass word  \n'), { cmd: 'REG', handle: 'E', password: 'pass word' });
    assert.equal(one('REG\n').cmd, 'INVALID');
    assert.equal(one('REG @\n').cmd, 'INVALID');
  });

  it('parses CHNS, JOIN, LEAVE, USERS with optional #, any case', () => {
    assert.deepEqual(one('CHNS\r\n'), { cmd: 'CHNS' });
    assert.deepEqual(one('chns\n'), { cmd: 'CHNS' });
    assert.deepEqual(one('JOIN #general\r\n'), { cmd: 'JOIN', channel: 'general' });
    assert.deepEqual(one('join general\n'), { cmd: 'JOIN', channel: 'general' });
    assert.deepEqual(one('LeAvE #general\n'), { cmd: 'LEAVE', channel: 'general' });
    assert.deepEqual(one('users #x\n'), { cmd: 'USERS', channel: 'x' });
    assert.equal(one('JOIN\n').cmd, 'INVALID');
    assert.equal(one('JOIN #a #b\n').cmd, 'INVALID');
    assert.equal(one('JOIN #\n').cmd, 'INVALID');
    assert.equal(one('CHNS extra\n').cmd, 'INVALID');
  });

  it('parses PING (with a token) and QUIT', () => {
    assert.deepEqual(one('PING\n'), { cmd: 'PING', token: '' });
    assert.deepEqual(one('ping 42\r\n'), { cmd: 'PING', token: '42' });
    assert.deepEqual(one('quit\n'), { cmd: 'QUIT' });
    assert.equal(one('QUIT now\n').cmd, 'INVALID');
  });

  it('reports unknown commands and garbage per line, then goes on', () => {
    const { requests, fault } = decodeAll('HELLO\r\n\x01\x02\n  \n\r\nCHNS\n');
    assert.equal(fault, undefined);
    assert.equal(requests.length, 3);
    assert.deepEqual(requests[0], { cmd: 'INVALID', reason: 'unknown command HELLO' });
    assert.equal(requests[1]?.cmd, 'INVALID');
    assert.deepEqual(requests[2], { cmd: 'CHNS' });
  });

  it('parseCommand is usable on its own', () => {
    assert.equal(parseCommand('   '), undefined);
    assert.deepEqual(parseCommand('Join #Room'), { cmd: 'JOIN', channel: 'Room' });
  });
});

describe('IMP decoder: MSG payloads', () => {
  it('reads exactly <length> bytes to a channel and to a user', () => {
    const r = one('MSG CHN #general 15\r\nHello everyone!');
    assert.deepEqual(
      { ...r, payload: undefined },
      { cmd: 'MSG', target: 'CHN', id: 'general', payload: undefined },
    );
    assert.equal(msgText(r), 'Hello everyone!');
    const u = one('msg user @jane 4\r\nHey!');
    assert.equal(u.cmd === 'MSG' ? u.target + ' ' + u.id : '', 'USER jane');
    assert.equal(msgText(u), 'Hey!');
  });

  it('follows the length, not the seed example: 16 bytes of "Hello everyone!" take the next byte', () => {
    const { requests } = decodeAll('MSG CHN general 16\r\nHello everyone!\nCHNS\n');
    assert.equal(msgText(requests[0] ?? { cmd: 'QUIT' }), 'Hello everyone!\n');
    assert.deepEqual(requests[1], { cmd: 'CHNS' });
  });

  it('counts multi-byte UTF-8 and keeps embedded CRLF and command-like text in the payload', () => {
    const text = 'héllo 你好 🎉\r\nJOIN #evil\r\n';
    const bytes = enc.encode(text);
    const input = `MSG USER bob ${bytes.length}\r\n${text}PING\n`;
    for (const chunk of [0, 1, 2, 3, 7]) {
      const { requests, fault } = decodeAll(input, chunk);
      assert.equal(fault, undefined);
      assert.equal(requests.length, 2, `chunk ${chunk}`);
      assert.equal(msgText(requests[0] ?? { cmd: 'QUIT' }), text);
      assert.deepEqual(requests[1], { cmd: 'PING', token: '' });
    }
  });

  it('accepts an empty payload and a trailing newline after the payload', () => {
    const { requests } = decodeAll('MSG CHN a 0\r\nMSG CHN a 2\r\nhi\r\n');
    assert.equal(requests.length, 2);
    assert.equal(msgText(requests[0] ?? { cmd: 'QUIT' }), '');
    assert.equal(msgText(requests[1] ?? { cmd: 'QUIT' }), 'hi');
  });

  it('consumes the payload of a MSG with a bad target, then refuses it', () => {
    const { requests } = decodeAll('MSG FOO x 9\r\nJOIN #bad\nCHNS\n');
    assert.deepEqual(requests, [
      { cmd: 'INVALID', reason: 'MSG target must be CHN or USER' },
      { cmd: 'CHNS' },
    ]);
  });

  it('refuses a MSG header without a readable length as a per-line error', () => {
    const { requests, fault } = decodeAll('MSG CHN x ten\nMSG CHN x\nMSG\nCHNS\n');
    assert.equal(fault, undefined);
    assert.deepEqual(
      requests.map((r) => r.cmd),
      ['INVALID', 'INVALID', 'INVALID', 'CHNS'],
    );
  });

  it('faults on a payload over the bound, before buffering it', () => {
    const d = new ImpDecoder({ maxPayloadLength: 100 });
    const { fault } = decodeAll('MSG CHN x 101\r\n', 0, d);
    assert.ok(fault?.kind === 'fault');
    assert.equal(fault.error.status, Status.TOO_LARGE);
    assert.equal(d.buffered, 0);
    // It stays faulted.
    d.push(enc.encode('CHNS\n'));
    assert.equal(d.next().kind, 'fault');
  });
});

describe('IMP decoder: bounds', () => {
  it('faults on a line over the bound, complete or not, byte at a time too', () => {
    const long = 'x'.repeat(65);
    for (const input of [`${long}\n`, long + long]) {
      for (const chunk of [0, 1]) {
        const { fault } = decodeAll(input, chunk, new ImpDecoder({ maxLineLength: 64 }));
        assert.ok(fault?.kind === 'fault', `${input.length} by ${chunk}`);
        assert.equal(fault.error.status, Status.PROTOCOL_ERROR);
      }
    }
    // Exactly the bound, with a CRLF, is fine.
    const { requests, fault } = decodeAll(
      `PING ${'y'.repeat(59)}\r\n`,
      1,
      new ImpDecoder({ maxLineLength: 64 }),
    );
    assert.equal(fault, undefined);
    assert.equal(requests.length, 1);
  });

  it('rejects silly bounds', () => {
    assert.throws(() => new ImpDecoder({ maxLineLength: 0 }), RangeError);
    assert.throws(() => new ImpDecoder({ maxPayloadLength: 1.5 }), RangeError);
  });

  it('byte-at-a-time equals all-at-once for a whole session', () => {
    const script =
      'REG @alice pw123456\r\njoin #general\r\nCHNS\nUSERS #general\r\n' +
      `MSG CHN #general ${enc.encode('ça va? 👍').length}\r\nça va? 👍\r\nLEAVE general\nQUIT\n`;
    const whole = decodeAll(script);
    const bytewise = decodeAll(script, 1);
    assert.equal(whole.requests.length, 7);
    assert.deepEqual(bytewise, whole);
  });

  it('never throws on random input and never buffers past its bounds', () => {
    const maxLineLength = 64;
    const maxPayloadLength = 128;
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc
        .constantFrom('MSG CHN a 5\r\n', 'msg user b 3\n', 'JOIN #x\r\n', '\r\n', 'MSG CHN a 999\n', 'ping\n')
        .map((s) => enc.encode(s)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 50 }), (pieces, chunk) => {
        const d = new ImpDecoder({ maxLineLength, maxPayloadLength });
        const total = pieces.reduce((n, p) => n + p.length, 0);
        const all = new Uint8Array(total);
        let at = 0;
        for (const p of pieces) {
          all.set(p, at);
          at += p.length;
        }
        for (let i = 0; i < all.length; i += chunk) {
          d.push(all.subarray(i, i + chunk));
          for (;;) {
            const r = d.next();
            if (r.kind !== 'request') break;
            if (r.request.cmd === 'MSG') assert.ok(r.request.payload.length <= maxPayloadLength);
          }
          // What stays buffered is less than one line or one payload, plus the chunk just pushed.
          assert.ok(d.buffered <= Math.max(maxLineLength + 1, maxPayloadLength) + chunk);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('IMP encoders', () => {
  const text = (b: Uint8Array) => dec.decode(b);

  it('writes OK, ERR, PONG', () => {
    assert.equal(text(encodeImpOk()), 'OK\r\n');
    assert.equal(text(encodeImpErr('register first')), 'ERR register first\r\n');
    assert.equal(text(encodeImpErr('two\r\nlines')), 'ERR two  lines\r\n');
    assert.equal(text(encodeImpErr('')), 'ERR\r\n');
    assert.equal(text(encodeImpPong()), 'PONG\r\n');
    assert.equal(text(encodeImpPong('7')), 'PONG 7\r\n');
  });

  it('writes list replies on one line with prefixes', () => {
    assert.equal(text(encodeImpChannels(['a', '#b'])), 'CHNS #a #b\r\n');
    assert.equal(text(encodeImpChannels([])), 'CHNS\r\n');
    assert.equal(text(encodeImpUsers('general', ['x', '@y'])), 'USERS #general @x @y\r\n');
  });

  it('writes MSG with the payload length in bytes, and round-trips through the decoder', () => {
    const body = 'naïve 😀\r\nline two';
    const chn = encodeImpMsg({ target: 'CHN', channel: 'general', sender: 'alice', text: body });
    const n = enc.encode(body).length;
    assert.equal(text(chn), `MSG CHN #general @alice ${n}\r\n${body}`);
    const usr = encodeImpMsg({ target: 'USER', sender: 'bob', text: body });
    assert.equal(text(usr), `MSG USER @bob ${n}\r\n${body}`);
    // A client's MSG has the same shape with the id in place of the sender.
    const { requests } = decodeAll(`MSG USER @bob ${n}\r\n${body}`, 1);
    assert.equal(msgText(requests[0] ?? { cmd: 'QUIT' }), body);
  });
});
