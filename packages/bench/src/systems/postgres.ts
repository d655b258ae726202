import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PostgreSQL the benchmark creates its databases in (trust auth on loopback, as in CI). */
export const BENCH_PG = {
  host: process.env['PARLEY_BENCH_PG_HOST'] ?? '127.0.0.1',
  port: process.env['PARLEY_BENCH_PG_PORT'] ?? '5432',
  user: process.env['PARLEY_BENCH_PG_USER'] ?? 'postgres',
};

export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

const connArgs = () => ['-h', BENCH_PG.host, '-p', BENCH_PG.port, '-U', BENCH_PG.user];

/** A fresh database for one run (createdb), dropped afterwards (dropdb --force). */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `parley_bench_${randomBytes(5).toString('hex')}`;
  try {
    await run('createdb', [...connArgs(), name]);
  } catch (err) {
    throw new Error(
      `PostgreSQL is needed at ${BENCH_PG.host}:${BENCH_PG.port} (user ${BENCH_PG.user}): createdb failed: ${String(err)}`,
      { cause: err },
    );
  }
  return {
    url: `postgres://${BENCH_PG.user}@${BENCH_PG.host}:${BENCH_PG.port}/${name}`,
    async drop() {
      await run('dropdb', [...connArgs(), '--force', '--if-exists', name]).catch(() => undefined);
    },
  };
}
