import type { ClientStorage, OutboxRecord, StoredSession } from './storage.js';

const SESSION = 'session';
const CURSORS = 'cursors';
const OUTBOX = 'outbox';
const SESSION_KEY = 'current';

interface CursorRow {
  readonly key: string;
  /** Decimal: BigInt is not a valid IndexedDB key and older engines cannot clone it. */
  readonly seq: string;
}

/**
 * ClientStorage in the browser's IndexedDB: the token, cursors and outbox survive a reload, so a
 * page that comes back resumes its session, pulls only what it missed and re-sends what was never
 * acknowledged. One database per name (use one per account or app).
 *
 * Writes are one transaction each. IndexedDB runs read-write transactions over the same store in
 * the order they were created, which is the ordering ClientStorage asks for.
 */
export class IndexedDbStorage implements ClientStorage {
  private db: Promise<IDBDatabase> | undefined;

  constructor(
    private readonly name = 'parley-sdk',
    private readonly factory: IDBFactory | undefined = (globalThis as { indexedDB?: IDBFactory }).indexedDB,
  ) {}

  async loadSession(): Promise<StoredSession | undefined> {
    const value = await this.get<StoredSession>(SESSION, SESSION_KEY);
    return value ?? undefined;
  }

  saveSession(session: StoredSession | undefined): Promise<void> {
    return this.write(SESSION, (store) =>
      session === undefined ? store.delete(SESSION_KEY) : store.put({ ...session }, SESSION_KEY),
    );
  }

  async loadCursors(): Promise<Map<string, bigint>> {
    const rows = await this.all<CursorRow>(CURSORS);
    return new Map(rows.map((r) => [r.key, BigInt(r.seq)]));
  }

  saveCursor(key: string, seq: bigint): Promise<void> {
    const row: CursorRow = { key, seq: seq.toString() };
    return this.write(CURSORS, (store) => store.put(row));
  }

  async loadOutbox(): Promise<OutboxRecord[]> {
    const rows = await this.all<OutboxRecord>(OUTBOX);
    return rows.sort((a, b) => a.order - b.order);
  }

  putOutbox(record: OutboxRecord): Promise<void> {
    return this.write(OUTBOX, (store) => store.put({ ...record }));
  }

  deleteOutbox(clientMsgId: string): Promise<void> {
    return this.write(OUTBOX, (store) => store.delete(clientMsgId));
  }

  async clear(): Promise<void> {
    const db = await this.open();
    const tx = db.transaction([SESSION, CURSORS, OUTBOX], 'readwrite');
    tx.objectStore(SESSION).clear();
    tx.objectStore(CURSORS).clear();
    tx.objectStore(OUTBOX).clear();
    await done(tx);
  }

  /** Closes the database (tests, or before deleting it). */
  async close(): Promise<void> {
    if (this.db === undefined) return;
    const db = await this.db;
    this.db = undefined;
    db.close();
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const factory = this.factory;
      if (factory === undefined) {
        reject(new Error('IndexedDB is not available here'));
        return;
      }
      const req = factory.open(this.name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        // Version 1 creates everything; later versions add migrations here by oldVersion.
        if (!db.objectStoreNames.contains(SESSION)) db.createObjectStore(SESSION);
        if (!db.objectStoreNames.contains(CURSORS)) db.createObjectStore(CURSORS, { keyPath: 'key' });
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: 'clientMsgId' });
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading the schema: let it, this connection reopens on next use.
        db.onversionchange = () => {
          db.close();
          this.db = undefined;
        };
        resolve(db);
      };
      req.onerror = () => {
        this.db = undefined;
        reject(req.error ?? new Error('IndexedDB open failed'));
      };
      req.onblocked = () => {
        // Resolves later when the other connection closes; nothing to do but wait.
      };
    });
    return this.db;
  }

  private async get<T>(storeName: string, key: IDBValidKey): Promise<T | undefined> {
    const db = await this.open();
    const req = db.transaction(storeName, 'readonly').objectStore(storeName).get(key);
    return (await result(req)) as T | undefined;
  }

  private async all<T>(storeName: string): Promise<T[]> {
    const db = await this.open();
    const req = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
    return (await result(req)) as T[];
  }

  private async write(storeName: string, action: (store: IDBObjectStore) => IDBRequest): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(storeName, 'readwrite');
    action(tx.objectStore(storeName));
    // Resolved on commit, not on the request's success: only then is the write durable.
    await done(tx);
  }
}

function result(req: IDBRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => {
      resolve(req.result);
    };
    req.onerror = () => {
      reject(req.error ?? new Error('IndexedDB request failed'));
    };
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => {
      resolve();
    };
    tx.onerror = () => {
      reject(tx.error ?? new Error('IndexedDB transaction failed'));
    };
    tx.onabort = () => {
      reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    };
  });
}
