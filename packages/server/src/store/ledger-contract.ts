import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError } from '@parley/protocol';
import {
  LedgerKind,
  RedPacketMode,
  RedPacketState,
  type LedgerStore,
  type NewRedPacket,
} from '../core/ledger-store.js';
import { randomShare } from '../core/red-packet-shares.js';
import { SnowflakeGenerator } from '../core/snowflake.js';
import type { Store } from '../core/store.js';

/** Opens stores on one fresh, migrated database; each call is another connection (or pool). */
export interface LedgerFixture {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

/**
 * The LedgerStore contract (core/ledger-store.ts), run against SQLite and PostgreSQL. Money is
 * only ever moved, never made or lost: the suite checks the totals after every scenario.
 */
export function ledgerContract(name: string, openFixture: () => Promise<LedgerFixture>): void {
  void describe(`LedgerStore contract: ${name}`, () => {
    let fixture: LedgerFixture | undefined;
    const stores: Store[] = [];
    const ids = new SnowflakeGenerator(7);
    let userSeq = 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000)) * 1000n;
    const newUser = (): bigint => ++userSeq;
    let ledgers: LedgerStore[] = [];
    const l = (i = 0): LedgerStore => {
      const ledger = ledgers[i % ledgers.length];
      assert.ok(ledger, 'ledger fixture failed to open');
      return ledger;
    };
    const packet = (senderId: bigint, over: Partial<NewRedPacket> = {}): NewRedPacket => ({
      id: ids.next(),
      senderId,
      clientMsgId: `rp-${ids.next()}`,
      conversationId: `g:${ids.next()}`,
      total: 1000,
      count: 10,
      mode: RedPacketMode.RANDOM,
      greeting: 'gong xi',
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      ...over,
    });

    before(async () => {
      fixture = await openFixture();
      for (let i = 0; i < 4; i++) stores.push(await fixture.open());
      ledgers = stores.map((s) => s.ledger);
    });

    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await fixture?.cleanup();
    });

    it('credits, keeps a ledger row per movement, newest first, with running balances', async () => {
      const u = newUser();
      assert.equal(await l().balance(u), 0);
      assert.equal(await l().credit(u, 500, ids.next(), 1), 500);
      assert.equal(await l(1).credit(u, 250, ids.next(), 2), 750);
      const entries = await l().entries(u, 0n, 10);
      assert.deepEqual(
        entries.map((e) => [e.delta, e.balanceAfter, e.kind]),
        [
          [250, 750, LedgerKind.CREDIT],
          [500, 500, LedgerKind.CREDIT],
        ],
      );
      const older = await l().entries(u, entries[0]?.id ?? 0n, 10);
      assert.equal(older.length, 1);
    });

    it('debits the sender for a packet once per clientMsgId, and never below zero', async () => {
      const u = newUser();
      await l().credit(u, 1500, ids.next(), 1);
      const p = packet(u);
      const first = await l().createRedPacket(p, ids.next());
      assert.equal(first.created, true);
      assert.equal(first.packet.remainingAmount, 1000);
      assert.equal(first.packet.state, RedPacketState.OPEN);
      const again = await l(1).createRedPacket({ ...p, id: ids.next() }, ids.next());
      assert.equal(again.created, false);
      assert.equal(again.packet.id, p.id);
      assert.equal(await l().balance(u), 500);
      await assert.rejects(l().createRedPacket(packet(u, { total: 501 }), ids.next()), ConflictError);
      assert.equal(await l().balance(u), 500, 'a refused packet moves nothing');
      assert.equal((await l().entries(u, 0n, 10)).length, 2);
    });

    it('200 concurrent claims on a 50-share packet: exactly 50 succeed and the totals add up', async () => {
      const sender = newUser();
      await l().credit(sender, 100_000, ids.next(), 1);
      const p = packet(sender, { total: 12_345, count: 50 });
      await l().createRedPacket(p, ids.next());
      const claimers = Array.from({ length: 200 }, newUser);
      const outcomes = await Promise.all(
        claimers.map((u, i) => l(i).claimRedPacket(p.id, u, Date.now(), ids.next(), randomShare)),
      );
      const won = outcomes.filter((o) => o.kind === 'claimed');
      assert.equal(won.length, 50);
      assert.equal(outcomes.filter((o) => o.kind === 'empty').length, 150);
      const amounts = won.map((o) => o.amount);
      assert.ok(amounts.every((a) => a >= 1));
      assert.equal(
        amounts.reduce((a, b) => a + b, 0),
        12_345,
        'the shares sum to the total',
      );
      const emptied = await l().getRedPacket(p.id);
      assert.ok(emptied);
      assert.equal(emptied.state, RedPacketState.EMPTY);
      assert.equal(emptied.remainingAmount, 0);
      assert.equal((await l().claims(p.id)).length, 50);
      const balances = await Promise.all([sender, ...claimers].map((u) => l().balance(u)));
      assert.equal(
        balances.reduce((a, b) => a + b, 0),
        100_000,
        'no amount created or lost',
      );
      // A second claim by a winner gets its first amount back, not a second share.
      const winner = claimers[outcomes.findIndex((o) => o.kind === 'claimed')] ?? 0n;
      const again = await l(3).claimRedPacket(p.id, winner, Date.now(), ids.next(), randomShare);
      assert.equal(again.kind, 'already');
    });

    it('expiry returns the rest to the sender exactly once, however many sweep', async () => {
      const sender = newUser();
      const claimer = newUser();
      await l().credit(sender, 1000, ids.next(), 1);
      const p = packet(sender, { total: 1000, count: 4, expiresAt: Date.now() + 200 });
      await l().createRedPacket(p, ids.next());
      const got = await l().claimRedPacket(p.id, claimer, Date.now(), ids.next(), () => 100);
      assert.equal(got.kind, 'claimed');
      await new Promise((r) => setTimeout(r, 250));
      const late = await l().claimRedPacket(p.id, newUser(), Date.now(), ids.next(), randomShare);
      assert.equal(late.kind, 'expired');
      const sweeps = await Promise.all(
        ledgers.map((ledger) => ledger.expireRedPackets(Date.now(), () => ids.next(), 10)),
      );
      const closedHere = sweeps.flat().filter((x) => x.id === p.id);
      assert.equal(closedHere.length, 1, 'closed by exactly one sweeper');
      assert.equal(await l().balance(sender), 900);
      const refunds = (await l().entries(sender, 0n, 10)).filter(
        (e) => e.kind === LedgerKind.RED_PACKET_REFUND,
      );
      assert.deepEqual(
        refunds.map((e) => e.delta),
        [900],
      );
      assert.equal((await l().getRedPacket(p.id))?.state, RedPacketState.EXPIRED);
      assert.equal(
        (await l(2).expireRedPackets(Date.now(), () => ids.next(), 10)).filter((x) => x.id === p.id).length,
        0,
      );
    });

    it('refunds a packet whose message was never posted, once', async () => {
      const sender = newUser();
      await l().credit(sender, 300, ids.next(), 1);
      const p = packet(sender, { total: 300, count: 3 });
      await l().createRedPacket(p, ids.next());
      const [a, b] = await Promise.all([
        l(0).refundRedPacket(p.id, Date.now(), ids.next()),
        l(1).refundRedPacket(p.id, Date.now(), ids.next()),
      ]);
      assert.equal([a, b].filter((x) => x !== undefined).length, 1);
      assert.equal(await l().balance(sender), 300);
      const claim = await l().claimRedPacket(p.id, newUser(), Date.now(), ids.next(), randomShare);
      assert.equal(claim.kind, 'expired');
      assert.equal(
        (await l().claimRedPacket(ids.next(), newUser(), Date.now(), ids.next(), randomShare)).kind,
        'missing',
      );
    });
  });
}
