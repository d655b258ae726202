/**
 * Amounts in the wallet are whole numbers of the smallest unit (cents, say). People type and
 * read them with two decimals: `12.34` is 1234. There is no currency: Parley has no payment
 * provider, only balances an admin credits.
 */

/** `1234` → `12.34`, `-5` → `-0.05`. */
export function formatCents(amount: number | bigint): string {
  const n = BigInt(amount);
  const sign = n < 0n ? '-' : '';
  const abs = n < 0n ? -n : n;
  return `${sign}${String(abs / 100n)}.${String(abs % 100n).padStart(2, '0')}`;
}

/** With a sign always: `+12.34`, `-0.05`. */
export function formatDelta(amount: number | bigint): string {
  const text = formatCents(amount);
  return text.startsWith('-') ? text : `+${text}`;
}

/** The largest amount a person may type (the server has its own, lower limit). */
const MAX_CENTS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * `12.34`, `12.3`, `12`, `0.01`, `.5` → cents. Undefined for anything else: more than two
 * decimals, a sign, an exponent, zero, or an amount too large to count exactly.
 */
export function parseAmount(text: string): number | undefined {
  const m = /^([0-9]*)(?:\.([0-9]{0,2}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (whole === '' && frac === '') return undefined;
  const cents = BigInt(whole === '' ? '0' : whole) * 100n + BigInt(frac.padEnd(2, '0'));
  if (cents < 1n || cents > MAX_CENTS) return undefined;
  return Number(cents);
}
