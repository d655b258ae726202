import type Database from 'better-sqlite3';
import { ConflictError } from '@parley/protocol';
import {
  LedgerKind,
  RedPacketState,
  type ClaimOutcome,
  type LedgerEntry,
  type LedgerStore,
  type NewRedPacket,
  type RedPacketClaimRecord,
  type RedPacketRecord,
  type SharePicker,
} from '../core/ledger-store.js';
import type { UserId } from '../core/types.js';
import {
  RED_PACKET_COLUMNS,
  claimStep,
  claimOf,
  ledgerEntryOf,
  redPacketOf,
  type ClaimRow,
  type LedgerRow,
  type RedPacketRow,
} from './ledger-rows.js';
import { settle } from './settle.js';

/**
 * The ledger on the SqliteStore's connection. Every write is one IMMEDIATE transaction, so the
 * whole check-then-move of a claim or a debit holds SQLite's write lock (other processes wait).
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly #move: (
    userId: UserId,
    delta: number,
    kind: LedgerKind,
    refId: bigint,
    entryId: bigint,
    at: number,
  ) => number;
  readonly #create: Database.Transaction<
    (p: NewRedPacket, entryId: bigint) => { packet: RedPacketRecord; created: boolean }
  >;
  readonly #claim: Database.Transaction<
    (packetId: bigint, userId: UserId, at: number, entryId: bigint, pick: SharePicker) => ClaimOutcome
  >;
  readonly #close: Database.Transaction<
    (id: bigint, state: RedPacketState, at: number, entryId: bigint) => RedPacketRecord | undefined
  >;

  readonly #packet: (id: bigint) => RedPacketRecord | undefined;

  constructor(private readonly db: Database.Database) {
    const packetById = (id: bigint): RedPacketRecord | undefined => {
      const row = db.prepare(`SELECT ${RED_PACKET_COLUMNS} FROM red_packets WHERE id = ?`).get(id) as
        RedPacketRow | undefined;
      return row === undefined ? undefined : redPacketOf(row);
    };

    this.#packet = packetById;

    // Inside a transaction: moves a balance and writes its ledger row; -1 if it would go negative.
    const move = (
      userId: UserId,
      delta: number,
      kind: LedgerKind,
      refId: bigint,
      entryId: bigint,
      at: number,
    ): number => {
      db.prepare('INSERT INTO wallets (user_id, balance) VALUES (?, 0) ON CONFLICT (user_id) DO NOTHING').run(
        userId,
      );
      const row = db
        .prepare(
          'UPDATE wallets SET balance = balance + ? WHERE user_id = ? AND balance + ? >= 0 RETURNING balance',
        )
        .get(delta, userId, delta) as { balance: bigint } | undefined;
      if (row === undefined) return -1;
      const balance = Number(row.balance);
      db.prepare(
        'INSERT INTO ledger (id, user_id, delta, balance_after, kind, ref_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(entryId, userId, delta, balance, kind, refId, at);
      return balance;
    };
    this.#move = move;

    this.#create = db.transaction((p: NewRedPacket, entryId: bigint) => {
      const existing = db
        .prepare(`SELECT ${RED_PACKET_COLUMNS} FROM red_packets WHERE sender_id = ? AND client_msg_id = ?`)
        .get(p.senderId, p.clientMsgId) as RedPacketRow | undefined;
      if (existing !== undefined) return { packet: redPacketOf(existing), created: false };
      if (move(p.senderId, -p.total, LedgerKind.RED_PACKET_SEND, p.id, entryId, p.createdAt) < 0) {
        throw new ConflictError(`balance too low for a red packet of ${p.total}`);
      }
      db.prepare(
        `INSERT INTO red_packets (${RED_PACKET_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        p.id,
        p.senderId,
        p.clientMsgId,
        p.conversationId,
        p.total,
        p.count,
        p.mode,
        p.greeting,
        p.total,
        p.count,
        RedPacketState.OPEN,
        p.createdAt,
        p.expiresAt,
      );
      const packet = packetById(p.id);
      if (packet === undefined) throw new Error('red packet vanished');
      return { packet, created: true };
    });

    this.#claim = db.transaction(
      (packetId: bigint, userId: UserId, at: number, entryId: bigint, pick: SharePicker): ClaimOutcome => {
        const packet = packetById(packetId);
        if (packet === undefined) return { kind: 'missing' };
        const mine = db
          .prepare('SELECT amount FROM red_packet_claims WHERE packet_id = ? AND user_id = ?')
          .get(packetId, userId) as { amount: bigint } | undefined;
        const step = claimStep(packet, mine === undefined ? undefined : Number(mine.amount), at, pick);
        if (step.kind === 'answer') return step.outcome;
        const { amount } = step;
        db.prepare(
          'UPDATE red_packets SET remaining_amount = remaining_amount - ?, remaining_count = ?, state = ? WHERE id = ?',
        ).run(amount, step.left, step.state, packetId);
        db.prepare(
          'INSERT INTO red_packet_claims (packet_id, user_id, amount, claimed_at) VALUES (?, ?, ?, ?)',
        ).run(packetId, userId, amount, at);
        const balance = move(userId, amount, LedgerKind.RED_PACKET_CLAIM, packetId, entryId, at);
        const updated = packetById(packetId);
        if (updated === undefined) throw new Error('red packet vanished');
        return { kind: 'claimed', amount, balance, packet: updated };
      },
    );

    this.#close = db.transaction((id: bigint, state: RedPacketState, at: number, entryId: bigint) => {
      // Read under the write lock: only an open packet is closed, so a refund happens once.
      const current = packetById(id);
      if (current?.state !== RedPacketState.OPEN) return undefined;
      db.prepare('UPDATE red_packets SET state = ?, remaining_amount = 0 WHERE id = ?').run(state, id);
      if (current.remainingAmount > 0) {
        move(current.senderId, current.remainingAmount, LedgerKind.RED_PACKET_REFUND, id, entryId, at);
      }
      return { ...current, state, remainingAmount: 0 };
    });
  }

  credit(userId: UserId, amount: number, entryId: bigint, at: number): Promise<number> {
    return settle(() =>
      this.db.transaction(() => this.#move(userId, amount, LedgerKind.CREDIT, 0n, entryId, at)).immediate(),
    );
  }

  balance(userId: UserId): Promise<number> {
    return settle(() => {
      const row = this.db.prepare('SELECT balance FROM wallets WHERE user_id = ?').get(userId) as
        { balance: bigint } | undefined;
      return row === undefined ? 0 : Number(row.balance);
    });
  }

  entries(userId: UserId, beforeId: bigint, limit: number): Promise<LedgerEntry[]> {
    return settle(() =>
      (
        this.db
          .prepare(
            'SELECT id, user_id, delta, balance_after, kind, ref_id, created_at FROM ledger WHERE user_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?',
          )
          .all(userId, beforeId, beforeId, limit) as LedgerRow[]
      ).map(ledgerEntryOf),
    );
  }

  createRedPacket(
    packet: NewRedPacket,
    entryId: bigint,
  ): Promise<{ packet: RedPacketRecord; created: boolean }> {
    return settle(() => this.#create.immediate(packet, entryId));
  }

  getRedPacket(id: bigint): Promise<RedPacketRecord | undefined> {
    return settle(() => this.#packet(id));
  }

  claims(packetId: bigint): Promise<RedPacketClaimRecord[]> {
    return settle(() =>
      (
        this.db
          .prepare(
            'SELECT packet_id, user_id, amount, claimed_at FROM red_packet_claims WHERE packet_id = ? ORDER BY claimed_at, user_id',
          )
          .all(packetId) as ClaimRow[]
      ).map(claimOf),
    );
  }

  claimRedPacket(
    packetId: bigint,
    userId: UserId,
    at: number,
    entryId: bigint,
    pick: SharePicker,
  ): Promise<ClaimOutcome> {
    return settle(() => this.#claim.immediate(packetId, userId, at, entryId, pick));
  }

  expireRedPackets(now: number, nextEntryId: () => bigint, limit: number): Promise<RedPacketRecord[]> {
    return settle(() => {
      const due = (
        this.db
          .prepare(
            `SELECT ${RED_PACKET_COLUMNS} FROM red_packets WHERE state = 'open' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
          )
          .all(now, limit) as RedPacketRow[]
      ).map(redPacketOf);
      const closed: RedPacketRecord[] = [];
      for (const packet of due) {
        const done = this.#close.immediate(packet.id, RedPacketState.EXPIRED, now, nextEntryId());
        if (done !== undefined) closed.push(done);
      }
      return closed;
    });
  }

  refundRedPacket(id: bigint, at: number, entryId: bigint): Promise<RedPacketRecord | undefined> {
    return settle(() => this.#close.immediate(id, RedPacketState.REFUNDED, at, entryId));
  }
}
