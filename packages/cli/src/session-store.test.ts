import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDir } from './config-dir.js';
import { FileStorage } from './file-storage.js';
import { SessionStore, type SavedSession } from './session-store.js';

const root = mkdtempSync(join(tmpdir(), 'parley-cli-store-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const session: SavedSession = {
  server: '127.0.0.1:7070',
  http: 'http://127.0.0.1:8080',
  userId: '385879027144986624',
  username: 'alice',
  token: 'pc-token',
  botToken: 'bot-token',
  deviceId: 'cli-0123456789abcdef',
};

describe('config directory', () => {
  it('follows PARLEY_CONFIG_DIR, then the platform convention', () => {
    assert.equal(configDir({ PARLEY_CONFIG_DIR: '/x/y' }, 'linux', '/home/a'), '/x/y');
    assert.equal(configDir({}, 'linux', '/home/a'), '/home/a/.config/parley');
    assert.equal(configDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/a'), '/cfg/parley');
    // A relative XDG_CONFIG_HOME is invalid by the spec and ignored.
    assert.equal(configDir({ XDG_CONFIG_HOME: 'cfg' }, 'linux', '/home/a'), '/home/a/.config/parley');
    assert.equal(configDir({}, 'darwin', '/Users/a'), '/Users/a/.config/parley');
    assert.match(
      configDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a'),
      /AppData.Roaming.parley$/,
    );
  });
});

describe('session store', () => {
  it('saves the session readable only by its owner and loads it back', async () => {
    const store = new SessionStore(join(root, 'a', 'nested'));
    assert.equal(await store.load(), undefined);
    await store.save(session);
    assert.deepEqual(await store.load(), session);
    if (process.platform !== 'win32') {
      assert.equal(statSync(store.sessionPath).mode & 0o777, 0o600);
      assert.equal(statSync(store.dir).mode & 0o777, 0o700);
    }
    await store.save({ ...session, token: 'second' });
    assert.equal((await store.load())?.token, 'second');
    await store.clear();
    assert.equal(await store.load(), undefined);
  });

  it('treats a broken or foreign file as no session', async () => {
    const store = new SessionStore(join(root, 'broken'));
    await store.save(session);
    for (const text of [
      '{',
      '[]',
      '{"version":1}',
      JSON.stringify({ ...session, version: 99 }),
      JSON.stringify({ ...session, version: 1, token: 5 }),
    ]) {
      writeFileSync(store.sessionPath, text);
      assert.equal(await store.load(), undefined, text);
    }
  });
});

describe('file storage for the SDK', () => {
  it('keeps cursors, outbox and session across instances', async () => {
    const path = join(root, 'state', 'chat-state.json');
    const a = new FileStorage(path);
    await a.saveSession({ userId: '1', token: 't', deviceId: 'd' });
    await a.saveCursor('0:2', 41n);
    await a.saveCursor('0:2', 42n);
    await a.putOutbox({ order: 2, clientMsgId: 'm2', body: new Uint8Array([2, 0, 255]) });
    await a.putOutbox({ order: 1, clientMsgId: 'm1', body: new Uint8Array([1]) });
    await a.putOutbox({ order: 3, clientMsgId: 'm3', body: new Uint8Array([3]) });
    await a.deleteOutbox('m3');
    await a.flush();
    if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);

    const b = new FileStorage(path);
    assert.deepEqual(await b.loadSession(), { userId: '1', token: 't', deviceId: 'd' });
    assert.deepEqual(await b.loadCursors(), new Map([['0:2', 42n]]));
    const outbox = await b.loadOutbox();
    assert.deepEqual(
      outbox.map((r) => [r.clientMsgId, r.order, [...r.body]]),
      [
        ['m1', 1, [1]],
        ['m2', 2, [2, 0, 255]],
      ],
    );
    await b.clear();
    await b.flush();
    const c = new FileStorage(path);
    assert.equal(await c.loadSession(), undefined);
    assert.equal((await c.loadCursors()).size, 0);
  });

  it('starts empty from a missing or corrupt file', async () => {
    const path = join(root, 'corrupt.json');
    writeFileSync(path, 'not json');
    const s = new FileStorage(path);
    assert.equal(await s.loadSession(), undefined);
    assert.equal((await s.loadOutbox()).length, 0);
    assert.equal((await new FileStorage(join(root, 'missing.json')).loadCursors()).size, 0);
  });
});
