import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as errors from './errors.js';
import {
  InternalError,
  ParleyError,
  TooLargeError,
  UnsupportedVersionError,
  errorFromStatus,
  toParleyError,
} from './errors.js';
import { Status, isKnownStatus, statusName } from './status.js';
import { Command, commandName, isKnownCommand } from './commands.js';

/** `FOO_BAR` -> `FooBarError`, `PROTOCOL_ERROR` -> `ProtocolError`. */
function className(statusKey: string): string {
  const words = statusKey.toLowerCase().split('_');
  if (words[words.length - 1] !== 'error') words.push('error');
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

const statusEntries = Object.entries(Status);
const commandEntries = Object.entries(Command);

void describe('status table', () => {
  void it('has unique values that fit in the status byte', () => {
    const values = Object.values(Status);
    assert.equal(new Set(values).size, values.length);
    for (const v of values) assert.ok(Number.isInteger(v) && v >= 0 && v <= 255, String(v));
    assert.equal(Status.OK, 0);
    assert.equal(Status.INTERNAL, 255);
  });

  void it('names every status and marks other bytes unknown', () => {
    for (const [name, value] of statusEntries) {
      assert.equal(statusName(value), name);
      assert.ok(isKnownStatus(value));
    }
    const known = new Set<number>(Object.values(Status));
    for (let b = 0; b < 256; b++) {
      if (known.has(b)) continue;
      assert.equal(isKnownStatus(b), false);
      assert.equal(statusName(b), `UNKNOWN(${String(b)})`);
    }
    assert.equal(statusName(Status.TOO_LARGE), 'TOO_LARGE');
  });
});

void describe('command table', () => {
  void it('has unique values that fit in the command byte', () => {
    const values = Object.values(Command);
    assert.equal(new Set(values).size, values.length);
    for (const v of values) assert.ok(Number.isInteger(v) && v > 0 && v <= 255, String(v));
  });

  void it("keeps the seed's numbering", () => {
    assert.deepEqual(
      [
        Command.LOGIN,
        Command.LOGOUT,
        Command.PING,
        Command.MS,
        Command.MP,
        Command.MN,
        Command.MR,
        Command.MPS,
      ],
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    const seed = new Set(['LOGIN', 'LOGOUT', 'PING', 'MS', 'MP', 'MN', 'MR', 'MPS']);
    for (const [name, value] of commandEntries) {
      if (!seed.has(name)) assert.ok(value >= 9, `extension ${name} is numbered from 9`);
    }
  });

  void it('names every command and marks other bytes unknown', () => {
    for (const [name, value] of commandEntries) {
      assert.equal(commandName(value), name);
      assert.ok(isKnownCommand(value));
    }
    const known = new Set<number>(Object.values(Command));
    for (let b = 0; b < 256; b++) {
      if (known.has(b)) continue;
      assert.equal(isKnownCommand(b), false);
      assert.equal(commandName(b), `UNKNOWN(${String(b)})`);
    }
    assert.equal(commandName(Command.MPS), 'MPS');
    assert.equal(commandName(0), 'UNKNOWN(0)');
  });
});

void describe('errors', () => {
  void it('maps every non-OK status to a ParleyError with that status', () => {
    for (const [name, status] of statusEntries) {
      if (status === Status.OK) continue;
      const err = errorFromStatus(status);
      assert.ok(err instanceof ParleyError, name);
      assert.ok(err instanceof Error, name);
      assert.equal(err.status, status, name);
      assert.equal(err.name, className(name));
      assert.equal(err.message, name, 'the default message is the status name');
      // The class is exported under that name, and errorFromStatus built an instance of it.
      const cls: unknown = (errors as Record<string, unknown>)[className(name)];
      assert.equal(typeof cls, 'function', `${className(name)} is exported`);
      assert.ok(err instanceof (cls as new () => ParleyError), name);
      assert.equal((cls as { name: string }).name, className(name));
      assert.equal(new (cls as new () => ParleyError)().status, status);
    }
  });

  void it('passes the message through', () => {
    const err = errorFromStatus(Status.NOT_FOUND, 'no such conversation');
    assert.equal(err.message, 'no such conversation');
    assert.equal(err.status, Status.NOT_FOUND);
  });

  void it('maps unknown statuses (and OK) to INTERNAL', () => {
    const known = new Set<number>(Object.values(Status));
    for (const status of [
      ...Array.from({ length: 256 }, (_, i) => i).filter((b) => !known.has(b)),
      -1,
      1000,
    ]) {
      const err = errorFromStatus(status);
      assert.ok(err instanceof InternalError, String(status));
      assert.equal(err.status, Status.INTERNAL);
    }
    // OK is not an error; asking for one gives INTERNAL rather than an error that says OK.
    assert.equal(errorFromStatus(Status.OK).status, Status.INTERNAL);
  });

  void it('turns anything that is not a ParleyError into INTERNAL', () => {
    for (const thrown of [
      new Error('boom'),
      new TypeError('x is undefined'),
      new RangeError('out of range'),
      'a string',
      42,
      null,
      undefined,
      { status: Status.NOT_FOUND, message: 'looks like one' },
    ]) {
      const err = toParleyError(thrown);
      assert.ok(err instanceof InternalError);
      assert.equal(err.status, Status.INTERNAL);
      // Internal details do not leak into the message a client may see.
      assert.equal(err.message, 'internal error');
    }
  });

  void it('passes ParleyErrors through unchanged', () => {
    const a = new TooLargeError('too big');
    assert.equal(toParleyError(a), a);
    const b = new ParleyError(Status.CONFLICT, 'taken');
    assert.equal(toParleyError(b), b);
    const c = new UnsupportedVersionError();
    assert.equal(toParleyError(c), c);
    assert.equal(c.message, 'UNSUPPORTED_VERSION');
  });

  void it('keeps the classes distinct', () => {
    const tooLarge = new TooLargeError();
    assert.equal(tooLarge instanceof UnsupportedVersionError, false);
    assert.equal(tooLarge instanceof InternalError, false);
    assert.equal(tooLarge.name, 'TooLargeError');
  });
});
