import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerContract } from './ledger-contract.js';
import { SqliteStore } from './sqlite-store.js';

ledgerContract('SQLite (four connections to one file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-ledger-'));
  const path = join(dir, 'parley.db');
  const first = new SqliteStore({ path });
  await first.migrate();
  await first.close();
  return {
    open: () => Promise.resolve(new SqliteStore({ path })),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
});
