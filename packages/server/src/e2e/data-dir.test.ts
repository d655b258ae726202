import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { NativeTestClient, spawnServer, testEnv } from '@parley/testkit';

/**
 * An unusable data directory at startup (issue 10): the real `parley-server` process stops with
 * one clear line naming the directory and a non-zero exit status, and writes nothing; a database
 * that was there is intact afterwards and serves again once the directory is writable.
 */

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));

/** Runs `parley-server <args>` to its end; the output is stdout and stderr together. */
function run(args: string[], env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    ['--conditions=parley-source', '--import', 'tsx', cli, ...args],
    {
      env: { ...process.env, ...testEnv({ PARLEY_LOG_LEVEL: 'warn', ...env }) },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function assertCleanFailure(result: { status: number | null; output: string }, dir: string): void {
  assert.equal(result.status, 1, result.output);
  assert.match(result.output, /error: data directory .* is not usable/);
  assert.ok(result.output.includes(dir), 'the message names the directory');
  // One line, not a stack trace.
  assert.doesNotMatch(result.output, /\n\s+at /, result.output);
}

describe('an unusable data directory at startup', () => {
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const c of cleanups.reverse()) c();
  });
  const tempDir = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), name));
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    return dir;
  };

  it('a path that is not a directory: a clear error and exit status 1', () => {
    const base = tempDir('parley-notdir-');
    writeFileSync(join(base, 'file'), 'not a directory');
    const dataDir = join(base, 'file', 'data');
    assertCleanFailure(run(['start'], { PARLEY_DATA_DIR: dataDir }), dataDir);
  });

  it('a full disk (the database on /dev/full): a clear error and exit status 1', () => {
    const dataDir = tempDir('parley-full-');
    symlinkSync('/dev/full', join(dataDir, 'parley.db'));
    const result = run(['start'], { PARLEY_DATA_DIR: dataDir });
    assertCleanFailure(result, dataDir);
    assert.match(result.output, /full/);
  });

  it('a read-only data directory holding a database: a clear error, and the data intact afterwards', async () => {
    const base = tempDir('parley-ro-');
    // Root ignores permission bits, so as root the directory is a tmpfs remounted read-only;
    // anyone else gets the permission bits cleared.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', base]);
      cleanups.push(() => {
        execFileSync('umount', ['-l', base]);
      });
    }
    const dataDir = join(base, 'data');
    mkdirSync(dataDir);
    const created = run(['user', 'add', 'keeper', 'keeper-password'], { PARLEY_DATA_DIR: dataDir });
    assert.equal(created.status, 0, created.output);

    const setWritable = (writable: boolean) => {
      if (asRoot) execFileSync('mount', ['-o', `remount,${writable ? 'rw' : 'ro'}`, base]);
      else {
        chmodSync(join(dataDir, 'parley.db'), writable ? 0o644 : 0o444);
        chmodSync(dataDir, writable ? 0o755 : 0o555);
      }
    };
    setWritable(false);
    try {
      assertCleanFailure(run(['start'], { PARLEY_DATA_DIR: dataDir }), dataDir);
    } finally {
      setWritable(true);
    }

    const db = new Database(join(dataDir, 'parley.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
    const server = await spawnServer({ PARLEY_DATA_DIR: dataDir });
    try {
      const client = await NativeTestClient.connect(server.port);
      const login = await client.login('keeper', 'keeper-password', 'k-pc');
      assert.ok(login.userId > 0n, 'the user from before is still there');
      client.destroy();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
