import fc from 'fast-check';
import { codecFuzzContract, type CodecFuzzAdapter } from '../codec-fuzz-contract.js';
import { ProtocolError, TooLargeError } from '../errors.js';
import { concat } from '../fuzz-support.js';
import { ImpDecoder, type ImpDecodeResult, type ImpDecoderOptions, type ImpRequest } from './decoder.js';

/**
 * Fuzzing IMP: the line decoder runs the codec fuzz contract on random bytes and text, and on
 * mutated valid command streams (MSG lengths set huge). It yields requests (bad lines are INVALID
 * requests, answered ERR) or one typed fault (an over-long line or payload), and holds at most one
 * line or one payload.
 */

fc.configureGlobal({ baseSize: 'large' });

const enc = new TextEncoder();
const LIMITS: Required<ImpDecoderOptions> = { maxLineLength: 200, maxPayloadLength: 300 };

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
    .tuple(
      cased('MSG'),
      fc.constantFrom('CHN', 'USER'),
      word,
      fc.uint8Array({ maxLength: LIMITS.maxPayloadLength }),
      eol,
    )
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

/** Random bytes, or text made of lines and the odd MSG header. */
const randomArb = fc.oneof(
  fc.uint8Array({ maxLength: 800 }),
  fc
    .array(
      fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('\n', '\r\n', '\r', ' ', '\t', 'MSG CHN x 3\n')),
      { maxLength: 30 },
    )
    .map((parts) => enc.encode(parts.join(''))),
);

/** The limits are fixed: the line and payload bounds are what the fuzz must reach. */
const impAdapter: CodecFuzzAdapter<ImpDecodeResult, Required<ImpDecoderOptions>> = {
  decoder: (limits) => new ImpDecoder(limits),
  limits: fc.constant(LIMITS),
  roomyLimits: LIMITS,
  // One line and its CR, or one payload.
  bufferBound: (limits) => Math.max(limits.maxLineLength + 1, limits.maxPayloadLength),
  faultError: (r) => (r.kind === 'fault' ? r.error : undefined),
  faultClasses: [ProtocolError, TooLargeError],
  random: { label: 'random bytes and random text', input: randomArb },
  valid: commandArb.map((c) => ({ bytes: c.bytes, decoded: { kind: 'request', request: c.request } })),
  maxValidFrames: 15,
  mutable: fc.oneof(
    { weight: 5, arbitrary: commandArb.map((c) => c.bytes) },
    { weight: 1, arbitrary: hostileMsgArb },
  ),
  maxMutatedPieces: 12,
  // No binary length field: hostile lengths land on random 4-byte windows (and in hostileMsgArb).
  lengthOffsets: [],
  outcome: (r) => (r.kind === 'fault' ? r.error.name : r.kind === 'request' ? r.request.cmd : r.kind),
  outcomes: ['MSG', 'REG', 'JOIN', 'INVALID', 'ProtocolError', 'TooLargeError'],
};

codecFuzzContract('IMP decoder', impAdapter);
