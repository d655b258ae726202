import { InternalError } from '@parley/protocol';
import {
  LedgerKind,
  RedPacketMode,
  RedPacketState,
  type ClaimOutcome,
  type LedgerEntry,
  type RedPacketClaimRecord,
  type RedPacketRecord,
} from '../core/ledger-store.js';
import type { Int } from './rows.js';

/** Ledger and red-packet rows as either driver returns them (see rows.ts). */
export interface LedgerRow {
  id: Int;
  user_id: Int;
  delta: Int;
  balance_after: Int;
  kind: string;
  ref_id: Int;
  created_at: Int;
}

export interface RedPacketRow {
  id: Int;
  sender_id: Int;
  client_msg_id: string;
  conversation_id: string;
  total: Int;
  count: Int;
  mode: string;
  greeting: string;
  remaining_amount: Int;
  remaining_count: Int;
  state: string;
  created_at: Int;
  expires_at: Int;
}

export interface ClaimRow {
  packet_id: Int;
  user_id: Int;
  amount: Int;
  claimed_at: Int;
}

export const RED_PACKET_COLUMNS =
  'id, sender_id, client_msg_id, conversation_id, total, count, mode, greeting, remaining_amount, remaining_count, state, created_at, expires_at';

const kinds: ReadonlySet<LedgerKind> = new Set(Object.values(LedgerKind));
const modes: ReadonlySet<RedPacketMode> = new Set(Object.values(RedPacketMode));
const states: ReadonlySet<RedPacketState> = new Set(Object.values(RedPacketState));

function oneOf<T extends string>(set: ReadonlySet<T>, value: string, what: string): T {
  if (!(set as ReadonlySet<string>).has(value)) {
    throw new InternalError(`stored ${what} ${JSON.stringify(value)} is unknown`);
  }
  return value as T;
}

export function ledgerEntryOf(r: LedgerRow): LedgerEntry {
  return {
    id: BigInt(r.id),
    userId: BigInt(r.user_id),
    delta: Number(r.delta),
    balanceAfter: Number(r.balance_after),
    kind: oneOf(kinds, r.kind, 'ledger kind'),
    refId: BigInt(r.ref_id),
    createdAt: Number(r.created_at),
  };
}

export function redPacketOf(r: RedPacketRow): RedPacketRecord {
  return {
    id: BigInt(r.id),
    senderId: BigInt(r.sender_id),
    clientMsgId: r.client_msg_id,
    conversationId: r.conversation_id,
    total: Number(r.total),
    count: Number(r.count),
    mode: oneOf(modes, r.mode, 'red packet mode'),
    greeting: r.greeting,
    remainingAmount: Number(r.remaining_amount),
    remainingCount: Number(r.remaining_count),
    state: oneOf(states, r.state, 'red packet state'),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  };
}

export function claimOf(r: ClaimRow): RedPacketClaimRecord {
  return {
    packetId: BigInt(r.packet_id),
    userId: BigInt(r.user_id),
    amount: Number(r.amount),
    claimedAt: Number(r.claimed_at),
  };
}

/** The picker's answer, checked: a bad picker must not break the invariants. */
export function checkedShare(amount: number, remainingAmount: number, remainingCount: number): number {
  const max = remainingAmount - (remainingCount - 1);
  if (!Number.isInteger(amount) || amount < 1 || amount > max) {
    throw new InternalError(`share ${amount} outside [1, ${max}]`);
  }
  return amount;
}

/** What a claim does to a packet read under its lock: a final answer, or take a share. */
export type ClaimStep =
  | { readonly kind: 'answer'; readonly outcome: ClaimOutcome }
  | { readonly kind: 'take'; readonly amount: number; readonly left: number; readonly state: RedPacketState };

/**
 * The claim rules both ledger stores apply inside their transaction: a second claim gets its
 * first amount back, a closed or past-due packet is expired, an emptied one is empty; otherwise
 * the picker's share (checked) is taken and the packet is EMPTY once its last share is.
 */
export function claimStep(
  packet: RedPacketRecord,
  claimedBefore: number | undefined,
  at: number,
  pick: (remainingAmount: number, remainingCount: number) => number,
): ClaimStep {
  if (claimedBefore !== undefined) {
    return { kind: 'answer', outcome: { kind: 'already', amount: claimedBefore, packet } };
  }
  if (packet.state === RedPacketState.EXPIRED || packet.state === RedPacketState.REFUNDED) {
    return { kind: 'answer', outcome: { kind: 'expired', packet } };
  }
  if (packet.remainingCount === 0) return { kind: 'answer', outcome: { kind: 'empty', packet } };
  if (at >= packet.expiresAt) return { kind: 'answer', outcome: { kind: 'expired', packet } };
  const amount = checkedShare(
    pick(packet.remainingAmount, packet.remainingCount),
    packet.remainingAmount,
    packet.remainingCount,
  );
  const left = packet.remainingCount - 1;
  return { kind: 'take', amount, left, state: left === 0 ? RedPacketState.EMPTY : RedPacketState.OPEN };
}
