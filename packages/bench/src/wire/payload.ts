/**
 * The message every system carries, the same size everywhere: `<sent at ms>|<index>|xxxx...`.
 * The send time rides in the message, so a receiver measures latency without a lookup table and
 * nothing but the bytes has to cross processes.
 */
export const DEFAULT_PAYLOAD_BYTES = 100;

export function makePayload(sentAt: number, index: number, size: number): string {
  const head = `${sentAt.toFixed(3)}|${index}|`;
  return head.length >= size ? head : head + 'x'.repeat(size - head.length);
}

/** Filled in place by readStamp, so the receive path allocates nothing. */
export interface Stamp {
  sentAt: number;
  index: number;
}

const BAR = 0x7c;
const DOT = 0x2e;
const ZERO = 0x30;

/** Parses the stamp of a payload given as text or bytes; false when it is not a bench payload. */
export function readStamp(payload: string | Uint8Array, out: Stamp): boolean {
  return typeof payload === 'string' ? readStampText(payload, out) : readStampBytes(payload, out);
}

function readStampText(p: string, out: Stamp): boolean {
  const bar = p.indexOf('|');
  if (bar <= 0) return false;
  const bar2 = p.indexOf('|', bar + 1);
  if (bar2 < 0) return false;
  out.sentAt = Number(p.slice(0, bar));
  out.index = Number(p.slice(bar + 1, bar2));
  return Number.isFinite(out.sentAt) && Number.isInteger(out.index);
}

function readStampBytes(p: Uint8Array, out: Stamp): boolean {
  let i = 0;
  let whole = 0;
  let frac = 0;
  let scale = 1;
  let seenDot = false;
  let digits = 0;
  for (; i < p.length; i++) {
    const c = p[i] ?? 0;
    if (c === BAR) break;
    if (c === DOT && !seenDot) {
      seenDot = true;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9) return false;
    digits++;
    if (seenDot) {
      scale *= 10;
      frac = frac * 10 + d;
    } else whole = whole * 10 + d;
  }
  if (i >= p.length || digits === 0) return false;
  let index = 0;
  let indexDigits = 0;
  for (i++; i < p.length; i++) {
    const c = p[i] ?? 0;
    if (c === BAR) break;
    const d = c - ZERO;
    if (d < 0 || d > 9) return false;
    index = index * 10 + d;
    indexDigits++;
  }
  if (i >= p.length || indexDigits === 0) return false;
  out.sentAt = whole + frac / scale;
  out.index = index;
  return true;
}
