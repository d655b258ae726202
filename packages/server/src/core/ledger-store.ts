import type { ConversationId, UserId } from './types.js';

/** Why money moved (LedgerEntry.kind). */
export const LedgerKind = {
  CREDIT: 'credit',
  RED_PACKET_SEND: 'red_packet_send',
  RED_PACKET_CLAIM: 'red_packet_claim',
  RED_PACKET_REFUND: 'red_packet_refund',
} as const;
export type LedgerKind = (typeof LedgerKind)[keyof typeof LedgerKind];

/** One movement of a balance. Amounts are integers in the smallest unit. */
export interface LedgerEntry {
  readonly id: bigint;
  readonly userId: UserId;
  readonly delta: number;
  readonly balanceAfter: number;
  readonly kind: LedgerKind;
  /** The red packet (or 0 for a credit). */
  readonly refId: bigint;
  readonly createdAt: number;
}

export const RedPacketMode = { RANDOM: 'random', EVEN: 'even' } as const;
export type RedPacketMode = (typeof RedPacketMode)[keyof typeof RedPacketMode];

export const RedPacketState = {
  OPEN: 'open',
  EMPTY: 'empty',
  EXPIRED: 'expired',
  /** Its message could not be posted: the whole amount went back at once. */
  REFUNDED: 'refunded',
} as const;
export type RedPacketState = (typeof RedPacketState)[keyof typeof RedPacketState];

export interface RedPacketRecord {
  readonly id: bigint;
  readonly senderId: UserId;
  readonly clientMsgId: string;
  readonly conversationId: ConversationId;
  readonly total: number;
  readonly count: number;
  readonly mode: RedPacketMode;
  readonly greeting: string;
  readonly remainingAmount: number;
  readonly remainingCount: number;
  readonly state: RedPacketState;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface RedPacketClaimRecord {
  readonly packetId: bigint;
  readonly userId: UserId;
  readonly amount: number;
  readonly claimedAt: number;
}

export type NewRedPacket = Omit<RedPacketRecord, 'remainingAmount' | 'remainingCount' | 'state'>;

export type ClaimOutcome =
  | {
      readonly kind: 'claimed';
      readonly amount: number;
      readonly balance: number;
      readonly packet: RedPacketRecord;
    }
  | { readonly kind: 'already'; readonly amount: number; readonly packet: RedPacketRecord }
  | { readonly kind: 'empty'; readonly packet: RedPacketRecord }
  | { readonly kind: 'expired'; readonly packet: RedPacketRecord }
  | { readonly kind: 'missing' };

/** Picks one claim's amount from what is left: 1 ≤ amount ≤ remainingAmount - (remainingCount - 1). */
export type SharePicker = (remainingAmount: number, remainingCount: number) => number;

/**
 * Balances, their ledger, and red packets (FastIM). Every balance change is a ledger row written
 * in the same transaction; a balance never goes below zero; a packet's claims never exceed its
 * count or amount, one per user; expiry refunds the rest exactly once, whichever node sweeps.
 */
export interface LedgerStore {
  /** Adds to a balance (admin credit). Returns the new balance. */
  credit(userId: UserId, amount: number, entryId: bigint, at: number): Promise<number>;
  balance(userId: UserId): Promise<number>;
  /** Newest first, ids below `beforeId` (0 = from the newest). */
  entries(userId: UserId, beforeId: bigint, limit: number): Promise<LedgerEntry[]>;
  /**
   * Debits the sender and creates the packet, atomically; a second call with the same
   * (senderId, clientMsgId) returns the first packet (`created` false) and debits nothing.
   * Throws ConflictError when the balance is too low.
   */
  createRedPacket(
    packet: NewRedPacket,
    entryId: bigint,
  ): Promise<{ packet: RedPacketRecord; created: boolean }>;
  getRedPacket(id: bigint): Promise<RedPacketRecord | undefined>;
  claims(packetId: bigint): Promise<RedPacketClaimRecord[]>;
  /** One claim per user; the packet row is locked while the amount is picked. */
  claimRedPacket(
    packetId: bigint,
    userId: UserId,
    at: number,
    entryId: bigint,
    pick: SharePicker,
  ): Promise<ClaimOutcome>;
  /**
   * Closes open packets past their expiry and returns the rest to each sender. Each packet is
   * refunded once, however many nodes sweep at the same time.
   */
  expireRedPackets(now: number, nextEntryId: () => bigint, limit: number): Promise<RedPacketRecord[]>;
  /** Closes one open packet at once (its message could not be posted), returning all of it. */
  refundRedPacket(id: bigint, at: number, entryId: bigint): Promise<RedPacketRecord | undefined>;
}
