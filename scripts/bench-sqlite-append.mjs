// A micro benchmark of SqliteStore appends alone (no sockets, no protocol): the store's share of a
// 1:1 message, for changes to the append path (the whole system is `npm run bench`).
// 40,000 appends over 100 SINGLE conversations, in batches of 100 with 8 batches in flight, so the
// group commit sees what a busy server gives it. Needs a build (`npx tsc -b packages/server`).
//
//   node scripts/bench-sqlite-append.mjs [DIR]     (DIR: where the database goes; default: tmpdir)
//
// Compare a change by running it before and after on the same machine, alternating; a folder on
// tmpfs (/dev/shm) shows the CPU cost without the disk's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import { SqliteStore } from '../packages/server/dist/store/sqlite-store.js';

const base = process.argv[2] ?? tmpdir();
const dir = mkdtempSync(join(base, 'parley-append-bench-'));
const CONVERSATIONS = 100;
const BATCHES = 400;
const IN_FLIGHT = 8;

try {
  const store = new SqliteStore({ path: join(dir, 'parley.db') });
  await store.migrate();
  const conversations = [];
  for (let i = 1; i <= CONVERSATIONS; i++) {
    const id = `s:${i}:${i + 1000}`;
    await store.ensureConversation({
      id,
      type: 0,
      createdAt: 1,
      members: [
        { userId: BigInt(i), role: 0 },
        { userId: BigInt(i + 1000), role: 0 },
      ],
    });
    conversations.push({ id, sender: BigInt(i) });
  }
  const content = new Uint8Array(110).fill(65);
  let n = 0;
  const inFlight = [];
  const started = performance.now();
  for (let batch = 0; batch < BATCHES; batch++) {
    const appends = conversations.map(({ id, sender }) => {
      n += 1;
      return store.appendMessage({
        id: BigInt(n),
        conversationId: id,
        senderId: sender,
        senderDevice: 'bench',
        clientMsgId: `c${n}`,
        contentType: 1,
        content,
        searchText: `hello world, message number ${n}`,
        serverTime: Date.now(),
      });
    });
    inFlight.push(Promise.all(appends));
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(inFlight);
  const ms = performance.now() - started;
  console.log(
    `${n} appends in ${ms.toFixed(0)} ms: ${((n / ms) * 1000).toFixed(0)}/s, ${((ms * 1000) / n).toFixed(1)} µs each (${base})`,
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
