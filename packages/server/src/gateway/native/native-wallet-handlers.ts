import { create } from '@bufbuild/protobuf';
import {
  BadRequestError,
  Command,
  RedPacketDetailSchema,
  RedPacketRefSchema,
  RedPacketSendRequestSchema,
  SendResultSchema,
  WalletRequestSchema,
  WalletResponseSchema,
  type RedPacketDetail,
} from '@parley/protocol';
import type { RedPacketView } from '../../core/red-packet-service.js';
import type { Dispatcher, GatewayConnection } from '../dispatcher.js';
import { decode, ref, reply, type NativeReply } from './native-codec.js';

/** Red packets and the wallet (issue 11). Undefined for a command it does not know. */
export async function handleWalletRequest(
  dispatcher: Dispatcher,
  conn: GatewayConnection,
  command: number,
  body: Uint8Array,
): Promise<NativeReply | undefined> {
  switch (command) {
    case Command.RED_PACKET_SEND: {
      const session = dispatcher.requireSession(conn);
      const req = decode(RedPacketSendRequestSchema, body);
      const conversation = ref(req.conversation);
      const { result } = await dispatcher.redPackets.send(session, {
        conversation,
        clientMsgId: req.clientMsgId,
        total: amountOf(req.total),
        count: req.count,
        mode: req.mode,
        greeting: req.greeting,
      });
      return reply(
        SendResultSchema,
        create(SendResultSchema, {
          messageId: result?.message.id ?? 0n,
          seq: BigInt(result?.message.seq ?? 0),
          serverTime: BigInt(result?.message.serverTime ?? Date.now()),
          clientMsgId: req.clientMsgId,
          conversation,
          duplicate: result?.duplicate ?? false,
        }),
      );
    }
    case Command.RED_PACKET_CLAIM: {
      const session = dispatcher.requireSession(conn);
      const { packetId } = decode(RedPacketRefSchema, body);
      return reply(RedPacketDetailSchema, detailToWire(await dispatcher.redPackets.claim(session, packetId)));
    }
    case Command.RED_PACKET_INFO: {
      const session = dispatcher.requireSession(conn);
      const { packetId } = decode(RedPacketRefSchema, body);
      return reply(RedPacketDetailSchema, detailToWire(await dispatcher.redPackets.info(session, packetId)));
    }
    case Command.WALLET: {
      const session = dispatcher.requireSession(conn);
      const req = decode(WalletRequestSchema, body);
      const wallet = await dispatcher.redPackets.wallet(session.userId, req.beforeId, req.limit);
      return reply(
        WalletResponseSchema,
        create(WalletResponseSchema, {
          balance: BigInt(wallet.balance),
          entries: wallet.entries.map((e) => ({
            id: e.id,
            delta: BigInt(e.delta),
            balanceAfter: BigInt(e.balanceAfter),
            kind: e.kind,
            refId: e.refId,
            createdAt: BigInt(e.createdAt),
          })),
        }),
      );
    }
    default:
      return undefined;
  }
}

export function detailToWire(view: RedPacketView): RedPacketDetail {
  const { packet } = view;
  return create(RedPacketDetailSchema, {
    info: {
      packetId: packet.id,
      total: BigInt(packet.total),
      count: packet.count,
      mode: packet.mode,
      greeting: packet.greeting,
      expiresAt: BigInt(packet.expiresAt),
      senderId: packet.senderId,
    },
    state: packet.state,
    remainingAmount: BigInt(packet.remainingAmount),
    remainingCount: packet.remainingCount,
    claims: view.claims.map((c) => ({
      userId: c.userId,
      amount: BigInt(c.amount),
      claimedAt: BigInt(c.claimedAt),
    })),
    amount: BigInt(view.amount),
    claimed: view.claimed,
    balance: BigInt(view.balance),
  });
}

function amountOf(value: bigint): number {
  if (value < 1n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadRequestError('total out of range');
  return Number(value);
}
