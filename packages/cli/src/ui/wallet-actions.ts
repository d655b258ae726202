import { ConversationType, ParleyError, Status } from '@parley/sdk';
import { formatCents } from '../money.js';
import { walletFromNative } from '../wallet-view.js';
import type { ChatModel } from './chat-model.js';
import { findPacket } from './red-packets.js';
import type { WalletCommand } from './slash-wallet.js';

function statusOf(err: unknown): number | undefined {
  return err instanceof ParleyError ? err.status : undefined;
}

/** `/redpacket`, `/claim` and `/wallet`; failures throw an Error with a line for the user. */
export async function runWalletCommand(cmd: WalletCommand, model: ChatModel): Promise<void> {
  const client = model.client;
  switch (cmd.kind) {
    case 'redpacket': {
      const c = model.active();
      if (c === undefined) throw new Error('no conversation open: a red packet goes to the open one');
      const direct = c.ref.type === ConversationType.SINGLE;
      if (direct && cmd.count !== undefined && cmd.count > 1) {
        throw new Error('a red packet in a direct chat has one share (groups and chatrooms take more)');
      }
      const count = cmd.count ?? 1;
      if (cmd.total < count) throw new Error(`${String(count)} shares need at least ${formatCents(count)}`);
      const sent = await client.wallet
        .sendRedPacket(c.ref, { total: cmd.total, count, mode: cmd.mode, greeting: cmd.greeting })
        .then(
          () => ({ ok: true }) as const,
          (err: unknown) => ({ ok: false, err }) as const,
        );
      if (!sent.ok) {
        if (statusOf(sent.err) !== Status.CONFLICT) throw sent.err;
        throw new Error(`your balance is too low for ${formatCents(cmd.total)} (/wallet shows it)`);
      }
      const shares = count === 1 ? '1 share' : `${String(count)} shares`;
      model.say(`sent a red packet of ${formatCents(cmd.total)} in ${shares}`);
      return;
    }
    case 'claim': {
      const c = model.active();
      if (c === undefined) throw new Error('no conversation open');
      const { packetId, message } = findPacket(c, cmd.handle, model.myId, model.claims, Date.now());
      const from =
        message === undefined
          ? 'the red packet'
          : `${model.users.displayName(message.senderId)}'s red packet`;
      const result = await client.wallet.claim(BigInt(packetId)).then(
        (detail) => ({ detail }),
        (err: unknown) => ({ err }),
      );
      if ('err' in result) {
        if (statusOf(result.err) !== Status.EXPIRED) throw result.err;
        model.noteClaim(packetId, { kind: 'expired' });
        throw new Error(`too late: ${from} has expired`);
      }
      const { detail } = result;
      const amount = Number(detail.amount);
      const balance = `balance ${formatCents(detail.balance)}`;
      if (detail.claimed) {
        model.noteClaim(packetId, { kind: 'claimed', amount });
        model.say(`you got ${formatCents(amount)} from ${from} · ${balance}`);
      } else if (amount > 0) {
        model.noteClaim(packetId, { kind: 'already', amount });
        model.say(`you already claimed ${from}: ${formatCents(amount)} · ${balance}`);
      } else {
        model.noteClaim(packetId, { kind: 'empty' });
        model.say(`too late: ${from} is empty`, 'error');
      }
      return;
    }
    case 'wallet': {
      model.showOverlay({ kind: 'wallet', wallet: undefined });
      const wallet = walletFromNative(await client.wallet.balance({ limit: 50 }));
      model.showOverlay({ kind: 'wallet', wallet });
      return;
    }
  }
}
