import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeTestClient, spawnServer, type ServerProcess } from '@parley/testkit';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of this process without any PARLEY_* variables, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_')) out[k] = v;
  return { ...out, ...env };
}

/** Runs `parley-server <args>` from source and collects its output. */
function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=parley-source', '--import', 'tsx', 'packages/server/src/cli.ts', ...args],
      { cwd: repoRoot, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`parley-server ${args.join(' ')} timed out:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('parley-server CLI', { concurrency: true }, () => {
  it('--help exits 0 and documents the commands and configuration', async () => {
    const run = await cli(['--help']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /user add/);
    assert.match(run.stdout, /start/);
    assert.match(run.stdout, /PARLEY_TCP_PORT/);
    assert.match(run.stdout, /PARLEY_DATA_DIR/);
    assert.match(run.stdout, /default 7070/);
  });

  it('no arguments prints the usage and exits 2', async () => {
    const run = await cli([]);
    assert.equal(run.code, 2);
    assert.match(run.stdout + run.stderr, /Usage/);
  });

  it('an unknown command exits 2 and names the command', async () => {
    const run = await cli(['frobnicate', '--now']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command: frobnicate --now/);
  });

  it('user add with missing arguments exits 2 with the usage', async () => {
    const run = await cli(['user', 'add', 'only-a-name']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /usage: parley-server user add/);
  });

  it('start with a bad config value exits 1 with a clear message naming the key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-badcfg-'));
    try {
      const run = await cli(['start'], { PARLEY_TCP_PORT: 'abc', PARLEY_DATA_DIR: dataDir });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^error: PARLEY_TCP_PORT must be an integer, got "abc"$/m);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'a config error is a message, not a stack trace');
      assert.doesNotMatch(run.stdout, /parley listening/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('parley-server user add, then start', () => {
  let dataDir: string;
  let aliceId: string;
  let server: ServerProcess | undefined;
  const clients: NativeTestClient[] = [];

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
  });

  after(async () => {
    for (const c of clients) c.destroy();
    if (server !== undefined && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const userEnv = () => ({ PARLEY_DATA_DIR: dataDir, PARLEY_PASSWORD_LOG2N: '10' });

  it('creates a user and prints its id', async () => {
    const run = await cli(['user', 'add', 'alice', 'secret-pw', '--display-name', 'Alice A.'], userEnv());
    assert.equal(run.code, 0, run.stderr);
    const match = /created user alice with id (\d+)/.exec(run.stdout);
    assert.ok(match?.[1] !== undefined, `no id in ${JSON.stringify(run.stdout)}`);
    aliceId = match[1];
    assert.ok(BigInt(aliceId) > 0n);
  });

  it('refuses a second user with the same name (exit 1, names the username)', async () => {
    const run = await cli(['user', 'add', 'alice', 'secret-pw'], userEnv());
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^error: .*alice.*taken/m);
    assert.doesNotMatch(run.stdout, /created user/);
  });

  it('credits a wallet, and refuses an unknown user or a bad amount', async () => {
    const run = await cli(['wallet', 'credit', 'alice', '1500'], userEnv());
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /credited 1500 to alice: balance 1500/);
    const again = await cli(['wallet', 'credit', 'alice', '500'], userEnv());
    assert.match(again.stdout, /balance 2000/);
    const unknown = await cli(['wallet', 'credit', 'nobody', '5'], userEnv());
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no user named nobody/);
    assert.equal((await cli(['wallet', 'credit', 'alice', '1.5'], userEnv())).code, 2);
  });

  it('the started server logs in the CLI-created user over TCP', async () => {
    server = await spawnServer({ PARLEY_DATA_DIR: dataDir });
    assert.ok(server.port > 0);
    const client = await NativeTestClient.connect(server.port);
    clients.push(client);
    const res = await client.login('alice', 'secret-pw', 'cli-test-device');
    assert.equal(String(res.userId), aliceId);
    assert.equal(res.username, 'alice');
    assert.equal(res.displayName, 'Alice A.');
    assert.notEqual(res.token, '');

    const wrong = await NativeTestClient.connect(server.port);
    clients.push(wrong);
    await assert.rejects(wrong.login('alice', 'not-the-password', 'other-device'), {
      name: 'AuthFailedError',
    });
  });

  it('SIGTERM stops the server gracefully with exit code 0', async () => {
    assert.ok(server !== undefined);
    const started = Date.now();
    server.child.kill('SIGTERM');
    const code = await server.exited;
    assert.equal(code, 0, server.output.join('\n'));
    assert.ok(Date.now() - started < 10_000, 'shutdown is prompt');
    const messages = server.output.flatMap((line) => {
      try {
        return [(JSON.parse(line) as { msg?: unknown }).msg];
      } catch {
        return [];
      }
    });
    assert.ok(messages.includes('signal received'), messages.join(', '));
    assert.ok(messages.includes('stopped'), `no 'stopped' log line in: ${messages.join(', ')}`);
    assert.equal(messages.at(-1), 'stopped', "'stopped' is the last log line");
    await clients[0]?.closed;
    assert.equal(clients[0]?.isClosed, true, 'client connections are closed by the shutdown');
  });
});
