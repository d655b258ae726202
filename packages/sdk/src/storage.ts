/**
 * The client's local state: per-conversation cursors (the highest seq handed to the app), the
 * outbox (messages not yet acknowledged, in send order) and the session (token for reconnects).
 * Everything is small and keyed, so a key-value store fits: memory (default), IndexedDB
 * (browsers, ./indexeddb-storage.ts), or anything an app provides.
 *
 * Writes are issued in order and not awaited on the hot path; an implementation must apply them
 * in the order they were called (IndexedDB does, per object store).
 */
export interface ClientStorage {
  loadSession(): Promise<StoredSession | undefined>;
  saveSession(session: StoredSession | undefined): Promise<void>;
  /** Conversation key (`type:target`) to the highest seq delivered to the app. */
  loadCursors(): Promise<Map<string, bigint>>;
  saveCursor(key: string, seq: bigint): Promise<void>;
  /** Pending messages, in the order they were queued. */
  loadOutbox(): Promise<OutboxRecord[]>;
  putOutbox(record: OutboxRecord): Promise<void>;
  deleteOutbox(clientMsgId: string): Promise<void>;
  /** Forgets everything (another user signed in on this storage). */
  clear(): Promise<void>;
}

export interface StoredSession {
  /** Decimal user id. */
  readonly userId: string;
  readonly token: string;
  readonly deviceId: string;
}

export interface OutboxRecord {
  /** Ordering key: increasing in send order. */
  readonly order: number;
  readonly clientMsgId: string;
  /** The encoded `Message` request body (conversation, client_msg_id, content). */
  readonly body: Uint8Array;
}

/** The default: state lives as long as the client object. */
export class MemoryStorage implements ClientStorage {
  private session: StoredSession | undefined;
  private readonly cursors = new Map<string, bigint>();
  private readonly outbox = new Map<string, OutboxRecord>();

  loadSession(): Promise<StoredSession | undefined> {
    return Promise.resolve(this.session);
  }
  saveSession(session: StoredSession | undefined): Promise<void> {
    this.session = session;
    return Promise.resolve();
  }
  loadCursors(): Promise<Map<string, bigint>> {
    return Promise.resolve(new Map(this.cursors));
  }
  saveCursor(key: string, seq: bigint): Promise<void> {
    this.cursors.set(key, seq);
    return Promise.resolve();
  }
  loadOutbox(): Promise<OutboxRecord[]> {
    return Promise.resolve([...this.outbox.values()].sort((a, b) => a.order - b.order));
  }
  putOutbox(record: OutboxRecord): Promise<void> {
    this.outbox.set(record.clientMsgId, record);
    return Promise.resolve();
  }
  deleteOutbox(clientMsgId: string): Promise<void> {
    this.outbox.delete(clientMsgId);
    return Promise.resolve();
  }
  clear(): Promise<void> {
    this.session = undefined;
    this.cursors.clear();
    this.outbox.clear();
    return Promise.resolve();
  }
}
