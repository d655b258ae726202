// The long live-server fuzz run (the CI-size run is packages/server/src/e2e/fuzz.test.ts).
// It starts the real server as a child process (`parley-server start` from source), registers a
// few users, and sends mutated frames of every dialect over TCP and WebSocket until the time is up,
// printing progress every 10 s. A server exit is a crash: its last log lines are printed, it is
// restarted, and the run goes on. Afterwards a normal client must still chat.
//
//   node scripts/fuzz-long.mjs
//
// Environment: PARLEY_FUZZ_DURATION_MS (default 600000), PARLEY_FUZZ_SEED (default: the clock),
// PARLEY_FUZZ_CONCURRENCY (connections at once, default 50), PARLEY_FUZZ_FRAMES (most frames per
// connection, default 16). Exit status 1 when anything failed: a crash, an error logged by the
// server, bytes the server wrote that its own dialect cannot decode, or the final chat.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

// The fuzzer and testkit are TypeScript: run this file again under tsx with the source condition.
if (process.env.PARLEY_FUZZ_UNDER_TSX !== '1') {
  const result = spawnSync(
    process.execPath,
    ['--conditions=parley-source', '--import', 'tsx', self, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, PARLEY_FUZZ_UNDER_TSX: '1' } },
  );
  process.exit(result.status ?? 1);
}

const { runLiveFuzz, registerFuzzUsers, emptyStats } =
  await import('../packages/server/src/e2e/fuzz/live-fuzzer.ts');
const { NativeTestClient, spawnServer } = await import('@parley/testkit');

const num = (name, fallback) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};
const durationMs = num('PARLEY_FUZZ_DURATION_MS', 600_000);
const seed = num('PARLEY_FUZZ_SEED', Date.now() % 1_000_000_000);
const concurrency = num('PARLEY_FUZZ_CONCURRENCY', 50);
const framesPerSession = num('PARLEY_FUZZ_FRAMES', 16);

const dataDir = mkdtempSync(join(tmpdir(), 'parley-fuzz-long-'));
const env = {
  PARLEY_DATA_DIR: dataDir,
  PARLEY_MAX_FRAME_BYTES: '65536',
  PARLEY_MAX_WRITE_BUFFER_BYTES: '65536',
  PARLEY_MAX_INFLIGHT_REQUESTS: '8',
  PARLEY_AUTH_TIMEOUT_MS: '2000',
  PARLEY_IDLE_TIMEOUT_MS: '4000',
  PARLEY_MAX_LOGIN_FAILURES: '1000000000',
  PARLEY_MAX_LOGIN_FAILURES_PER_ADDRESS: '1000000000',
  PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '100000',
  PARLEY_MAX_MESSAGES_PER_CONNECTION: '1000000000',
  PARLEY_MAX_MESSAGES_PER_USER: '1000000000',
};

const total = emptyStats();
const crashes = [];
const errorLines = [];
let generation = 0;
let peakRssKb = 0;
let startRssKb = 0;

function rssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Error-level (50+) log lines of the server so far, from `from` on. */
function errorsIn(output, from) {
  const out = [];
  for (const line of output.slice(from)) {
    try {
      const entry = JSON.parse(line);
      if (typeof entry.level === 'number' && entry.level >= 50) out.push(line);
    } catch {
      // stderr text or a partial line: a crash shows as the process exit.
    }
  }
  return out;
}

function add(stats) {
  for (const key of [
    'sessions',
    'framesSent',
    'mutatedFrames',
    'bytesSent',
    'bytesReceived',
    'closedByServer',
  ]) {
    total[key] += stats[key];
  }
  for (const [kind, n] of Object.entries(stats.byKind)) total.byKind[kind] = (total.byKind[kind] ?? 0) + n;
  for (const f of stats.failures) if (total.failures.length < 100) total.failures.push(f);
}

const started = Date.now();
const deadline = started + durationMs;
console.log(
  `fuzz-long: seed ${seed}, ${Math.round(durationMs / 1000)} s, ${concurrency} connections at once, ` +
    `up to ${framesPerSession} frames each`,
);

