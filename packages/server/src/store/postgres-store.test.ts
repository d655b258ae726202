import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { storeContract } from '@parley/testkit';
import { PostgresStore } from './postgres-store.js';

const url = process.env['PARLEY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs `sql` on a short-lived connection; an unreachable server fails the run, never skips it. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `PostgreSQL is unreachable at ${url} (${reason}). Start it, or point PARLEY_TEST_DATABASE_URL at one.`,
      { cause: err },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

storeContract('PostgresStore', async () => {
  await admin('SELECT 1');
  // A fresh schema per run: runs never see each other's rows, and dropping it cleans up everything.
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  // A small pool per store: the concurrency tests open many stores at once.
  const open = () => new PostgresStore({ connectionString: url, schema, poolSize: 4 });
  return {
    store: open(),
    openAnother: () => Promise.resolve(open()),
    cleanup: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
});
