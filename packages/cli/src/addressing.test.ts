import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTarget, parseTarget } from './address.js';
import { intOption, parseCommandArgs, splitCommand } from './args.js';
import { UsageError } from './errors.js';
import {
  defaultHttpBase,
  formatServer,
  parseHttpBase,
  parseServer,
  resolveEndpoints,
} from './server-address.js';
import type { SavedSession } from './session-store.js';

describe('conversation addresses for scripts', () => {
  it('names users, groups and chatrooms', () => {
    assert.deepEqual(parseTarget('alice'), { kind: 'user', username: 'alice' });
    assert.deepEqual(parseTarget('@alice'), { kind: 'user', username: 'alice' });
    assert.deepEqual(parseTarget('user:123abc'), { kind: 'user', username: '123abc' });
    assert.deepEqual(parseTarget('uid:385879027144986624'), { kind: 'userId', userId: '385879027144986624' });
    assert.deepEqual(parseTarget('#385879187338039296'), { kind: 'group', groupId: '385879187338039296' });
    assert.deepEqual(parseTarget('group:42'), { kind: 'group', groupId: '42' });
    assert.deepEqual(parseTarget('#General'), { kind: 'room', name: 'general' });
    assert.deepEqual(parseTarget('room:2024'), { kind: 'room', name: '2024' });
  });

  it('refuses what cannot be a name, with a usage error', () => {
    for (const bad of [
      '',
      '@',
      'a',
      'has space',
      '#',
      '#-x',
      'uid:abc',
      'uid:0',
      'group:x1',
      'room:',
      '@b!',
    ]) {
      assert.throws(() => parseTarget(bad), UsageError, bad);
    }
  });

  it('formats back to an address that parses to the same target', () => {
    for (const text of ['@alice', 'uid:7', '#42', '#general', 'room:2024']) {
      assert.equal(formatTarget(parseTarget(text)), text);
    }
  });
});

describe('server addresses', () => {
  it('parses host:port, a bare host and IPv6', () => {
    assert.deepEqual(parseServer('chat.example.com:7000'), { host: 'chat.example.com', port: 7000 });
    assert.deepEqual(parseServer('10.0.0.5'), { host: '10.0.0.5', port: 7070 });
    assert.deepEqual(parseServer('[::1]:7071'), { host: '::1', port: 7071 });
    assert.equal(formatServer(parseServer('[::1]:7071')), '[::1]:7071');
    for (const bad of ['', 'host:0', 'host:70000', 'host:port', 'a b:1', 'http://x:1']) {
      assert.throws(() => parseServer(bad), UsageError, bad);
    }
  });

  it('derives and normalises the HTTP base', () => {
    assert.equal(defaultHttpBase(parseServer('chat.example.com:7000')), 'http://chat.example.com:8080');
    assert.equal(defaultHttpBase(parseServer('[::1]:7000')), 'http://[::1]:8080');
    assert.equal(parseHttpBase('127.0.0.1:9000'), 'http://127.0.0.1:9000');
    assert.equal(parseHttpBase('https://chat.example.com/'), 'https://chat.example.com');
    assert.throws(() => parseHttpBase('http://x/?q=1'), UsageError);
    assert.throws(() => parseHttpBase('http://'), UsageError);
  });

  it('picks flag, then saved session, then environment, then the default', () => {
    const saved: SavedSession = {
      server: 'saved.example:7001',
      http: 'http://saved.example:9001',
      userId: '1',
      username: 'alice',
      token: 't',
      deviceId: 'd',
    };
    const env = { PARLEY_SERVER: 'env.example:7002', PARLEY_HTTP: 'http://env.example:9002' };
    assert.equal(resolveEndpoints({}, undefined, {}).serverText, '127.0.0.1:7070');
    assert.equal(resolveEndpoints({}, undefined, {}).http, 'http://127.0.0.1:8080');
    assert.equal(resolveEndpoints({}, undefined, env).serverText, 'env.example:7002');
    assert.equal(resolveEndpoints({}, undefined, env).http, 'http://env.example:9002');
    const fromSession = resolveEndpoints({}, saved, env);
    assert.equal(fromSession.serverText, 'saved.example:7001');
    assert.equal(fromSession.http, 'http://saved.example:9001');
    assert.equal(fromSession.session, saved);
    // Another server: the saved token is not offered to it.
    const other = resolveEndpoints({ server: 'other:7003' }, saved, env);
    assert.equal(other.session, undefined);
    assert.equal(other.http, 'http://env.example:9002');
    assert.equal(resolveEndpoints({ server: 'other:7003' }, saved, {}).http, 'http://other:8080');
    assert.equal(resolveEndpoints({ http: 'h:1' }, saved, env).http, 'http://h:1');
  });
});

describe('command line', () => {
  it('finds the command after global options', () => {
    assert.deepEqual(splitCommand(['--server', 'h:1', 'send', 'bob', 'hi']), {
      command: 'send',
      rest: ['--server', 'h:1', 'bob', 'hi'],
    });
    assert.deepEqual(splitCommand(['tail', '--json']), { command: 'tail', rest: ['--json'] });
    assert.deepEqual(splitCommand(['--help']), { command: undefined, rest: ['--help'] });
    assert.deepEqual(splitCommand([]), { command: undefined, rest: [] });
  });

  it('parses strictly and turns mistakes into usage errors', () => {
    const { values, positionals } = parseCommandArgs(
      ['--json', 'x', '--server', 'h:1', '--', '--not-an-option'],
      {
        json: { type: 'boolean' },
      },
    );
    assert.equal(values.json, true);
    assert.equal(values.server, 'h:1');
    assert.deepEqual(positionals, ['x', '--not-an-option']);
    assert.throws(() => parseCommandArgs(['--nope'], {}), UsageError);
    assert.throws(() => parseCommandArgs(['--server'], {}), UsageError);
    assert.equal(intOption(undefined, 'limit', 20, 200), 20);
    assert.equal(intOption('5', 'limit', 20, 200), 5);
    for (const bad of ['0', '201', '-1', '1.5', 'ten'])
      assert.throws(() => intOption(bad, 'limit', 20, 200), UsageError);
  });
});
