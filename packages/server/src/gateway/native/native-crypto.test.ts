import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Direction,
  Encryption,
  Flow,
  FrameDecoder,
  NonceGuard,
  ProtocolError,
  Status,
  WebSessionCipher,
  encodeFrame,
  importServerPublicKey,
  makeFlags,
  makeNonce,
  makeSalt,
  parseFlags,
  sealRsaLogin,
  toHex,
  type Frame,
} from '@parley/protocol';
import { ConfigError } from '../../config.js';
import { NativeSessionCipher, openRsaLogin } from './native-crypto.js';
import { GENERATED_KEY_FILE, ServerKeyring, serverKeyOf } from './server-keyring.js';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const CLIENT_SALT = makeSalt(Uint8Array.from([9, 8, 7, 6]), Direction.CLIENT_TO_SERVER);
const SERVER_SALT = Uint8Array.from([1, 2, 3, 4]);

function decodeOne(bytes: Uint8Array): Frame {
  const decoder = new FrameDecoder();
  decoder.push(bytes);
  const r = decoder.next();
  if (r.kind !== 'frame') throw new Error(`expected a frame, got ${r.kind}`);
  return r.frame;
}

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

function serverCipher(firstCounter = 0n): NativeSessionCipher {
  return new NativeSessionCipher(
    KEY,
    NonceGuard.pinned(Direction.CLIENT_TO_SERVER, makeNonce(CLIENT_SALT, 0n)),
    SERVER_SALT,
    firstCounter,
  );
}

describe('native-crypto (node:crypto) against the WebCrypto side', () => {
  it('seals the same bytes as WebSessionCipher for the same key, salt and counter', async () => {
    const web = new WebSessionCipher(KEY, Direction.SERVER_TO_CLIENT, SERVER_SALT, 3n);
    const native = serverCipher(3n);
    for (const body of [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(5000).fill(7)]) {
      const frame = { seq: 42, command: 5, flag: makeFlags(Flow.RESPONSE, 1), status: 0, body };
      const fromNative = native.seal(encodeFrame(frame));
      assert.equal(toHex(fromNative), toHex(await web.seal(frame)));
      assert.equal(parseFlags(decodeOne(fromNative).flag).encryption, Encryption.AES);
    }
  });

  it('opens what the SDK seals and the SDK opens what it seals; the END_TO_END bits become AES', async () => {
    const client = new WebSessionCipher(KEY, Direction.CLIENT_TO_SERVER, CLIENT_SALT, 1n);
    const native = serverCipher();
    const up = native.open(
      decodeOne(
        await client.seal({
          seq: 7,
          command: 4,
          flag: makeFlags(Flow.REQUEST),
          status: 0,
          body: Uint8Array.of(5, 6),
        }),
      ),
    );
    assert.deepEqual([...up.body], [5, 6]);
    assert.equal(up.seq, 7);
    const push = encodeFrame({
      seq: 0,
      command: 8,
      flag: makeFlags(Flow.NOTIFY, 0, Encryption.END_TO_END),
      status: 0,
      body: Uint8Array.of(9),
    });
    const down = await client.open(decodeOne(native.seal(push)));
    assert.deepEqual([...down.body], [9]);
    assert.equal(down.flag, makeFlags(Flow.NOTIFY));
  });

  it('refuses tampering, replays and counters that go back; a refusal moves nothing', async () => {
    const client = new WebSessionCipher(KEY, Direction.CLIENT_TO_SERVER, CLIENT_SALT, 1n);
    const native = serverCipher();
    const sealed = await client.seal({
      seq: 1,
      command: 4,
      flag: makeFlags(Flow.REQUEST),
      status: 0,
      body: Uint8Array.of(1, 2, 3),
    });
    for (const at of [
      9 /* command */,
      5 /* seq */,
      11 /* status */,
      12 /* nonce */,
      24 /* ciphertext */,
      sealed.length - 1 /* tag */,
    ]) {
      const tampered = Uint8Array.from(sealed);
      tampered[at] = (tampered[at] ?? 0) ^ 0x80;
      assert.throws(() => native.open(decodeOne(tampered)), ProtocolError, `byte ${String(at)}`);
    }
    const frame = decodeOne(sealed);
    native.open(frame);
    assert.throws(() => native.open(frame), /does not increase/);
    // The RSA block's nonce was counter 0: a frame reusing it is a replay too.
    const zero = new WebSessionCipher(KEY, Direction.CLIENT_TO_SERVER, CLIENT_SALT, 0n);
    const reused = decodeOne(
      await zero.seal({ seq: 1, command: 3, flag: 0, status: 0, body: new Uint8Array(0) }),
    );
    assert.throws(() => serverCipher().open(reused), /does not increase/);
  });

  it('opens an RSA LOGIN sealed by the SDK, and refuses it under another key or tampered', async () => {
    const key = serverKeyOf(pem);
    const published = await importServerPublicKey(key.publicKeyPem);
    assert.equal(published.fingerprint, key.fingerprint);
    const login = {
      seq: 1,
      command: 1,
      flag: makeFlags(Flow.REQUEST),
      status: 0,
      body: new TextEncoder().encode('credentials'),
    };
    const { bytes, cipher: client } = await sealRsaLogin(published, login);
    const { frame, cipher } = openRsaLogin(key, decodeOne(bytes));
    assert.equal(new TextDecoder().decode(frame.body), 'credentials');
    assert.equal(parseFlags(frame.flag).encryption, Encryption.NONE);
    // Both sides now share the session: the answer opens on the client, the client's next frame on the server.
    const answer = await client.open(
      decodeOne(
        cipher.seal(encodeFrame({ ...login, flag: makeFlags(Flow.RESPONSE), body: Uint8Array.of(1) })),
      ),
    );
    assert.deepEqual([...answer.body], [1]);
    assert.deepEqual(
      [...cipher.open(decodeOne(await client.seal({ ...login, seq: 2, body: Uint8Array.of(2) }))).body],
      [2],
    );

    const other = serverKeyOf(
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    );
    assert.throws(() => openRsaLogin(other, decodeOne(bytes)), /does not decrypt with this server key/);
    for (const at of [9, 20, bytes.length - 1]) {
      const tampered = Uint8Array.from(bytes);
      tampered[at] = (tampered[at] ?? 0) ^ 1;
      assert.throws(() => openRsaLogin(key, decodeOne(tampered)), ProtocolError, `byte ${String(at)}`);
    }
    assert.throws(
      () => openRsaLogin(key, { ...decodeOne(bytes), body: bytes.subarray(12, 200) }),
      /shorter than the RSA block/,
    );
  });
});

