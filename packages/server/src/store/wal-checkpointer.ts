import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code (CommonJS, evaluated): its own connection to the database, a PASSIVE
 * checkpoint every `intervalMs`. PASSIVE never waits for or blocks the writer; frames it could not
 * copy yet are copied by a later round.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000 });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Tried again next round; a database that stays broken fails the writer's own statements.
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * WAL checkpoints on a thread of their own. A checkpoint copies the WAL's pages into the database
 * file and fsyncs it; run by the writing connection (SQLite's auto-checkpoint) it blocked the event
 * loop for about as long as the appends themselves took. The writer turns auto-checkpoint off while
 * this runs, and back on should the thread die.
 */
export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(path: string, onDied: () => void, intervalMs = 100) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(CHECKPOINTER, { eval: true, workerData: { path, driver, intervalMs } });
    let stopping = false;
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', () => {
        if (!stopping) onDied();
        resolve();
      });
    });
    this.#worker.on('error', () => undefined);
    this.#worker.unref();
    this.stop = async () => {
      stopping = true;
      // Unref'd while it runs; waiting for its exit must keep the process alive.
      this.#worker.ref();
      this.#worker.postMessage('stop');
      await this.#exited;
    };
  }

  /** Ends the thread (after the checkpoint in progress, if any). */
  readonly stop: () => Promise<void>;
}
