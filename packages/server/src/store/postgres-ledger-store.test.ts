import { createTestDatabase } from '@parley/testkit';
import { ledgerContract } from './ledger-contract.js';
import { PostgresStore } from './postgres-store.js';

ledgerContract('PostgreSQL (four pools on one database)', async () => {
  const db = await createTestDatabase();
  const first = new PostgresStore({ connectionString: db.url, poolSize: 2 });
  await first.migrate();
  await first.close();
  return {
    open: () => Promise.resolve(new PostgresStore({ connectionString: db.url, poolSize: 8 })),
    cleanup: () => db.drop(),
  };
});
