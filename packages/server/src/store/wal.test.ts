import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConversationType } from '@parley/protocol';
import { MemberRole } from '../core/types.js';
import { SqliteStore } from './sqlite-store.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'parley-wal-'));

describe('WalSync', () => {
  it('shares one fdatasync among the callers that arrive while another runs, and keeps order', async () => {
    const dir = tempDir();
    try {
      const wal = join(dir, 'db-wal');
      writeFileSync(wal, 'frames');
      const sync = new WalSync(wal);
      const order: number[] = [];
      const calls = Array.from({ length: 20 }, (_, i) => sync.sync().then(() => order.push(i)));
      await Promise.all(calls);
      assert.deepEqual(
        order,
        Array.from({ length: 20 }, (_, i) => i),
      );
      await sync.close();
      await assert.rejects(sync.sync(), /closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows a replaced WAL file, and fails (never pretends) when there is none', async () => {
    const dir = tempDir();
    try {
      const wal = join(dir, 'db-wal');
      writeFileSync(wal, 'one');
      const sync = new WalSync(wal);
      await sync.sync();
      writeFileSync(join(dir, 'other'), 'two');
      renameSync(join(dir, 'other'), wal);
      await sync.sync();
      rmSync(wal);
      await assert.rejects(sync.sync(), /ENOENT/);
      await sync.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('WalCheckpointer', () => {
  it('copies the WAL into the database file while the store writes with auto-checkpoint off', async () => {
    const dir = tempDir();
    const path = join(dir, 'parley.db');
    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      const before = statSync(path).size;
      await store.ensureConversation({
        id: 'g:1',
        type: ConversationType.GROUP,
        createdAt: 1,
        members: [{ userId: 7n, role: MemberRole.OWNER }],
      });
      const text = 'a message long enough to fill pages quickly '.repeat(20);
      await Promise.all(
        Array.from({ length: 3000 }, (_, i) =>
          store.appendMessage({
            id: 10_000n + BigInt(i),
            conversationId: 'g:1',
            senderId: 7n,
            senderDevice: 'd',
            clientMsgId: `m${String(i)}`,
            contentType: 1,
            content: new Uint8Array(200),
            searchText: text,
            serverTime: i,
          }),
        ),
      );
      // Nothing on the store's own connection checkpoints (wal_autocheckpoint = 0): only the
      // thread can grow the database file.
      const deadline = Date.now() + 10_000;
      while (statSync(path).size <= before + 1_000_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(
        statSync(path).size > before + 1_000_000,
        `database file still ${String(statSync(path).size)} bytes`,
      );
      assert.equal((await store.searchMessages(7n, 'quickly', 5, 0n)).length, 5);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a thread that died, so the writer can checkpoint again itself', async () => {
    const dir = tempDir();
    try {
      let reportDeath = (): void => undefined;
      const died = new Promise<void>((resolve) => {
        reportDeath = resolve;
      });
      // The directory does not exist: the thread cannot open the database and ends.
      const checkpointer = new WalCheckpointer(join(dir, 'missing', 'parley.db'), () => {
        reportDeath();
      });
      // The thread is unref'd: this timer keeps the test alive while it waits, and bounds the wait.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error('the thread was not reported dead'));
        }, 10_000);
      });
      await Promise.race([died, timeout]);
      clearTimeout(timer);
      await checkpointer.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
