import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createCipheriv, createHash, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { Encryption, Flow, makeFlags, parseFlags } from '../flags.js';
import { FrameDecoder, HEADER_LENGTH, readHeader, type Frame } from '../frame.js';
import {
  Direction,
  NonceGuard,
  NonceSequence,
  directionOf,
  headerBytes,
  makeNonce,
  makeSalt,
  splitNonce,
  withEncryption,
} from './frame-layout.js';
import { derToPem, fromBase64, pemToDer, toBase64, toHex } from './pem.js';
import { WebSessionCipher, importServerPublicKey, sealRsaLogin } from './web-session-cipher.js';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const SALT = Uint8Array.from([0x81, 0x02, 0x03, 0x04]);

function decodeOne(bytes: Uint8Array): Frame {
  const decoder = new FrameDecoder();
  decoder.push(bytes);
  const r = decoder.next();
  if (r.kind !== 'frame') throw new Error(`expected a frame, got ${r.kind}`);
  return r.frame;
}

const request = (seq: number, body: Uint8Array, command = 4) => ({
  seq,
  command,
  flag: makeFlags(Flow.REQUEST),
  status: 0,
  body,
});

describe('frame layout', () => {
  it('makes salts with the direction bit and nonces of salt ‖ 8-byte big-endian counter', () => {
    const client = makeSalt(Uint8Array.from([0xff, 1, 2, 3]), Direction.CLIENT_TO_SERVER);
    const server = makeSalt(Uint8Array.from([0x7f, 1, 2, 3]), Direction.SERVER_TO_CLIENT);
    assert.deepEqual([...client], [0x7f, 1, 2, 3]);
    assert.deepEqual([...server], [0xff, 1, 2, 3]);
    assert.equal(directionOf(client), Direction.CLIENT_TO_SERVER);
    assert.equal(directionOf(server), Direction.SERVER_TO_CLIENT);
    const nonce = makeNonce(client, 0x0102030405060708n);
    assert.equal(toHex(nonce), '7f0102030102030405060708');
    assert.deepEqual(splitNonce(nonce), { salt: nonce.subarray(0, 4), counter: 0x0102030405060708n });
    assert.throws(() => makeNonce(client, -1n), RangeError);
    assert.throws(() => makeNonce(client, 1n << 64n), RangeError);
  });

  it('replaces only the encryption bits of a flag', () => {
    const flag = makeFlags(Flow.RESPONSE, 1, Encryption.END_TO_END);
    assert.equal(withEncryption(flag, Encryption.AES), makeFlags(Flow.RESPONSE, 1, Encryption.AES));
    assert.equal(withEncryption(flag, Encryption.NONE), makeFlags(Flow.RESPONSE, 1));
  });

  it('guards a direction: its bit, one salt, a counter that increases, moved only on accept', () => {
    const guard = new NonceGuard(Direction.CLIENT_TO_SERVER);
    const salt = makeSalt(Uint8Array.from([1, 2, 3, 4]), Direction.CLIENT_TO_SERVER);
    assert.throws(
      () => guard.check(makeNonce(makeSalt(salt, Direction.SERVER_TO_CLIENT), 0n)),
      /other direction/,
    );
    const first = guard.check(makeNonce(salt, 5n));
    // Not accepted yet (as when the tag failed): the same counter is still fine.
    guard.accept(guard.check(makeNonce(salt, 5n)));
    assert.equal(first.counter, 5n);
    assert.throws(() => guard.check(makeNonce(salt, 5n)), /does not increase/);
    assert.throws(() => guard.check(makeNonce(salt, 4n)), /does not increase/);
    assert.throws(() => guard.check(makeNonce(Uint8Array.from([1, 2, 3, 5]), 9n)), /salt changed/);
    guard.accept(guard.check(makeNonce(salt, 9n)));
    const pinned = NonceGuard.pinned(Direction.CLIENT_TO_SERVER, makeNonce(salt, 0n));
    assert.throws(() => pinned.check(makeNonce(salt, 0n)), ProtocolError);
    assert.equal(pinned.check(makeNonce(salt, 1n)).counter, 1n);
  });

  it('hands out each counter once', () => {
    const seq = new NonceSequence(SALT, (1n << 64n) - 2n);
    assert.equal(splitNonce(seq.take()).counter, (1n << 64n) - 2n);
    assert.equal(splitNonce(seq.take()).counter, (1n << 64n) - 1n);
    assert.throws(() => seq.take(), /exhausted/);
  });

  it('converts PEM, base64 and hex', () => {
    const der = Uint8Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff);
    const pem = derToPem(der, 'PUBLIC KEY');
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/);
    assert.deepEqual(pemToDer(pem, 'PUBLIC KEY'), der);
    assert.throws(() => pemToDer(pem, 'PRIVATE KEY'), /not a PEM PRIVATE KEY/);
    assert.equal(toBase64(der), Buffer.from(der).toString('base64'));
    assert.deepEqual(fromBase64(toBase64(der)), der);
    assert.throws(() => fromBase64('*not base64*'), /not valid base64/);
  });
});

