/**
 * Amounts are integers in the currency's smallest unit (cents); the UI shows and reads them with
 * two decimals ("12.34"). Bigints throughout, so no amount is ever rounded through a float.
 */

const CENTS_PER_UNIT = 100n;

/** 1234 → "12.34", -5 → "-0.05". */
export function formatMoney(cents: bigint | number): string {
  const value = BigInt(cents);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${String(abs / CENTS_PER_UNIT)}.${String(abs % CENTS_PER_UNIT).padStart(2, '0')}`;
}

/** "+12.34" / "-0.05" for ledger movements. */
export function formatDelta(cents: bigint | number): string {
  const value = BigInt(cents);
  return value > 0n ? `+${formatMoney(value)}` : formatMoney(value);
}

/** "12.34", "12.3", "12" or "0.05" → cents; anything else (negative, 3 decimals, words) → undefined. */
export function parseMoney(text: string): bigint | undefined {
  const m = /^(\d{1,12})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const units = BigInt(m[1] ?? '0');
  const fraction = BigInt((m[2] ?? '').padEnd(2, '0'));
  return units * CENTS_PER_UNIT + fraction;
}
