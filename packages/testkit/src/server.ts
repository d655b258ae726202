import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig, startApp, createLogger, tokenHashOf, type App, type ParleyConfig } from '@parley/server';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Environment for a test server: port 0, a fresh data dir, cheap password hashing, quiet logs. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PARLEY_TCP_HOST: '127.0.0.1',
    PARLEY_TCP_PORT: '0',
    PARLEY_HTTP_HOST: '127.0.0.1',
    PARLEY_HTTP_PORT: '0',
    PARLEY_LOG_LEVEL: 'silent',
    PARLEY_PASSWORD_LOG2N: '10',
    ...overrides,
  };
}

export interface InProcessServer {
  readonly app: App;
  /** The TCP port. */
  readonly port: number;
  /** The HTTP port: `ws://127.0.0.1:${httpPort}/ws`. */
  readonly httpPort: number;
  /** Drops every connection of a user at once, as a network failure would. Returns how many. */
  dropConnections(userId: bigint): number;
  /** Revokes a login token, as a logout elsewhere (or an admin) would. */
  revokeToken(token: string): Promise<void>;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** A real server in this process (real sockets and store), on port 0 with its own data dir. */
export async function startTestServer(overrides: Record<string, string> = {}): Promise<InProcessServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-test-'));
  const config: ParleyConfig = loadConfig(testEnv({ PARLEY_DATA_DIR: dataDir, ...overrides }));
  const app = await startApp(config, createLogger(config.logLevel));
  return {
    app,
    port: app.tcpPort,
    httpPort: app.httpPort,
    dataDir,
    dropConnections: (userId) => app.gateway.dropUser(userId),
    revokeToken: (token) => app.auth.logout(tokenHashOf(token)),
    async stop() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** The bound HTTP port. */
  readonly httpPort: number;
  /** Everything the process wrote to stdout and stderr so far. */
  readonly output: string[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/**
 * The real `parley-server start` as a child process (from source, through tsx). Resolves when it
 * logs that it listens, with the bound port.
 */
export async function spawnServer(
  env: Record<string, string>,
  options: { timeoutMs?: number; fromBuild?: boolean } = {},
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  // fromBuild runs what `npm start` runs: the compiled dist/ (npm test builds it before testing).
  const args =
    options.fromBuild === true
      ? [join(repoRoot, 'packages/server/dist/cli.js'), 'start']
      : [
          '--conditions=parley-source',
          '--import',
          'tsx',
          join(repoRoot, 'packages/server/src/cli.ts'),
          'start',
        ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...testEnv({ PARLEY_LOG_LEVEL: 'info', ...env }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve(code ?? signal ?? -1);
    });
  });
  createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
  let httpPort = 0;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not start:\n${output.join('\n')}`));
    }, timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; tcpPort?: number; httpPort?: number };
        if (entry.msg === 'parley listening' && typeof entry.tcpPort === 'number') {
          clearTimeout(timer);
          httpPort = entry.httpPort ?? 0;
          resolve(entry.tcpPort);
        }
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)}:\n${output.join('\n')}`));
    });
  });
  return { child, port, httpPort, output, exited };
}
