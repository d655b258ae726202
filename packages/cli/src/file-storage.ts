import { readFile } from 'node:fs/promises';
import type { ClientStorage, OutboxRecord, StoredSession } from '@parley/sdk';
import { writePrivateFile } from './private-file.js';

interface State {
  session: StoredSession | undefined;
  cursors: Map<string, bigint>;
  outbox: Map<string, OutboxRecord>;
}

interface FileShape {
  readonly session?: StoredSession;
  readonly cursors?: Record<string, string>;
  readonly outbox?: { order: number; clientMsgId: string; body: string }[];
}

/**
 * The SDK's client state (cursors, outbox, session) in one JSON file, so the chat client resumes
 * where it stopped: a restart syncs only what is new, and messages typed while offline are sent
 * on the next start. Every change updates memory at once and schedules one write; writes never
 * overlap and always carry the latest state, so they land in call order. A missing or broken
 * file is an empty state (the server still has everything; only the cursors are lost).
 */
export class FileStorage implements ClientStorage {
  private state: State | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    readonly path: string,
    /** A failed write (disk full, permissions); the state stays in memory and the next change retries. */
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  private async load(): Promise<State> {
    if (this.state !== undefined) return this.state;
    const state: State = { session: undefined, cursors: new Map(), outbox: new Map() };
    try {
      const file = JSON.parse(await readFile(this.path, 'utf8')) as FileShape;
      if (file.session !== undefined && typeof file.session.userId === 'string') state.session = file.session;
      for (const [key, seq] of Object.entries(file.cursors ?? {})) {
        if (/^[0-9]+$/.test(seq)) state.cursors.set(key, BigInt(seq));
      }
      for (const r of file.outbox ?? []) {
        state.outbox.set(r.clientMsgId, {
          order: r.order,
          clientMsgId: r.clientMsgId,
          body: Uint8Array.from(Buffer.from(r.body, 'base64')),
        });
      }
    } catch {
      // absent or unreadable: start empty
    }
    this.state ??= state;
    return this.state;
  }

  private change(apply: (s: State) => void): Promise<void> {
    return this.load().then((s) => {
      apply(s);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.writing = this.writing.then(async () => {
      this.dirty = false;
      const s = this.state;
      if (s === undefined) return;
      const file: FileShape = {
        ...(s.session === undefined ? {} : { session: s.session }),
        cursors: Object.fromEntries([...s.cursors].map(([k, v]) => [k, String(v)])),
        outbox: [...s.outbox.values()].map((r) => ({
          order: r.order,
          clientMsgId: r.clientMsgId,
          body: Buffer.from(r.body).toString('base64'),
        })),
      };
      await writePrivateFile(this.path, JSON.stringify(file)).catch(this.onError);
    });
  }

  /** Resolves when every change so far is on disk. */
  async flush(): Promise<void> {
    while (this.dirty) await this.writing;
    await this.writing;
  }

  async loadSession(): Promise<StoredSession | undefined> {
    return (await this.load()).session;
  }
  saveSession(session: StoredSession | undefined): Promise<void> {
    return this.change((s) => {
      s.session = session;
    });
  }
  async loadCursors(): Promise<Map<string, bigint>> {
    return new Map((await this.load()).cursors);
  }
  saveCursor(key: string, seq: bigint): Promise<void> {
    return this.change((s) => {
      s.cursors.set(key, seq);
    });
  }
  async loadOutbox(): Promise<OutboxRecord[]> {
    return [...(await this.load()).outbox.values()].sort((a, b) => a.order - b.order);
  }
  putOutbox(record: OutboxRecord): Promise<void> {
    return this.change((s) => {
      s.outbox.set(record.clientMsgId, record);
    });
  }
  deleteOutbox(clientMsgId: string): Promise<void> {
    return this.change((s) => {
      s.outbox.delete(clientMsgId);
    });
  }
  clear(): Promise<void> {
    return this.change((s) => {
      s.session = undefined;
      s.cursors.clear();
      s.outbox.clear();
    });
  }
}