describe('AES frames (WebCrypto)', () => {
  it('seals byte for byte as the layout says (checked against node:crypto)', async () => {
    const cipher = new WebSessionCipher(KEY, Direction.SERVER_TO_CLIENT, SALT, 7n);
    const body = new TextEncoder().encode('hello, parley');
    const frame = { seq: 0x01020304, command: 8, flag: makeFlags(Flow.NOTIFY, 1), status: 0, body };
    const sealed = await cipher.seal(frame);

    const length = body.length + 12 + 16;
    const header = Buffer.from([
      0,
      0,
      0,
      length,
      1,
      1,
      2,
      3,
      4,
      8,
      makeFlags(Flow.NOTIFY, 1, Encryption.AES),
      0,
    ]);
    const nonce = Buffer.from([0x81, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 7]);
    const node = createCipheriv('aes-256-gcm', KEY, nonce);
    node.setAAD(header);
    const expected = Buffer.concat([header, nonce, node.update(body), node.final(), node.getAuthTag()]);
    assert.equal(toHex(sealed), expected.toString('hex'));
    // A fixed vector (key 00..1f, salt 81020304, counter 7), so no change of layout passes unnoticed.
    assert.equal(
      toHex(sealed),
      '000000290101020304081600' +
        '810203040000000000000007' +
        'afe2b36e1520612f9174ebbd81' +
        'dd71656741c067062ec253fe056d2510',
    );
    assert.equal(sealed.length, HEADER_LENGTH + length);
    // The next frame takes the next counter.
    const second = await cipher.seal(frame);
    assert.equal(toHex(second.subarray(12, 24)), '810203040000000000000008');
  });

  it('round-trips both ways and hands back the plain flag', async () => {
    const client = new WebSessionCipher(KEY, Direction.CLIENT_TO_SERVER, SALT);
    const server = new WebSessionCipher(KEY, Direction.SERVER_TO_CLIENT, SALT);
    for (const size of [0, 1, 15, 16, 17, 1000, 70_000]) {
      const body = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 0xff);
      const up = await server.open(decodeOne(await client.seal(request(size + 1, body))));
      assert.deepEqual(up.body, body);
      assert.equal(up.seq, size + 1);
      assert.equal(parseFlags(up.flag).encryption, Encryption.NONE);
      const down = await client.open(
        decodeOne(await server.seal({ ...request(size + 1, body), flag: makeFlags(Flow.RESPONSE) })),
      );
      assert.deepEqual(down.body, body);
      assert.equal(parseFlags(down.flag).flow, Flow.RESPONSE);
    }
  });

  it('refuses a frame with any byte changed (header or body), and stays usable after it', async () => {
    const client = new WebSessionCipher(KEY, Direction.CLIENT_TO_SERVER, SALT);
    const server = new WebSessionCipher(KEY, Direction.SERVER_TO_CLIENT, SALT);
    const sealed = await client.seal(request(9, new TextEncoder().encode('transfer 10 to bob')));
    let refused = 0;
    for (let at = 0; at < sealed.length; at++) {
      // The length field frames the stream; changing it is a framing matter, not this one's.
      if (at < 4) continue;
      const tampered = Uint8Array.from(sealed);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      // Read without the decoder's checks, so even a changed version byte reaches the cipher.
      const h = readHeader(tampered);
      const frame = { ...h, body: tampered.subarray(HEADER_LENGTH) };
      await assert.rejects(server.open(frame), ProtocolError, `byte ${String(at)}`);
      refused += 1;
    }
    assert.equal(refused, sealed.length - 4);
    // None of the refusals moved the counter: the genuine frame still opens.
    assert.equal(new TextDecoder().decode((await server.open(decodeOne(sealed))).body), 'transfer 10 to bob');
  });

  it('refuses a replayed, a reordered and a reflected frame, and one under another key', async () => {
    const client = new WebSessionCipher(KEY, Direction.CLIENT_TO_SERVER, SALT);
    const server = new WebSessionCipher(KEY, Direction.SERVER_TO_CLIENT, SALT);
    const first = decodeOne(await client.seal(request(1, Uint8Array.of(1))));
    const second = decodeOne(await client.seal(request(2, Uint8Array.of(2))));
    await server.open(second);
    await assert.rejects(server.open(first), /does not increase/);
    await assert.rejects(server.open(second), /does not increase/);
    // The server's own frame sent back to it.
    const reflected = decodeOne(await server.seal(request(3, Uint8Array.of(3))));
    await assert.rejects(server.open(reflected), /other direction/);
    const stranger = new WebSessionCipher(new Uint8Array(32).fill(9), Direction.CLIENT_TO_SERVER, SALT, 10n);
    await assert.rejects(
      server.open(decodeOne(await stranger.seal(request(4, Uint8Array.of(4))))),
      /failed authentication/,
    );
    await assert.rejects(server.open({ ...second, body: second.body.subarray(0, 27) }), /too short/);
  });
});

