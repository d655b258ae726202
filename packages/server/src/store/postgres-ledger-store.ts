import { ConflictError } from '@parley/protocol';
import type { Pool, PoolClient } from 'pg';
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
import { pgTransaction } from './pg-transaction.js';

/**
 * The ledger on the PostgresStore's pool. Row locks serialize what must not interleave: a claim
 * locks its packet (FOR UPDATE) then the claimer's wallet; a debit locks the sender's wallet; a
 * close locks the packet then the sender's wallet. Same order everywhere, so no deadlock.
 */
export class PostgresLedgerStore implements LedgerStore {
  constructor(private readonly pool: Pool) {}

  async credit(userId: UserId, amount: number, entryId: bigint, at: number): Promise<number> {
    return pgTransaction(this.pool, (c) => move(c, userId, amount, LedgerKind.CREDIT, 0n, entryId, at));
  }

  async balance(userId: UserId): Promise<number> {
    const { rows } = await this.pool.query<{ balance: string }>(
      'SELECT balance FROM wallets WHERE user_id = $1',
      [userId],
    );
    return rows[0] === undefined ? 0 : Number(rows[0].balance);
  }

  async entries(userId: UserId, beforeId: bigint, limit: number): Promise<LedgerEntry[]> {
    const { rows } = await this.pool.query<LedgerRow>(
      'SELECT id, user_id, delta, balance_after, kind, ref_id, created_at FROM ledger WHERE user_id = $1 AND ($2::bigint = 0 OR id < $2) ORDER BY id DESC LIMIT $3',
      [userId, beforeId, limit],
    );
    return rows.map(ledgerEntryOf);
  }

  createRedPacket(p: NewRedPacket, entryId: bigint): Promise<{ packet: RedPacketRecord; created: boolean }> {
    return pgTransaction(this.pool, async (c) => {
      const inserted = await c.query<RedPacketRow>(
        `INSERT INTO red_packets (${RED_PACKET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5, $6, 'open', $9, $10)
         ON CONFLICT (sender_id, client_msg_id) DO NOTHING RETURNING ${RED_PACKET_COLUMNS}`,
        [
          p.id,
          p.senderId,
          p.clientMsgId,
          p.conversationId,
          p.total,
          p.count,
          p.mode,
          p.greeting,
          p.createdAt,
          p.expiresAt,
        ],
      );
      const row = inserted.rows[0];
      if (row === undefined) {
        const { rows } = await c.query<RedPacketRow>(
          `SELECT ${RED_PACKET_COLUMNS} FROM red_packets WHERE sender_id = $1 AND client_msg_id = $2`,
          [p.senderId, p.clientMsgId],
        );
        if (rows[0] === undefined) throw new Error('red packet vanished');
        return { packet: redPacketOf(rows[0]), created: false };
      }
      if ((await move(c, p.senderId, -p.total, LedgerKind.RED_PACKET_SEND, p.id, entryId, p.createdAt)) < 0) {
        // The transaction rolls back: the packet row goes too.
        throw new ConflictError(`balance too low for a red packet of ${p.total}`);
      }
      return { packet: redPacketOf(row), created: true };
    });
  }

  async getRedPacket(id: bigint): Promise<RedPacketRecord | undefined> {
    const { rows } = await this.pool.query<RedPacketRow>(
      `SELECT ${RED_PACKET_COLUMNS} FROM red_packets WHERE id = $1`,
      [id],
    );
    return rows[0] === undefined ? undefined : redPacketOf(rows[0]);
  }

  async claims(packetId: bigint): Promise<RedPacketClaimRecord[]> {
    const { rows } = await this.pool.query<ClaimRow>(
      'SELECT packet_id, user_id, amount, claimed_at FROM red_packet_claims WHERE packet_id = $1 ORDER BY claimed_at, user_id',
      [packetId],
    );
    return rows.map(claimOf);
  }

