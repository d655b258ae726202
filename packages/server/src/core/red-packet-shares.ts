import { randomInt } from 'node:crypto';
import { RedPacketMode, type SharePicker } from './ledger-store.js';

/**
 * The "double average" split: each claim draws uniformly from 1 to twice the average of what is
 * left, capped so every later claim can still get the smallest unit; the last claim takes the rest.
 */
export const randomShare: SharePicker = (remainingAmount, remainingCount) => {
  if (remainingCount <= 1) return remainingAmount;
  const cap = remainingAmount - (remainingCount - 1);
  const upper = Math.max(1, Math.min(cap, Math.floor((2 * remainingAmount) / remainingCount)));
  return randomInt(1, upper + 1);
};

/** Equal shares; when the total does not divide, the first claims get one unit more. */
export const evenShare: SharePicker = (remainingAmount, remainingCount) =>
  Math.ceil(remainingAmount / Math.max(1, remainingCount));

export function shareFor(mode: RedPacketMode): SharePicker {
  switch (mode) {
    case RedPacketMode.RANDOM:
      return randomShare;
    case RedPacketMode.EVEN:
      return evenShare;
  }
}
