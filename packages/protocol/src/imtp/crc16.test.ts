import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc16CcittFalse, imtpChecksum } from './crc16.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('CRC-16/CCITT-FALSE', () => {
  it('matches the catalogue check value', () => {
    assert.equal(crc16CcittFalse(ascii('123456789')), 0x29b1);
  });

  it('matches other known vectors', () => {
    assert.equal(crc16CcittFalse(new Uint8Array(0)), 0xffff);
    assert.equal(crc16CcittFalse(ascii('A')), 0xb915);
    assert.equal(crc16CcittFalse(new Uint8Array([0x00])), 0xe1f0);
  });

  it('agrees with a bit-at-a-time reference on random input', () => {
    for (let n = 0; n < 200; n++) {
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = (i * 131 + n * 7) & 0xff;
      assert.equal(crc16CcittFalse(bytes), crcBitwise(bytes));
    }
  });

  it('checks an empty body as 0', () => {
    assert.equal(imtpChecksum(new Uint8Array(0)), 0);
    assert.equal(imtpChecksum(ascii('123456789')), 0x29b1);
  });
});

function crcBitwise(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
