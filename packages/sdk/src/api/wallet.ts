import {
  Command,
  RedPacketDetailSchema,
  RedPacketRefSchema,
  RedPacketSendRequestSchema,
  SendResultSchema,
  WalletRequestSchema,
  WalletResponseSchema,
  type RedPacketDetail,
  type SendResult,
  type WalletResponse,
} from '@parley/protocol';
import type { Caller } from '../client.js';
import type { ConversationRef } from '../conversation.js';

export interface RedPacketOptions {
  /** In the smallest unit (cents). */
  readonly total: bigint | number;
  /** Shares (a direct chat's packet has one). */
  readonly count?: number;
  readonly mode?: 'random' | 'even';
  readonly greeting?: string;
  /** Idempotency key; a random one by default. Reuse it to retry safely. */
  readonly clientMsgId?: string;
}

/** Balances and red packets; a packet arrives as a RED_PACKET message (`messageContent.redPacket`). */
export class WalletApi {
  constructor(private readonly caller: Caller) {}

  balance(options: { beforeId?: bigint; limit?: number } = {}): Promise<WalletResponse> {
    return this.caller.call(
      Command.WALLET,
      WalletRequestSchema,
      { beforeId: options.beforeId ?? 0n, limit: options.limit ?? 50 },
      WalletResponseSchema,
    );
  }

  /** Debits my balance and posts the packet; resolves with the message's ack. */
  sendRedPacket(conversation: ConversationRef, options: RedPacketOptions): Promise<SendResult> {
    return this.caller.call(
      Command.RED_PACKET_SEND,
      RedPacketSendRequestSchema,
      {
        clientMsgId:
          options.clientMsgId ?? `rp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
        conversation,
        total: BigInt(options.total),
        count: options.count ?? 1,
        mode: options.mode ?? 'random',
        greeting: options.greeting ?? '',
      },
      SendResultSchema,
    );
  }

  /** Claims my share once; `claimed` false if it was empty (or mine already: then `amount` is it). */
  claim(packetId: bigint): Promise<RedPacketDetail> {
    return this.caller.call(
      Command.RED_PACKET_CLAIM,
      RedPacketRefSchema,
      { packetId },
      RedPacketDetailSchema,
    );
  }

  info(packetId: bigint): Promise<RedPacketDetail> {
    return this.caller.call(Command.RED_PACKET_INFO, RedPacketRefSchema, { packetId }, RedPacketDetailSchema);
  }
}
