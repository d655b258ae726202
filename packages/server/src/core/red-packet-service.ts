import { create } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ContentType,
  ConversationType,
  ExpiredError,
  ForbiddenError,
  MessageContentSchema,
  NotFoundError,
  TooLargeError,
} from '@parley/protocol';
import { conversationIdFor, type ConversationRef } from './conversation-id.js';
import {
  RedPacketMode,
  type ClaimOutcome,
  type LedgerEntry,
  type RedPacketClaimRecord,
  type RedPacketRecord,
} from './ledger-store.js';
import { requireMembership } from './membership.js';
import type { MessageService, SendOutcome } from './message-service.js';
import { shareFor } from './red-packet-shares.js';
import type { DeviceSession } from './session.js';
import type { IdGenerator } from './snowflake.js';
import type { Store } from './store.js';
import type { UserId } from './types.js';

export interface RedPacketConfig {
  /** Largest packet, in the smallest unit. */
  readonly maxTotal: number;
  readonly maxCount: number;
  /** How long a packet can be claimed; then the rest returns to the sender. */
  readonly ttlMs: number;
  readonly maxGreetingLength: number;
}

export interface RedPacketSendInput {
  readonly conversation: ConversationRef;
  readonly clientMsgId: string;
  readonly total: number;
  readonly count: number;
  readonly mode: string;
  readonly greeting: string;
}

export interface RedPacketView {
  readonly packet: RedPacketRecord;
  readonly claims: RedPacketClaimRecord[];
  /** This claim's amount (0 if it got nothing) and the claimer's balance afterwards. */
  readonly amount: number;
  readonly claimed: boolean;
  readonly balance: number;
}

const SWEEP_BATCH = 100;

/**
 * Red packets (FastIM): the sender's balance pays for the packet up front; the packet is a
 * RED_PACKET message in the conversation; members claim once each until it is empty or expires,
 * and the rest goes back to the sender. All money moves in the LedgerStore's transactions.
 */
