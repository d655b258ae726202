import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '@parley/testkit';
import { SqliteStore } from './sqlite-store.js';

storeContract('SqliteStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-sqlite-'));
  // A nested path also checks that the store creates its directory.
  const path = join(dir, 'data', 'parley.db');
  return {
    store: new SqliteStore({ path }),
    openAnother: () => Promise.resolve(new SqliteStore({ path })),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