describe('ServerKeyring', () => {
  it('generates <dataDir>/server-rsa.pem (0600) on first use and reuses it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-keys-'));
    try {
      const first = await ServerKeyring.open({ rsaKeyPath: undefined, dataDir, shared: false }).get();
      const file = join(dataDir, GENERATED_KEY_FILE);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(first.modulusBytes, 256);
      const again = await ServerKeyring.open({ rsaKeyPath: undefined, dataDir, shared: false }).get();
      assert.equal(again.fingerprint, first.fingerprint);
      assert.match(readFileSync(file, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reads PARLEY_RSA_KEY at once and refuses a missing, non-RSA or small key by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-keys-'));
    try {
      const path = join(dir, 'rsa.pem');
      writeFileSync(path, pem);
      const keyring = ServerKeyring.open({ rsaKeyPath: path, dataDir: dir, shared: true });
      assert.equal(keyring.enabled, true);
      assert.equal((await keyring.get()).fingerprint, serverKeyOf(pem).fingerprint);
      const bad = (content: string | undefined, pattern: RegExp) => {
        const p = join(dir, 'bad.pem');
        rmSync(p, { force: true });
        if (content !== undefined) writeFileSync(p, content);
        assert.throws(
          () => ServerKeyring.open({ rsaKeyPath: p, dataDir: dir, shared: false }),
          (err: unknown) => {
            assert.ok(err instanceof ConfigError);
            assert.match(err.message, /^PARLEY_RSA_KEY: /);
            assert.match(err.message, pattern);
            return true;
          },
        );
      };
      bad(undefined, /cannot read/);
      bad('not a key', /not a PEM private key/);
      bad(
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
        /RSA key is needed/,
      );
      bad(
        generateKeyPairSync('rsa', { modulusLength: 1024 })
          .privateKey.export({ type: 'pkcs1', format: 'pem' })
          .toString(),
        /1024 bits/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is off with a shared database and no PARLEY_RSA_KEY (nodes would not agree on a key)', async () => {
    const keyring = ServerKeyring.open({ rsaKeyPath: undefined, dataDir: '/nonexistent', shared: true });
    assert.equal(keyring.enabled, false);
    await assert.rejects(keyring.get(), (err: unknown) => {
      assert.equal((err as { status?: number }).status, Status.UNSUPPORTED);
      assert.match(String(err), /PARLEY_RSA_KEY/);
      return true;
    });
  });
});
