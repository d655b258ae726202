import { parseAmount } from '../money.js';
import type { ClaimHandle } from './red-packets.js';

/** The wallet's slash commands, as parsed (see slash.ts for the rest of the language). */
export type WalletCommand =
  | {
      readonly kind: 'redpacket';
      /** In the smallest unit. */
      readonly total: number;
      /** Undefined: one share (the only choice in a direct chat). */
      readonly count: number | undefined;
      readonly mode: 'random' | 'even';
      readonly greeting: string;
    }
  | { readonly kind: 'claim'; readonly handle: ClaimHandle }
  | { readonly kind: 'wallet' };

type Parsed = WalletCommand | { readonly kind: 'error'; readonly message: string };

const REDPACKET_USAGE =
  'usage: /redpacket <amount> [count] [--even] [greeting…], e.g. /redpacket 12.34 3 Enjoy!';
const MODES: Readonly<Record<string, 'random' | 'even'>> = {
  '--even': 'even',
  '-e': 'even',
  '--random': 'random',
  '-r': 'random',
};

/**
 * `/redpacket <amount> [count] [--even|--random] [greeting…]`: the amount has at most two
 * decimals (12.34 is 1234 of the smallest unit), the count is a whole number, the flags come
 * before the greeting, and the greeting is the rest of the line as typed (quotes around all of
 * it are dropped).
 */
export function parseRedPacket(rest: string): Parsed {
  let text = rest.trim();
  let total: number | undefined;
  let count: number | undefined;
  let mode: 'random' | 'even' = 'random';
  for (;;) {
    const m = /^(\S+)\s*/.exec(text);
    const word = m?.[1];
    if (m === null || word === undefined) break;
    const flag = MODES[word.toLowerCase()];
    if (flag !== undefined) mode = flag;
    else if (total === undefined) {
      total = parseAmount(word);
      if (total === undefined) return { kind: 'error', message: `"${word}" is not an amount (like 12.34)` };
    } else if (count === undefined && /^[0-9]+$/.test(word)) {
      count = Number(word);
      if (!Number.isSafeInteger(count) || count < 1)
        return { kind: 'error', message: 'the count must be 1 or more' };
    } else break;
    text = text.slice(m[0].length);
  }
  if (total === undefined) return { kind: 'error', message: REDPACKET_USAGE };
  const quoted = /^(["'])(.*)\1$/s.exec(text);
  const greeting = (quoted?.[2] ?? text).trim();
  return { kind: 'redpacket', total, count, mode, greeting };
}

/** `/claim`, `/claim #12` (the message with that seq), `/claim <packet id>`. */
export function parseClaim(words: readonly string[]): Parsed {
  const usage = { kind: 'error', message: 'usage: /claim [#seq | packet id]' } as const;
  if (words.length === 0) return { kind: 'claim', handle: { kind: 'newest' } };
  const [word] = words;
  if (words.length !== 1 || word === undefined) return usage;
  const seq = /^#([1-9][0-9]{0,18})$/.exec(word)?.[1];
  if (seq !== undefined) return { kind: 'claim', handle: { kind: 'seq', seq: BigInt(seq) } };
  if (/^[1-9][0-9]{0,19}$/.test(word) && BigInt(word) < 2n ** 64n) {
    return { kind: 'claim', handle: { kind: 'id', packetId: word } };
  }
  return usage;
}