describe('RSA LOGIN (WebCrypto)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('imports the published key with its fingerprint, and refuses small or non-RSA keys', async () => {
    const key = await importServerPublicKey(pem);
    assert.equal(key.modulusBytes, 256);
    assert.equal(
      key.fingerprint,
      createHash('sha256')
        .update(publicKey.export({ type: 'spki', format: 'der' }))
        .digest('hex'),
    );
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    await assert.rejects(importServerPublicKey(small.toString()), /fewer than 2048/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    await assert.rejects(importServerPublicKey(ec.toString()), /not an RSA key/);
    await assert.rejects(importServerPublicKey('hello'), /not a PEM/);
  });

  it('wraps key ‖ nonce with RSA-OAEP-SHA256, then the body under AES-GCM with the header as AAD', async () => {
    const key = await importServerPublicKey(pem);
    const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => 0xa0 + i);
    const body = new TextEncoder().encode('login request bytes');
    const { bytes, cipher } = await sealRsaLogin(key, { ...request(77, body), command: 1 }, random);
    const frame = decodeOne(bytes);
    assert.equal(parseFlags(frame.flag).encryption, Encryption.RSA);
    assert.equal(frame.body.length, 256 + body.length + 16);
    const secret = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      frame.body.subarray(0, 256),
    );
    assert.equal(secret.length, 44);
    assert.equal(secret.subarray(0, 32).toString('hex'), toHex(random(32)));
    // The nonce: the client salt (direction bit cleared) and counter 0.
    assert.equal(secret.subarray(32).toString('hex'), '20a1a2a3' + '0000000000000000');
    const node = createCipheriv('aes-256-gcm', secret.subarray(0, 32), secret.subarray(32));
    node.setAAD(headerBytes({ ...frame, length: frame.body.length }));
    const expected = Buffer.concat([node.update(body), node.final(), node.getAuthTag()]);
    assert.equal(Buffer.from(frame.body.subarray(256)).toString('hex'), expected.toString('hex'));
    // The client goes on with the same key and salt, counter 1.
    const next = decodeOne(await cipher.seal(request(78, Uint8Array.of(1))));
    assert.equal(toHex(next.body.subarray(0, 12)), '20a1a2a3' + '0000000000000001');
  });
});
