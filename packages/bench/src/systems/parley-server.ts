import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FROM_SOURCE, REPO_ROOT, SOURCE_EXEC_ARGV } from '../util/fork.js';
import { freePort } from '../util/ports.js';
import { createBenchDatabase, type BenchDatabase } from './postgres.js';
import type { RunningSystem } from './running-system.js';

export type ParleyStore = 'sqlite' | 'postgres';

export interface ParleyOptions {
  readonly store: ParleyStore;
  /** Extra server environment (e.g. PARLEY_GROUP_NOTIFY_THRESHOLD). */
  readonly env?: Record<string, string>;
  /** Extra node flags for the server process, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

/** Settings every benchmark server gets: loopback, quiet logs, cheap password hashing. */
export function benchServerEnv(): Record<string, string> {
  return {
    PARLEY_TCP_HOST: '127.0.0.1',
    PARLEY_HTTP_HOST: '127.0.0.1',
    PARLEY_LOG_LEVEL: 'warn',
    // Users are registered by the thousand; scrypt at the minimum cost keeps that in seconds.
    PARLEY_PASSWORD_LOG2N: '10',
    // Thousands of connections log in at once and queue for scrypt: give them time.
    PARLEY_AUTH_TIMEOUT_MS: '300000',
    PARLEY_SHUTDOWN_GRACE_MS: '1000',
    // Load from one host is one "client address" sending far above a person's rate: the abuse
    // limits are off (0), or they, not the server's capacity, would be measured.
    PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '0',
    PARLEY_MAX_LOGIN_FAILURES_PER_ADDRESS: '0',
    PARLEY_MAX_MESSAGES_PER_CONNECTION: '0',
    PARLEY_MAX_MESSAGES_PER_USER: '0',
  };
}

export interface ParleyNode {
  readonly child: ChildProcess;
  readonly tcpPort: number;
  readonly httpPort: number;
  output(): string;
  readonly exited: Promise<number | string>;
}

/**
 * One real `parley-server start` process: dist/cli.js from `npm run bench`, the TypeScript source
 * through tsx from the smoke test. Resolves when /readyz answers.
 */
export async function spawnParleyNode(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<ParleyNode> {
  const tcpPort = await freePort();
  const httpPort = await freePort();
  const flags = [...(await serverNodeFlags()), ...nodeArgs];
  const args = FROM_SOURCE
    ? [...flags, ...SOURCE_EXEC_ARGV, join(REPO_ROOT, 'packages/server/src/cli.ts'), 'start']
    : [...flags, join(REPO_ROOT, 'packages/server/dist/cli.js'), 'start'];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...benchServerEnv(),
      PARLEY_TCP_PORT: String(tcpPort),
      PARLEY_HTTP_PORT: String(httpPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l !== ''),
    );
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? -1);
    });
  });
  const output = () => lines.slice(-60).join('\n');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`parley-server exited during start:\n${output()}`);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`parley-server did not become ready:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, tcpPort, httpPort, output, exited };
}

export async function stopParleyNode(node: ParleyNode, fast = false): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill(fast ? 'SIGKILL' : 'SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), 20_000);
  await node.exited;
  clearTimeout(timer);
}

export const parleyLabel = (store: ParleyStore) =>
  store === 'sqlite' ? 'Parley (SQLite)' : 'Parley (PostgreSQL)';

/** A single Parley server with a fresh data dir (SQLite) or a fresh database (PostgreSQL). */
export async function startParley(options: ParleyOptions): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  let db: BenchDatabase | undefined;
  try {
    if (options.store === 'postgres') db = await createBenchDatabase();
    const node = await spawnParleyNode(
      {
        PARLEY_DATA_DIR: dataDir,
        PARLEY_NODE_NAME: `bench-${randomBytes(3).toString('hex')}`,
        ...(db === undefined ? {} : { PARLEY_DATABASE_URL: db.url }),
        ...options.env,
      },
      options.nodeArgs,
    );
    const pid = node.child.pid;
    if (pid === undefined) throw new Error('parley-server has no pid');
    return {
      label: parleyLabel(options.store),
      kind: 'parley',
      targets: [{ host: '127.0.0.1', port: node.tcpPort }],
      pids: [pid],
      httpPort: node.httpPort,
      async stop(stopOptions) {
        await stopParleyNode(node, stopOptions?.fast === true);
        await db?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** The node flags `npm start` gives the server (packages/server/src/node-flags.ts): it runs as shipped. */
async function serverNodeFlags(): Promise<readonly string[]> {
  const file = FROM_SOURCE ? 'packages/server/src/node-flags.ts' : 'packages/server/dist/node-flags.js';
  const module = (await import(pathToFileURL(join(REPO_ROOT, file)).href)) as {
    SERVER_NODE_FLAGS: readonly string[];
  };
  return module.SERVER_NODE_FLAGS;
}

/** V8's largest semi-space on 64-bit machines when no flag sets it (Node 20). */
const DEFAULT_SEMI_SPACE_MB = 16;

/**
 * The most Parley's young generation can grow to: two semi-spaces of the size its node flags
 * allow. V8 reaches it under allocation pressure whatever the number of connections.
 */
export async function parleyYoungGenerationCapBytes(): Promise<number> {
  const flag = (await serverNodeFlags()).find((f) => f.startsWith('--max-semi-space-size='));
  const mb = flag === undefined ? DEFAULT_SEMI_SPACE_MB : Number(flag.slice(flag.indexOf('=') + 1));
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`cannot read the semi-space size from ${flag ?? ''}`);
  return 2 * mb * 1024 * 1024;
}
