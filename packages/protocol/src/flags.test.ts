import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Compression,
  Encryption,
  Flow,
  RESERVED_MASK,
  makeFlags,
  parseFlags,
  reservedBits,
  type Compression as CompressionT,
  type Encryption as EncryptionT,
  type Flow as FlowT,
} from './flags.js';

const allByte = Array.from({ length: 256 }, (_, i) => i);

void describe('flags', () => {
  void it('has the documented values', () => {
    assert.deepEqual(Compression, { NONE: 0, GZIP: 1 });
    assert.deepEqual(Encryption, { NONE: 0, AES: 1, RSA: 2, END_TO_END: 3 });
    assert.deepEqual(Flow, { REQUEST: 0, RESPONSE: 1, NOTIFY: 2 });
    assert.equal(RESERVED_MASK, 0b1100_0000);
  });

  void it('places each field in its bits', () => {
    assert.equal(makeFlags(Flow.REQUEST), 0);
    assert.equal(makeFlags(Flow.RESPONSE), 0b00_00_00_01);
    assert.equal(makeFlags(Flow.NOTIFY), 0b00_00_00_10);
    assert.equal(makeFlags(Flow.REQUEST, Compression.GZIP), 0b00_01_00_00);
    assert.equal(makeFlags(Flow.REQUEST, Compression.NONE, Encryption.AES), 0b00_00_01_00);
    assert.equal(makeFlags(Flow.REQUEST, Compression.NONE, Encryption.RSA), 0b00_00_10_00);
    assert.equal(makeFlags(Flow.REQUEST, Compression.NONE, Encryption.END_TO_END), 0b00_00_11_00);
    assert.equal(makeFlags(Flow.RESPONSE, Compression.GZIP, Encryption.AES), 0b00_01_01_01);
  });

  void it('round trips makeFlags -> parseFlags over every field value', () => {
    const seen = new Set<number>();
    for (let compression = 0; compression < 4; compression++) {
      for (let encryption = 0; encryption < 4; encryption++) {
        for (let flow = 0; flow < 4; flow++) {
          // The 2-bit fields hold 4 values; the tables name fewer, the codec carries all of them.
          const flag = makeFlags(flow as FlowT, compression as CompressionT, encryption as EncryptionT);
          assert.ok(flag >= 0 && flag < 0x40, 'never sets reserved bits');
          assert.equal(reservedBits(flag), 0);
          assert.deepEqual(parseFlags(flag), { compression, encryption, flow });
          seen.add(flag);
        }
      }
    }
    assert.equal(seen.size, 64, 'distinct field values give distinct flag bytes');
  });

  void it('round trips parseFlags -> makeFlags over every byte, minus the reserved bits', () => {
    for (const flag of allByte) {
      const f = parseFlags(flag);
      assert.ok(f.compression >= 0 && f.compression < 4);
      assert.ok(f.encryption >= 0 && f.encryption < 4);
      assert.ok(f.flow >= 0 && f.flow < 4);
      const rebuilt = makeFlags(f.flow as FlowT, f.compression as CompressionT, f.encryption as EncryptionT);
      assert.equal(rebuilt, flag & ~RESERVED_MASK);
      assert.equal(rebuilt | (reservedBits(flag) << 6), flag);
    }
  });

  void it('reads the reserved bits', () => {
    for (const flag of allByte) {
      assert.equal(reservedBits(flag), flag >>> 6);
      assert.equal(reservedBits(flag) !== 0, (flag & RESERVED_MASK) !== 0);
    }
    assert.equal(reservedBits(0x3f), 0);
    assert.equal(reservedBits(0x40), 1);
    assert.equal(reservedBits(0x80), 2);
    assert.equal(reservedBits(0xc0), 3);
    assert.equal(reservedBits(0xff), 3);
  });

  void it('defaults compression and encryption to none', () => {
    assert.deepEqual(parseFlags(makeFlags(Flow.NOTIFY)), {
      compression: 0,
      encryption: 0,
      flow: Flow.NOTIFY,
    });
  });
});