while (Date.now() < deadline) {
  const server = await spawnServer(env);
  const pid = server.child.pid ?? 0;
  if (startRssKb === 0) startRssKb = rssKb(pid);
  let dead = false;
  void server.exited.then(() => {
    dead = true;
  });
  const users = await registerFuzzUsers('127.0.0.1', server.port, 8, `fz${generation}u`);
  const target = { host: '127.0.0.1', tcpPort: server.port, httpPort: server.httpPort, users };
  let lastPrint = Date.now();
  let checkedLines = 0;
  const stats = await runLiveFuzz(target, {
    seed: seed + generation * 1_000_000,
    concurrency,
    framesPerSession,
    lingerMs: 40,
    until: () => dead || Date.now() >= deadline,
    onBatch: (s) => {
      peakRssKb = Math.max(peakRssKb, rssKb(pid));
      const found = errorsIn(server.output, checkedLines);
      checkedLines = server.output.length;
      errorLines.push(...found.slice(0, 20));
      if (Date.now() - lastPrint >= 10_000) {
        lastPrint = Date.now();
        console.log(
          `  ${Math.round((Date.now() - started) / 1000)} s: ${total.sessions + s.sessions} sessions, ` +
            `${total.framesSent + s.framesSent} frames (${total.mutatedFrames + s.mutatedFrames} mutated), ` +
            `${crashes.length} crashes, ${errorLines.length} error logs, ${total.failures.length + s.failures.length} failures, ` +
            `server RSS ${Math.round(rssKb(pid) / 1024)} MB`,
        );
      }
    },
  });
  add(stats);
  errorLines.push(...errorsIn(server.output, checkedLines).slice(0, 20));
  if (dead) {
    crashes.push({ exit: await server.exited, tail: server.output.slice(-30) });
    console.log(
      `  the server died (${String(await server.exited)}); last lines:\n    ${server.output.slice(-30).join('\n    ')}`,
    );
    generation += 1;
    continue;
  }
  // The time is up: a normal client must still chat on the fuzzed server.
  const a = await NativeTestClient.connect(server.port);
  const b = await NativeTestClient.connect(server.port);
  let chatOk = false;
  try {
    await a.register('longrun-a', 'longrun-a-password');
    const bId = await b.register('longrun-b', 'longrun-b-password');
    await a.login('longrun-a', 'longrun-a-password', 'a');
    await b.login('longrun-b', 'longrun-b-password', 'b');
    const ack = await a.sendText(bId, 'after the fuzz', 'after-1');
    await b.waitFor(() => b.pushedMessages().some((m) => m.messageId === ack.messageId), 5000, 'push');
    chatOk = true;
  } catch (err) {
    total.failures.push(`a normal client could not chat afterwards: ${String(err)}`);
  } finally {
    a.destroy();
    b.destroy();
  }
  const endRssKb = rssKb(pid);
  server.child.kill('SIGTERM');
  await server.exited;
  console.log(
    `fuzz-long done in ${Math.round((Date.now() - started) / 1000)} s (seed ${seed}): ${total.sessions} sessions, ` +
      `${total.framesSent} frames sent (${total.mutatedFrames} mutated), ${total.bytesSent} bytes sent, ` +
      `${total.bytesReceived} received, ${total.closedByServer} connections closed by the server; ` +
      `${crashes.length} crashes, ${errorLines.length} error log lines, ${total.failures.length} failures; ` +
      `server RSS ${Math.round(startRssKb / 1024)} MB at start, ${Math.round(peakRssKb / 1024)} MB peak, ` +
      `${Math.round(endRssKb / 1024)} MB at the end; normal chat afterwards: ${chatOk ? 'ok' : 'FAILED'}`,
  );
  console.log(`by kind: ${JSON.stringify(total.byKind)}`);
  break;
}

for (const line of errorLines.slice(0, 20)) console.log(`error log: ${line}`);
for (const f of total.failures.slice(0, 20)) console.log(`failure: ${f}`);
rmSync(dataDir, { recursive: true, force: true });
process.exit(crashes.length === 0 && errorLines.length === 0 && total.failures.length === 0 ? 0 : 1);
