import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary, toBinary, create } from '@bufbuild/protobuf';
import { ContentType, E2eEnvelopeSchema } from '@parley/protocol';
import { E2eError, openContent, sealContent, type E2eRecipientKey } from './e2e-envelope.js';
import {
  exportE2eKeyPair,
  fingerprintOf,
  generateE2eKeyPair,
  importE2eKeyPair,
  importE2ePublicKey,
  keyIdOf,
  type E2eKeyPair,
} from './e2e-keys.js';

const ALICE = 11n;
const BOB = 22n;
const CAROL = 33n;
const SECRET = 'meet me at the usual place';

const recipient = (userId: bigint, keys: E2eKeyPair): E2eRecipientKey => ({
  userId,
  publicKey: keys.publicKey,
  keyId: keys.keyId,
});

async function open(ciphertext: Uint8Array, userId: bigint, keys: E2eKeyPair, sender: E2eKeyPair) {
  return openContent(ciphertext, {
    userId,
    keys,
    senderKey: (keyId) => {
      assert.deepEqual(keyId, sender.keyId, 'asks for the key the envelope names');
      return Promise.resolve(sender.publicKey);
    },
  });
}

describe('end-to-end envelope', () => {
  it('opens for each recipient (the peer and the sender itself), and holds no plaintext', async () => {
    const [alice, bob] = [await generateE2eKeyPair(), await generateE2eKeyPair()];
    const sealed = await sealContent({ contentType: ContentType.TEXT, text: SECRET }, alice, [
      recipient(BOB, bob),
      recipient(ALICE, alice),
    ]);
    assert.ok(!Buffer.from(sealed).includes(Buffer.from(SECRET)));
    const envelope = fromBinary(E2eEnvelopeSchema, sealed);
    assert.equal(envelope.version, 1);
    assert.equal(envelope.ephemeralKey.length, 65);
    assert.deepEqual(
      envelope.recipients.map((r) => [r.userId, r.wrappedKey.length, r.nonce.length]),
      [
        [BOB, 48, 12],
        [ALICE, 48, 12],
      ],
    );
    for (const [id, keys] of [
      [BOB, bob],
      [ALICE, alice],
    ] as const) {
      const content = await open(sealed, id, keys, alice);
      assert.equal(content.contentType, ContentType.TEXT);
      assert.equal(content.text, SECRET);
    }
  });

  it('refuses a stranger, a rotated key, a changed byte, and a sender key that is not the real one', async () => {
    const [alice, bob, carol, mallory] = await Promise.all([1, 2, 3, 4].map(() => generateE2eKeyPair()));
    assert.ok(alice && bob && carol && mallory);
    const sealed = await sealContent({ contentType: ContentType.TEXT, text: SECRET }, alice, [
      recipient(BOB, bob),
    ]);
    await assert.rejects(open(sealed, CAROL, carol, alice), /not encrypted for this user/);
    await assert.rejects(open(sealed, BOB, carol, alice), /another key of this user/);
    // Another user's key passed off as alice's: the static ECDH half does not match.
    await assert.rejects(
      openContent(sealed, { userId: BOB, keys: bob, senderKey: () => Promise.resolve(mallory.publicKey) }),
      /does not authenticate/,
    );
    const envelope = fromBinary(E2eEnvelopeSchema, sealed);
    for (const field of ['ciphertext', 'nonce', 'ephemeralKey'] as const) {
      const changed = create(E2eEnvelopeSchema, { ...envelope, [field]: Uint8Array.from(envelope[field]) });
      const bytes = changed[field];
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      await assert.rejects(open(toBinary(E2eEnvelopeSchema, changed), BOB, bob, alice), E2eError, field);
    }
    await assert.rejects(open(Uint8Array.of(0xff, 0xff), BOB, bob, alice), /not an end-to-end envelope/);
    await assert.rejects(
      open(
        toBinary(E2eEnvelopeSchema, create(E2eEnvelopeSchema, { ...envelope, version: 2 })),
        BOB,
        bob,
        alice,
      ),
      /version 2/,
    );
  });

  it('exports and imports a key pair (what an app moves between its devices)', async () => {
    const alice = await generateE2eKeyPair();
    const bob = await generateE2eKeyPair();
    const moved = await importE2eKeyPair(await exportE2eKeyPair(bob));
    assert.deepEqual(moved.keyId, bob.keyId);
    assert.deepEqual(moved.keyId, await keyIdOf(bob.publicKey));
    assert.match(await fingerprintOf(bob.publicKey), /^[0-9a-f]{64}$/);
    const sealed = await sealContent({ contentType: ContentType.TEXT, text: 'hi' }, alice, [
      recipient(BOB, bob),
    ]);
    assert.equal((await open(sealed, BOB, moved, alice)).text, 'hi');
    await assert.rejects(importE2ePublicKey(new Uint8Array(65)), /P-256/);
    await assert.rejects(
      sealContent({ contentType: ContentType.TEXT, text: 'x' }, alice, []),
      /needs a recipient/,
    );
  });
});
