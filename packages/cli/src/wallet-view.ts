import type { WalletResponse } from '@parley/sdk';
import { clock } from './message-view.js';
import { formatCents, formatDelta } from './money.js';

/** One ledger row; amounts in the smallest unit, ids as decimal strings. */
export interface LedgerEntryView {
  readonly id: string;
  readonly delta: number;
  readonly balanceAfter: number;
  /** `credit`, `red_packet_send`, `red_packet_claim`, `red_packet_refund`. */
  readonly kind: string;
  /** The red packet it belongs to ('0' for a credit). */
  readonly refId: string;
  /** ms since the epoch. */
  readonly createdAt: number;
}

export interface WalletView {
  readonly balance: number;
  /** Newest first. */
  readonly entries: readonly LedgerEntryView[];
}

export function walletFromNative(w: WalletResponse): WalletView {
  return {
    balance: Number(w.balance),
    entries: w.entries.map((e) => ({
      id: String(e.id),
      delta: Number(e.delta),
      balanceAfter: Number(e.balanceAfter),
      kind: e.kind,
      refId: String(e.refId),
      createdAt: Number(e.createdAt),
    })),
  };
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}
function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
  return Number.isFinite(n) ? n : 0;
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** `GET /api/v1/wallet`'s answer. */
export function walletFromHttp(value: unknown): WalletView {
  const w = obj(value);
  const entries = Array.isArray(w['entries']) ? w['entries'] : [];
  return {
    balance: num(w['balance']),
    entries: entries.map((entry) => {
      const e = obj(entry);
      return {
        id: str(e['id']),
        delta: num(e['delta']),
        balanceAfter: num(e['balanceAfter']),
        kind: str(e['kind']),
        refId: str(e['refId']) || '0',
        createdAt: num(e['createdAt']),
      };
    }),
  };
}

const KINDS: Readonly<Record<string, string>> = {
  credit: 'credit',
  red_packet_send: 'red packet sent',
  red_packet_claim: 'red packet claimed',
  red_packet_refund: 'red packet refund',
};

export function entryKind(kind: string): string {
  return KINDS[kind] ?? kind;
}

/** `2025-01-31 12:00:00    +12.34 =    112.34  red packet claimed 3858…`. */
export function entryLine(e: LedgerEntryView): string {
  const ref = e.refId !== '0' && e.refId !== '' ? ` ${e.refId}` : '';
  return `${clock(e.createdAt, true)}  ${formatDelta(e.delta).padStart(10)} = ${formatCents(e.balanceAfter).padStart(10)}  ${entryKind(e.kind)}${ref}`;
}
