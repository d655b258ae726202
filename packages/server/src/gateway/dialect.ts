/** The wire dialects one listener can speak (DESIGN §5). */
export const Dialect = { NATIVE: 'native', IMTP: 'imtp', JIM: 'jim', IMP: 'imp' } as const;
export type Dialect = (typeof Dialect)[keyof typeof Dialect];

export type Detection = Dialect | 'need-more' | 'unknown';

const JIM_MAGIC = [0x6a, 0x69, 0x6d, 0x31]; // "jim1"
const IMTP_MAGIC = 0xdf;

function isTextByte(b: number): boolean {
  return (b >= 0x20 && b <= 0x7e) || b === 0x0d || b === 0x0a || b === 0x09;
}

/**
 * Which dialect a TCP connection speaks, from its first bytes: 0x00 native (a length under
 * 16 MiB), 0xDF IMTP, exactly `jim1` Jim, any other printable ASCII IMP (so a lower-case IMP
 * `join` is still IMP). Waits while the bytes could still become `jim1`.
 */
export function detectDialect(prefix: Uint8Array): Detection {
  const first = prefix[0];
  if (first === undefined) return 'need-more';
  if (first === 0x00) return Dialect.NATIVE;
  if (first === IMTP_MAGIC) return Dialect.IMTP;
  if (!isTextByte(first)) return 'unknown';
  let matchesJim = true;
  for (let i = 0; i < Math.min(prefix.length, JIM_MAGIC.length); i++) {
    if (prefix[i] !== JIM_MAGIC[i]) {
      matchesJim = false;
      break;
    }
  }
  if (matchesJim) return prefix.length >= JIM_MAGIC.length ? Dialect.JIM : 'need-more';
  return Dialect.IMP;
}
