import { open, stat, type FileHandle } from 'node:fs/promises';

/**
 * Makes the commits of a WAL-mode SQLite connection durable off the event loop. A group commit
 * runs with `synchronous = NORMAL` (its frames reach the WAL file, not the disk) and its acks wait
 * for `sync()`: an fdatasync of the WAL file on libuv's thread pool, where SQLite's FULL mode would
 * have blocked the event loop for it (milliseconds per commit on this kind of disk).
 *
 * One fdatasync at a time; callers that arrive while one runs share the next one, since the running
 * one may have started before their commit.
 */
export class WalSync {
  #file: { readonly handle: FileHandle; readonly ino: number } | undefined;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #closed = false;

  constructor(readonly walPath: string) {}

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    if (this.#running === undefined) {
      this.#running = this.#datasync().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        return this.sync();
      });
    return this.#next;
  }

  /** Waits for the syncs asked for so far, then closes the file. */
  async close(): Promise<void> {
    await this.#next?.catch(() => undefined);
    await this.#running?.catch(() => undefined);
    this.#closed = true;
    const file = this.#file;
    this.#file = undefined;
    await file?.handle.close();
  }

  async #datasync(): Promise<void> {
    // The WAL file keeps its inode while the database is open; should it ever be replaced, the
    // new one is opened, so the sync never lands on a file SQLite no longer writes.
    const current = await stat(this.walPath);
    let file = this.#file;
    if (file?.ino !== current.ino) {
      const stale = file;
      const handle = await open(this.walPath, 'r');
      file = { handle, ino: (await handle.stat()).ino };
      this.#file = file;
      await stale?.handle.close();
    }
    await file.handle.datasync();
  }
}
