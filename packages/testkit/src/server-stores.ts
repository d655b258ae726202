import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './postgres.js';

/** Server environment variables that select a store, and how to clean it up afterwards. */
export interface ServerStoreEnv {
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

export interface ServerStore {
  readonly name: string;
  open(): Promise<ServerStoreEnv>;
}

/**
 * Both stores a server can run on, for end-to-end suites that must pass on each: SQLite in the
 * test server's own data dir, and PostgreSQL in a fresh database dropped afterwards.
 */
export const SERVER_STORES: readonly ServerStore[] = [
  { name: 'SQLite', open: () => Promise.resolve({ env: {}, cleanup: () => Promise.resolve() }) },
  {
    name: 'PostgreSQL',
    async open() {
      const db = await createTestDatabase();
      return {
        env: { PARLEY_DATABASE_URL: db.url, PARLEY_DATA_DIR: join(tmpdir(), 'parley-unused') },
        cleanup: () => db.drop(),
      };
    },
  },
];
