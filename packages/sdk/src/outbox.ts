import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  Command,
  MessageSchema,
  ParleyError,
  SendResultSchema,
  TimeoutError,
  type Message,
  type SendResult,
} from '@parley/protocol';
import type { Connection } from './connection.js';
import { ConnectionClosedError } from './errors.js';
import type { OutboxRecord } from './storage.js';

/** What the outbox needs from the client. */
export interface OutboxHost {
  /** The online connection, if any. */
  connection(): Connection | undefined;
  /** The server committed a message: persist, tell the app, feed the sync engine. */
  acked(message: Message, result: SendResult): void;
  /** A send timed out on a live connection: drop it so the messages go again, in order. */
  dropConnection(): void;
  putRecord(record: OutboxRecord): void;
  deleteRecord(clientMsgId: string): void;
  report(error: Error, context: string): void;
}

interface Entry {
  readonly record: OutboxRecord;
  readonly message: Message;
  inflight: boolean;
  readonly waiters: { resolve: (r: SendResult) => void; reject: (e: Error) => void }[];
}

/**
 * Messages stay here from `send` until the server acknowledges them. Up to `window` are in
 * flight at once (the server handles one connection's requests in order, so pipelining keeps
 * the order). When the connection drops, every unacknowledged message goes again, in the
 * original order and with the same clientMsgId: the server's (sender, clientMsgId) dedup turns a
 * retry of a message it already stored into the original ack, so nothing is stored twice and
 * nothing is lost.
 *
 * A send the server refuses (FORBIDDEN, BAD_REQUEST, ...) leaves the outbox and rejects. A
 * timeout closes the connection instead of skipping ahead: a later message must not overtake.
 */
export class Outbox {
  private readonly entries: Entry[] = [];
  private generation = 0;
  private nextOrder = 1;

  constructor(
    private readonly host: OutboxHost,
    private readonly window: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Pending clientMsgIds, in send order. */
  pending(): string[] {
    return this.entries.map((e) => e.record.clientMsgId);
  }

  /** Restores records from storage (their promises are gone: acks surface as `sent` events). */
  load(records: readonly OutboxRecord[]): void {
    for (const record of records) {
      if (this.entries.some((e) => e.record.clientMsgId === record.clientMsgId)) continue;
      this.entries.push({
        record,
        message: fromBinary(MessageSchema, record.body),
        inflight: false,
        waiters: [],
      });
      if (record.order >= this.nextOrder) this.nextOrder = record.order + 1;
    }
  }

  enqueue(message: Message): Promise<SendResult> {
    const existing = this.entries.find((e) => e.record.clientMsgId === message.clientMsgId);
    return new Promise<SendResult>((resolve, reject) => {
      if (existing !== undefined) {
        existing.waiters.push({ resolve, reject });
        return;
      }
      const record: OutboxRecord = {
        order: this.nextOrder++,
        clientMsgId: message.clientMsgId,
        body: toBinary(MessageSchema, message),
      };
      this.entries.push({ record, message, inflight: false, waiters: [{ resolve, reject }] });
      this.host.putRecord(record);
      this.pump();
    });
  }

  /** Sends what the window allows, oldest first. Called on enqueue, ack and (re)connect. */
  pump(): void {
    const conn = this.host.connection();
    if (conn === undefined || conn.isClosed) return;
    let inflight = this.entries.reduce((n, e) => n + (e.inflight ? 1 : 0), 0);
    for (const entry of this.entries) {
      if (inflight >= this.window) return;
      if (entry.inflight) continue;
      entry.inflight = true;
      inflight += 1;
      this.sendOne(conn, entry);
    }
  }

  /** The connection is gone: whatever was in flight goes again on the next one. */
  connectionLost(): void {
    this.generation += 1;
    for (const entry of this.entries) entry.inflight = false;
  }

  /** Rejects every waiting promise; the records stay (a later login sends them). */
  rejectWaiters(error: Error): void {
    for (const entry of this.entries) {
      for (const w of entry.waiters.splice(0)) w.reject(error);
    }
  }

  clear(): void {
    this.entries.length = 0;
  }

  private sendOne(conn: Connection, entry: Entry): void {
    const generation = this.generation;
    conn.request(Command.MS, entry.record.body).then(
      (frame) => {
        this.onAck(entry, fromBinary(SendResultSchema, frame.body));
      },
      (err: unknown) => {
        if (generation !== this.generation) return; // superseded by a reconnect
        if (err instanceof ConnectionClosedError) return; // connectionLost() follows
        if (err instanceof TimeoutError) {
          entry.inflight = false;
          this.host.dropConnection();
          return;
        }
        const error = err instanceof Error ? err : new Error(String(err));
        this.remove(entry);
        const waiters = entry.waiters.splice(0);
        for (const w of waiters) w.reject(error);
        // Nobody holds a promise for a message restored from storage: the app hears it here.
        if (waiters.length === 0 || !(err instanceof ParleyError)) this.host.report(error, 'outbox');
        this.pump();
      },
    );
  }

  private onAck(entry: Entry, result: SendResult): void {
    if (!this.remove(entry)) return; // acked twice (a stale retry): the first one counted
    this.host.acked(entry.message, result);
    for (const w of entry.waiters.splice(0)) w.resolve(result);
    this.pump();
  }

  private remove(entry: Entry): boolean {
    const index = this.entries.indexOf(entry);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    this.host.deleteRecord(entry.record.clientMsgId);
    return true;
  }
}
