import {
  ContentType,
  NotFoundError,
  TimeoutError,
  type Message,
  type PullResponse,
  type SyncResponse,
} from '@parley/protocol';
import { conversationKey, refOf, type ConversationRef } from './conversation.js';
import { ClientStoppedError, ConnectionClosedError } from './errors.js';

/** What the sync engine needs from the client. */
export interface SyncHost {
  pull(conversation: ConversationRef, fromSeq: bigint, limit: number): Promise<PullResponse>;
  sync(cursors: { conversation: ConversationRef; seq: bigint }[]): Promise<SyncResponse>;
  /** Hands one message to the app; called in seq order per conversation, once per seq. */
  deliver(message: Message): void;
  saveCursor(key: string, seq: bigint): void;
  /**
   * A pull got no answer in time. Nothing else would ask for that range again until a later push,
   * so the host drops the connection: the reconnect's sync resumes the pull.
   */
  stalled(): void;
  report(error: Error, context: string): void;
}

interface ConversationSync {
  readonly conversation: ConversationRef;
  /** Highest seq handed to the app. */
  cursor: bigint;
  /** Highest seq known to exist (from pushes, notifies, sync). */
  wanted: bigint;
  pulling: Promise<void> | undefined;
}

/**
 * Exactly-once, in-order delivery per conversation on top of pushes that may be lost (the
 * connection dropped), duplicated (a push and a pull overlap) or early (a push overtakes a pull).
 *
 * The one rule: a message goes to the app only if its seq is above the conversation's cursor,
 * and then the cursor moves to it. A push must be exactly cursor + 1 (anything higher is a gap:
 * pull from cursor + 1); a pull's pages may skip seqs the reader cannot see (history before it
 * joined), since the server returns every visible seq from `from_seq` on. JavaScript runs one
 * handler at a time, so a push and a pull page never interleave inside `deliver`.
 */
export class SyncEngine {
  private readonly conversations = new Map<string, ConversationSync>();

  constructor(
    private readonly host: SyncHost,
    private readonly pullLimit: number,
  ) {}

  /** Restores stored cursors (keys are `type:target`). */
  load(cursors: ReadonlyMap<string, bigint>): void {
    for (const [key, seq] of cursors) {
      const sep = key.indexOf(':');
      const conversation = refOf({
        $typeName: 'parley.v1.Conversation',
        type: Number(key.slice(0, sep)),
        target: key.slice(sep + 1),
      });
      this.conversations.set(key, { conversation, cursor: seq, wanted: seq, pulling: undefined });
    }
  }

  reset(): void {
    this.conversations.clear();
  }

  cursor(conversation: ConversationRef): bigint {
    return this.conversations.get(conversationKey(conversation))?.cursor ?? 0n;
  }

  /** A pushed message (or this device's own acked message, rebuilt from the ack). */
  ingest(message: Message): void {
    const state = this.stateOf(refOf(message.conversation));
    if (message.seq <= state.cursor) return; // already delivered: a duplicate
    if (message.seq === state.cursor + 1n) {
      this.deliver(state, message);
      return;
    }
    // A gap: something between the cursor and this seq was missed. Pull it (this one included).
    void this.want(state, message.seq);
  }

  /** MN: the conversation's head moved; pull up to it. */
  notify(conversation: ConversationRef, maxSeq: bigint): void {
    void this.want(this.stateOf(conversation), maxSeq);
  }

  /**
   * SYNC with every cursor, then pull each conversation that moved until it reaches its head.
   * Resolves when all pulls are done (or failed); returns how many conversations had moved.
   */
  async syncAll(): Promise<number> {
    const cursors = [...this.conversations.values()].map((s) => ({
      conversation: s.conversation,
      seq: s.cursor,
    }));
    const res = await this.host.sync(cursors);
    const pulls: Promise<void>[] = [];
    for (const moved of res.conversations) {
      const state = this.stateOf(refOf(moved.conversation));
      pulls.push(this.want(state, moved.maxSeq));
    }
    await Promise.all(pulls);
    return res.conversations.length;
  }

  private stateOf(conversation: ConversationRef): ConversationSync {
    const key = conversationKey(conversation);
    let state = this.conversations.get(key);
    if (state === undefined) {
      state = { conversation, cursor: 0n, wanted: 0n, pulling: undefined };
      this.conversations.set(key, state);
    }
    return state;
  }

  private deliver(state: ConversationSync, message: Message): void {
    state.cursor = message.seq;
    if (state.wanted < state.cursor) state.wanted = state.cursor;
    this.host.saveCursor(conversationKey(state.conversation), state.cursor);
    this.host.deliver(message);
  }

  /** Records that seqs up to `seq` exist and starts a pull loop unless one runs. */
  private want(state: ConversationSync, seq: bigint): Promise<void> {
    if (seq > state.wanted) state.wanted = seq;
    if (state.wanted <= state.cursor) return state.pulling ?? Promise.resolve();
    state.pulling ??= this.pullLoop(state).finally(() => {
      state.pulling = undefined;
    });
    return state.pulling;
  }

  private async pullLoop(state: ConversationSync): Promise<void> {
    let emptyPages = 0;
    try {
      while (state.wanted > state.cursor) {
        const page = await this.host.pull(state.conversation, state.cursor + 1n, this.pullLimit);
        let advanced = false;
        for (const message of page.messages) {
          // TYPING is never stored, so never pulled; checked anyway so a bad page cannot move it.
          if (message.seq > state.cursor && message.messageContent?.contentType !== ContentType.TYPING) {
            this.deliver(state, message);
            advanced = true;
          }
        }
        if (advanced || page.hasMore) {
          emptyPages = 0;
          continue;
        }
        // Nothing visible between the cursor and the page's head (e.g. history from before this
        // user joined): the cursor moves to that head so the next sync does not ask again.
        const head = page.maxSeq < state.wanted ? page.maxSeq : state.wanted;
        if (head > state.cursor) {
          state.cursor = head;
          this.host.saveCursor(conversationKey(state.conversation), head);
        }
        // A push may have raised `wanted` past this page's head while it was in flight: pull
        // again, but a seq that never shows up (a bogus push) must not loop forever.
        emptyPages += 1;
        if (emptyPages >= 3) state.wanted = state.cursor;
      }
    } catch (err) {
      // A lost connection is not an error here: the next (re)connect's sync resumes the pull.
      if (err instanceof ConnectionClosedError || err instanceof ClientStoppedError) return;
      if (err instanceof TimeoutError) {
        this.host.stalled();
        return;
      }
      // Anything else (e.g. NOT_FOUND: no longer a member) would repeat forever: give up on
      // this range until a later push, notify or sync asks again.
      state.wanted = state.cursor;
      // NOT_FOUND is the normal end of a conversation this user left or was removed from (the
      // server then hides its history): not worth an error event.
      if (err instanceof NotFoundError) return;
      this.host.report(err instanceof Error ? err : new Error(String(err)), 'sync');
    }
  }
}