export class RedPacketService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly messages: MessageService,
    private readonly config: RedPacketConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async send(session: DeviceSession, input: RedPacketSendInput): Promise<SendOutcome> {
    // Before the debit: a muted user's packet would be refunded at once.
    await this.messages.assertMaySend(session.userId);
    const mode = parseMode(input.mode);
    const count = input.conversation.type === ConversationType.SINGLE ? 1 : input.count;
    if (!Number.isSafeInteger(input.total) || input.total < 1) {
      throw new BadRequestError('total must be a positive whole number of the smallest unit');
    }
    if (input.total > this.config.maxTotal)
      throw new TooLargeError(`a red packet holds at most ${this.config.maxTotal}`);
    if (!Number.isInteger(count) || count < 1 || count > this.config.maxCount) {
      throw new BadRequestError(`count must be in [1, ${this.config.maxCount}]`);
    }
    if (input.total < count) throw new BadRequestError('every share needs at least the smallest unit');
    if (input.greeting.length > this.config.maxGreetingLength) {
      throw new TooLargeError(`greeting longer than ${this.config.maxGreetingLength} characters`);
    }
    const conversationId = conversationIdFor(session.userId, input.conversation);
    if (input.conversation.type !== ConversationType.SINGLE) {
      await requireMembership(this.store, session.userId, conversationId);
    }
    const at = this.now();
    const { packet, created } = await this.store.ledger.createRedPacket(
      {
        id: this.ids.next(),
        senderId: session.userId,
        clientMsgId: input.clientMsgId,
        conversationId,
        total: input.total,
        count,
        mode,
        greeting: input.greeting,
        createdAt: at,
        expiresAt: at + this.config.ttlMs,
      },
      this.ids.next(),
    );
    if (!created && packet.conversationId !== conversationId) {
      throw new BadRequestError('clientMsgId was already used for a red packet to another conversation');
    }
    const greeting = packet.greeting === '' ? 'Best wishes' : packet.greeting;
    const content = create(MessageContentSchema, {
      contentType: ContentType.RED_PACKET,
      text: `[Red packet] ${greeting}`,
      pushContent: `${session.username} sent a red packet`,
      redPacket: {
        packetId: packet.id,
        total: BigInt(packet.total),
        count: packet.count,
        mode: packet.mode,
        greeting: packet.greeting,
        expiresAt: BigInt(packet.expiresAt),
        senderId: packet.senderId,
      },
    });
    try {
      return await this.messages.sendAuthored(session, {
        conversation: input.conversation,
        clientMsgId: input.clientMsgId,
        content,
      });
    } catch (err) {
      // Not posted (not a member, blocked...): nobody can see it, so all of it goes back now.
      if (created) await this.store.ledger.refundRedPacket(packet.id, this.now(), this.ids.next());
      throw err;
    }
  }

  async claim(session: DeviceSession, packetId: bigint): Promise<RedPacketView> {
    const packet = await this.visiblePacket(session.userId, packetId);
    if (packet.conversationId.startsWith('s:') && packet.senderId === session.userId) {
      throw new ForbiddenError('the sender of a direct red packet cannot claim it');
    }
    const outcome: ClaimOutcome = await this.store.ledger.claimRedPacket(
      packetId,
      session.userId,
      this.now(),
      this.ids.next(),
      shareFor(packet.mode),
    );
    switch (outcome.kind) {
      case 'missing':
        throw new NotFoundError('no such red packet');
      case 'expired':
        // Return the rest now rather than at the next sweep.
        await this.sweep();
        throw new ExpiredError('this red packet has expired');
      case 'empty':
        return this.view(outcome.packet, 0, false, await this.store.ledger.balance(session.userId));
      case 'already':
        return this.view(
          outcome.packet,
          outcome.amount,
          false,
          await this.store.ledger.balance(session.userId),
        );
      case 'claimed':
        return this.view(outcome.packet, outcome.amount, true, outcome.balance);
    }
  }

  async info(session: DeviceSession, packetId: bigint): Promise<RedPacketView> {
    const packet = await this.visiblePacket(session.userId, packetId);
    return this.view(packet, 0, false, await this.store.ledger.balance(session.userId));
  }

  async wallet(
    userId: UserId,
    beforeId: bigint,
    limit: number,
  ): Promise<{ balance: number; entries: LedgerEntry[] }> {
    const [balance, entries] = await Promise.all([
      this.store.ledger.balance(userId),
      this.store.ledger.entries(userId, beforeId, Math.min(Math.max(limit || 50, 1), 200)),
    ]);
    return { balance, entries };
  }

  /** Admin credit (no payment provider): the caller has checked the right to do it. */
  async credit(userId: UserId, amount: number): Promise<number> {
    if (!Number.isSafeInteger(amount) || amount < 1)
      throw new BadRequestError('amount must be a positive integer');
    if ((await this.store.getUserById(userId)) === undefined) throw new NotFoundError('no such user');
    return this.store.ledger.credit(userId, amount, this.ids.next(), this.now());
  }

  /** Closes expired packets, refunding each once (every node may sweep; the store serializes). */
  async sweep(): Promise<number> {
    let closed = 0;
    for (;;) {
      const batch = await this.store.ledger.expireRedPackets(this.now(), () => this.ids.next(), SWEEP_BATCH);
      closed += batch.length;
      if (batch.length < SWEEP_BATCH) return closed;
    }
  }

  private async visiblePacket(userId: UserId, packetId: bigint): Promise<RedPacketRecord> {
    const packet = await this.store.ledger.getRedPacket(packetId);
    if (packet === undefined) throw new NotFoundError('no such red packet');
    // Only members of its conversation may see or claim it (NOT_FOUND, as for conversations).
    const state = await this.store.getConversationState(userId, packet.conversationId);
    if (state === undefined) throw new NotFoundError('no such red packet');
    return packet;
  }

  private async view(
    packet: RedPacketRecord,
    amount: number,
    claimed: boolean,
    balance: number,
  ): Promise<RedPacketView> {
    return { packet, claims: await this.store.ledger.claims(packet.id), amount, claimed, balance };
  }
}

function parseMode(mode: string): RedPacketMode {
  if (mode === '' || mode === RedPacketMode.RANDOM) return RedPacketMode.RANDOM;
  if (mode === RedPacketMode.EVEN) return RedPacketMode.EVEN;
  throw new BadRequestError('mode must be "random" or "even"');
}