  claimRedPacket(
    packetId: bigint,
    userId: UserId,
    at: number,
    entryId: bigint,
    pick: SharePicker,
  ): Promise<ClaimOutcome> {
    return pgTransaction(this.pool, async (c): Promise<ClaimOutcome> => {
      const locked = await lockPacket(c, packetId);
      if (locked === undefined) return { kind: 'missing' };
      const mine = await c.query<{ amount: string }>(
        'SELECT amount FROM red_packet_claims WHERE packet_id = $1 AND user_id = $2',
        [packetId, userId],
      );
      const before = mine.rows[0];
      const step = claimStep(locked, before === undefined ? undefined : Number(before.amount), at, pick);
      if (step.kind === 'answer') return step.outcome;
      const { amount } = step;
      const { rows } = await c.query<RedPacketRow>(
        `UPDATE red_packets SET remaining_amount = remaining_amount - $2, remaining_count = $3, state = $4
         WHERE id = $1 RETURNING ${RED_PACKET_COLUMNS}`,
        [packetId, amount, step.left, step.state],
      );
      await c.query(
        'INSERT INTO red_packet_claims (packet_id, user_id, amount, claimed_at) VALUES ($1, $2, $3, $4)',
        [packetId, userId, amount, at],
      );
      const balance = await move(c, userId, amount, LedgerKind.RED_PACKET_CLAIM, packetId, entryId, at);
      if (rows[0] === undefined) throw new Error('red packet vanished');
      return { kind: 'claimed', amount, balance, packet: redPacketOf(rows[0]) };
    });
  }

  async expireRedPackets(now: number, nextEntryId: () => bigint, limit: number): Promise<RedPacketRecord[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM red_packets WHERE state = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    const closed: RedPacketRecord[] = [];
    for (const row of rows) {
      const done = await this.#close(BigInt(row.id), RedPacketState.EXPIRED, now, nextEntryId());
      if (done !== undefined) closed.push(done);
    }
    return closed;
  }

  refundRedPacket(id: bigint, at: number, entryId: bigint): Promise<RedPacketRecord | undefined> {
    return this.#close(id, RedPacketState.REFUNDED, at, entryId);
  }

  #close(
    id: bigint,
    state: RedPacketState,
    at: number,
    entryId: bigint,
  ): Promise<RedPacketRecord | undefined> {
    return pgTransaction(this.pool, async (c) => {
      // Under the row lock only an open packet is closed: a refund happens once.
      const current = await lockPacket(c, id);
      if (current?.state !== RedPacketState.OPEN) return undefined;
      await c.query('UPDATE red_packets SET state = $2, remaining_amount = 0 WHERE id = $1', [id, state]);
      if (current.remainingAmount > 0) {
        await move(
          c,
          current.senderId,
          current.remainingAmount,
          LedgerKind.RED_PACKET_REFUND,
          id,
          entryId,
          at,
        );
      }
      return { ...current, state, remainingAmount: 0 };
    });
  }
}

async function lockPacket(c: PoolClient, id: bigint): Promise<RedPacketRecord | undefined> {
  const { rows } = await c.query<RedPacketRow>(
    `SELECT ${RED_PACKET_COLUMNS} FROM red_packets WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] === undefined ? undefined : redPacketOf(rows[0]);
}

/** Moves a balance and writes its ledger row, in the caller's transaction; -1 if it would go negative. */
async function move(
  c: PoolClient,
  userId: UserId,
  delta: number,
  kind: LedgerKind,
  refId: bigint,
  entryId: bigint,
  at: number,
): Promise<number> {
  await c.query('INSERT INTO wallets (user_id, balance) VALUES ($1, 0) ON CONFLICT (user_id) DO NOTHING', [
    userId,
  ]);
  const { rows } = await c.query<{ balance: string }>(
    'UPDATE wallets SET balance = balance + $2 WHERE user_id = $1 AND balance + $2 >= 0 RETURNING balance',
    [userId, delta],
  );
  if (rows[0] === undefined) return -1;
  const balance = Number(rows[0].balance);
  await c.query(
    'INSERT INTO ledger (id, user_id, delta, balance_after, kind, ref_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [entryId, userId, delta, balance, kind, refId, at],
  );
  return balance;
}
