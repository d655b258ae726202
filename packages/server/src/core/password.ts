import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Memory-hard password hashing with scrypt (node:crypto, no native dependency). Stored as
 * `scrypt$<log2N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can rise later without breaking
 * old hashes.
 */
export interface PasswordCost {
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_PASSWORD_COST: PasswordCost = { log2N: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: PasswordCost): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** cost.log2N,
    r: cost.r,
    p: cost.p,
    maxmem: 256 * 2 ** cost.log2N * cost.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

export async function hashPassword(
  password: string,
  cost: PasswordCost = DEFAULT_PASSWORD_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.log2N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const cost = { log2N: Number(n), r: Number(r), p: Number(p) };
  // A stored string is data too: bound its cost so a corrupt row cannot ask for gigabytes.
  const positive = [cost.log2N, cost.r, cost.p].every((v) => Number.isInteger(v) && v > 0);
  if (!positive || cost.log2N > 20 || cost.r > 32 || cost.p > 16) return false;
  const expected = Buffer.from(hash ?? '', 'base64');
  let key: Buffer;
  try {
    key = await derive(password, Buffer.from(salt ?? '', 'base64'), cost);
  } catch {
    return false;
  }
  return expected.length === key.length && timingSafeEqual(expected, key);
}
