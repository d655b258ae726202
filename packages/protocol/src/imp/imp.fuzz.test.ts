import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError, TooLargeError } from '../errors.js';
import { byteAtATime, chunked, concat, drive, mutate, type Mutation } from '../fuzz-support.js';
import { ImpDecoder, type ImpDecodeResult, type ImpRequest } from './decoder.js';

/**
 * Fuzzing IMP: the line decoder on random bytes and on mutated valid command streams (MSG
 * lengths set huge), whole and byte-at-a-time. It yields requests (bad lines are INVALID
 * requests, answered ERR) or one typed fault (an over-long line or payload), holds at most one
 * line or one payload, and decodes identically however the input is chunked.
 */

fc.configureGlobal({ baseSize: 'large' });

const enc = new TextEncoder();
const MAX_LINE = 200;
const MAX_PAYLOAD = 300;
const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), {
  maxLength: 6,
});
const sizesArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });

const word = fc.stringMatching(/^[A-Za-z0-9_.-]{1,16}$/);
const password = fc.stringMatching(/^[!-~]([ !-~]{0,20}[!-~])?$/);
const eol = fc.constantFrom('\n', '\r\n');
/** A command word in any letter case. */
const cased = (name: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((up) => Array.from(name, (c, i) => (up[i] === true ? c.toUpperCase() : c.toLowerCase())).join(''));

interface Command {
  readonly bytes: Uint8Array;
  readonly request: ImpRequest;
}

/** A valid client command and the request the decoder must make of it. */
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc
    .tuple(cased('REG'), word, fc.option(password, { nil: undefined }), eol)
    .map(([c, handle, pw, e]): Command => ({
      bytes: enc.encode(`${c} @${handle}${pw === undefined ? '' : ` ${pw}`}${e}`),
      request: { cmd: 'REG', handle, password: pw },
    })),
  fc
    .tuple(fc.constantFrom('JOIN', 'LEAVE', 'USERS'), word, fc.boolean(), eol)
    .chain(([name, channel, hash, e]) =>
      cased(name).map((c): Command => ({
        bytes: enc.encode(`${c} ${hash ? '#' : ''}${channel}${e}`),
        request: { cmd: name, channel },
      })),
    ),
  fc
    .tuple(cased('CHNS'), eol)
    .map(([c, e]): Command => ({ bytes: enc.encode(`${c}${e}`), request: { cmd: 'CHNS' } })),
  fc
    .tuple(cased('QUIT'), eol)
    .map(([c, e]): Command => ({ bytes: enc.encode(`${c}${e}`), request: { cmd: 'QUIT' } })),
  fc.tuple(cased('PING'), fc.array(word, { maxLength: 3 }), eol).map(([c, words, e]): Command => ({
    bytes: enc.encode(`${[c, ...words].join(' ')}${e}`),
    request: { cmd: 'PING', token: words.join(' ') },
  })),
  fc
    .tuple(cased('MSG'), fc.constantFrom('CHN', 'USER'), word, fc.uint8Array({ maxLength: MAX_PAYLOAD }), eol)
    .map(([c, target, id, payload, e]): Command => ({
      bytes: concat([
        enc.encode(`${c} ${target} ${target === 'CHN' ? '#' : '@'}${id} ${payload.length}${e}`),
        payload,
      ]),
      request: { cmd: 'MSG', target, id, payload },
    })),
);

/** MSG headers whose length is hostile: past the bound, past 32 bits, not a number. */
const hostileMsgArb = fc
  .tuple(
    fc.constantFrom('CHN', 'USER', 'BOGUS'),
    word,
    fc.constantFrom('301', '4294967296', '99999999999', '-1', '0x10', '1e3', '', '9'.repeat(400)),
  )
  .map(([target, id, length]) => enc.encode(`MSG ${target} ${id} ${length}\r\n`));

function plain(results: readonly ImpDecodeResult[]): unknown[] {
  return results.map((r) => {
    if (r.kind === 'request') {
      const q = r.request;
      return q.cmd === 'MSG' ? { ...q, payload: Buffer.from(q.payload).toString('hex') } : { ...q };
    }
    if (r.kind === 'fault') return { fault: r.error.name, message: r.error.message };
    return r;
  });
}

function checkStream(bytes: Uint8Array, sizes: readonly number[]): ImpDecodeResult[] {
  const make = () => new ImpDecoder({ maxLineLength: MAX_LINE, maxPayloadLength: MAX_PAYLOAD });
  const whole = drive(make(), [bytes]);
  const bytewise = drive(make(), byteAtATime(bytes));
  const chunks = drive(make(), chunked(bytes, sizes));
  assert.deepEqual(plain(bytewise.results), plain(whole.results));
  assert.deepEqual(plain(chunks.results), plain(whole.results));
  // Fed a byte at a time, it never holds more than one line (and its CR) or one payload.
  const bound = Math.max(MAX_LINE + 1, MAX_PAYLOAD);
  assert.ok(bytewise.maxBuffered <= bound, `held ${bytewise.maxBuffered} bytes, bound ${bound}`);
  for (const run of [whole, chunks]) {
    assert.ok(run.buffered <= bound, `kept ${run.buffered} bytes at the end, bound ${bound}`);
  }
  for (const r of whole.results) {
    if (r.kind === 'fault') {
      assert.ok(
        r.error instanceof ProtocolError || r.error instanceof TooLargeError,
        `typed fault, got ${r.error.name}`,
      );
    }
  }
  return whole.results;
}

describe('IMP decoder fuzz', () => {
  it('random bytes and random text: requests or a typed fault, bounded, chunking-independent', () => {
    const text = fc
      .array(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.constantFrom('\n', '\r\n', '\r', ' ', '\t', 'MSG CHN x 3\n'),
        ),
        {
          maxLength: 30,
        },
      )
      .map((parts) => enc.encode(parts.join('')));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 800 }), text), sizesArb, (bytes, sizes) => {
        checkStream(bytes, sizes);
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated valid command streams, hostile MSG lengths: requests or a typed fault, bounded', () => {
    const seen = new Map<string, number>();
    const piece = fc.oneof(
      { weight: 5, arbitrary: commandArb.map((c) => c.bytes) },
      { weight: 1, arbitrary: hostileMsgArb },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(piece, mutationsArb), { minLength: 1, maxLength: 12 }),
        sizesArb,
        (pieces, sizes) => {
          const bytes = concat(pieces.map(([p, m]) => mutate(p, m)));
          for (const r of checkStream(bytes, sizes)) {
            const key = r.kind === 'fault' ? r.error.name : r.kind === 'request' ? r.request.cmd : r.kind;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        },
      ),
      { numRuns: 1500 },
    );
    for (const key of ['MSG', 'REG', 'JOIN', 'INVALID', 'ProtocolError', 'TooLargeError']) {
      assert.ok((seen.get(key) ?? 0) > 0, `saw ${key}: ${JSON.stringify([...seen])}`);
    }
  });

  it('valid command streams decode to exactly their requests, byte at a time', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 15 }), sizesArb, (commands, sizes) => {
        const results = checkStream(concat(commands.map((c) => c.bytes)), sizes);
        assert.deepEqual(
          plain(results),
          plain(commands.map((c) => ({ kind: 'request', request: c.request }))),
        );
      }),
      { numRuns: 500 },
    );
  });
});
