import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword, type PasswordCost } from './password.js';

const LOW: PasswordCost = { log2N: 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', LOW);
    assert.match(stored, /^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
    assert.equal(await verifyPassword('correct horse battery ', stored), false);
    assert.equal(await verifyPassword('', stored), false);
    assert.ok(!stored.includes('correct horse battery'), 'the password is not stored in the clear');
  });

  it('handles unicode passwords (NFKC-normalised, so equivalent spellings match)', async () => {
    const stored = await hashPassword('pässwörd-密码-🔑', LOW);
    assert.equal(await verifyPassword('pässwörd-密码-🔑', stored), true);
    // The same text with combining diaeresis instead of precomposed characters.
    assert.equal(await verifyPassword('pa\u0308sswo\u0308rd-密码-🔑', stored), true);
    assert.equal(await verifyPassword('passwörd-密码-🔑', stored), false);
  });

  it('uses a fresh salt for every hash', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same-password', LOW),
      hashPassword('same-password', LOW),
    ]);
    assert.notEqual(a, b);
    assert.notEqual(a.split('$')[4], b.split('$')[4], 'salts differ');
    assert.notEqual(a.split('$')[5], b.split('$')[5], 'hashes differ');
    assert.equal(await verifyPassword('same-password', a), true);
    assert.equal(await verifyPassword('same-password', b), true);
  });

  it('records the cost so a hash made at one cost verifies later', async () => {
    const stored = await hashPassword('cost-check', { log2N: 11, r: 4, p: 2 });
    assert.deepEqual(stored.split('$').slice(0, 4), ['scrypt', '11', '4', '2']);
    assert.equal(await verifyPassword('cost-check', stored), true);
  });

  it('returns false, never throws, for malformed stored strings', async () => {
    const good = await hashPassword('pw-123456', LOW);
    const [, , , , salt = '', hash = ''] = good.split('$');
    const malformed = [
      '',
      'scrypt',
      '$$$$$',
      'not a hash at all',
      `bcrypt$10$8$1$${salt}$${hash}`,
      `scrypt$10$8$1$${salt}`,
      `scrypt$10$8$1$${salt}$${hash}$extra`,
      `scrypt$$8$1$${salt}$${hash}`,
      `scrypt$abc$8$1$${salt}$${hash}`,
      `scrypt$0$8$1$${salt}$${hash}`,
      `scrypt$-10$8$1$${salt}$${hash}`,
      `scrypt$10.5$8$1$${salt}$${hash}`,
      `scrypt$21$8$1$${salt}$${hash}`,
      `scrypt$99999$8$1$${salt}$${hash}`,
      `scrypt$10$0$1$${salt}$${hash}`,
      `scrypt$10$8$0$${salt}$${hash}`,
      `scrypt$10$8$-1$${salt}$${hash}`,
      `scrypt$10$8$99999$${salt}$${hash}`,
      `scrypt$10$1073741824$1$${salt}$${hash}`,
      `scrypt$10$8$9007199254740992$${salt}$${hash}`,
      `scrypt$10$8$1$$${hash}`,
      `scrypt$10$8$1$${salt}$`,
      `scrypt$10$8$1$${salt}$${hash.slice(0, 10)}`,
      `scrypt$10$8$1$${salt}$***not base64***`,
      `scrypt$10$8$1$${salt}$${hash.startsWith('A') ? 'B' : 'A'}${hash.slice(1)}`,
      `scrypt$10$8$1$${salt.split('').reverse().join('')}$${hash}`,
      `SCRYPT$10$8$1$${salt}$${hash}`,
    ];
    for (const stored of malformed) {
      assert.equal(await verifyPassword('pw-123456', stored), false, `stored ${JSON.stringify(stored)}`);
    }
    // The intact hash still verifies (so the cases above fail for their defect, not by accident).
    assert.equal(await verifyPassword('pw-123456', good), true);
  });
});
