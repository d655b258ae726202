/**
 * The header's flag byte (DESIGN §4):
 *   bits 7-6 reserved (non-zero: the server closes the connection)
 *   bits 5-4 compression, bits 3-2 encryption, bits 1-0 flow.
 */
export const Compression = { NONE: 0, GZIP: 1 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

export const Encryption = { NONE: 0, AES: 1, RSA: 2, END_TO_END: 3 } as const;
export type Encryption = (typeof Encryption)[keyof typeof Encryption];

export const Flow = { REQUEST: 0, RESPONSE: 1, NOTIFY: 2 } as const;
export type Flow = (typeof Flow)[keyof typeof Flow];

export interface Flags {
  readonly compression: number;
  readonly encryption: number;
  readonly flow: number;
}

export const RESERVED_MASK = 0b1100_0000;

export function reservedBits(flag: number): number {
  return (flag & RESERVED_MASK) >>> 6;
}

export function parseFlags(flag: number): Flags {
  return {
    compression: (flag >>> 4) & 0b11,
    encryption: (flag >>> 2) & 0b11,
    flow: flag & 0b11,
  };
}

export function makeFlags(flow: Flow, compression: Compression = 0, encryption: Encryption = 0): number {
  return ((compression & 0b11) << 4) | ((encryption & 0b11) << 2) | (flow & 0b11);
}
