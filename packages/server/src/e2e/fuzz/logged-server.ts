import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { testEnv } from '@parley/testkit';
import { createLogger, loadConfig, startApp, type App } from '../../index.js';

export interface LogEntry {
  readonly level: number;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export interface LoggedServer {
  readonly app: App;
  /** Every log line at `level` or above, parsed. */
  readonly logs: LogEntry[];
  stop(): Promise<void>;
}

/** pino's numeric level of `error`: what a handled bad input must never produce. */
export const ERROR_LEVEL = 50;

/**
 * A real server in this process (like testkit's startTestServer) whose log lines are kept, so a
 * test can assert that nothing it did made the server log an error (an unexpected exception in a
 * handler is logged at `error` and answered INTERNAL: the symptom of a bug, even when the
 * client gets an answer).
 */
export async function startLoggedServer(
  overrides: Record<string, string> = {},
  level = 'warn',
): Promise<LoggedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-fuzz-'));
  const logs: LogEntry[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogEntry);
      }
      done();
    },
  });
  const config = loadConfig(testEnv({ PARLEY_DATA_DIR: dataDir, PARLEY_LOG_LEVEL: level, ...overrides }));
  const app = await startApp(config, createLogger(level, sink));
  return {
    app,
    logs,
    async stop() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
