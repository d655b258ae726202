import { randomUUID } from 'node:crypto';
import {
  ConnectionState,
  ContentType,
  ConversationType,
  conversationKey,
  refOf,
  type ContentInit,
  type ConversationRef,
  type Message,
  type ParleyClient,
  type ParleyEvents,
} from '@parley/sdk';
import { describeError } from '../errors.js';
import { fromNative, withContent, type MessageView } from '../message-view.js';
import type { UserDirectory } from '../user-directory.js';
import { ConversationData } from './conversation-data.js';
import { ExternalStore } from './external-store.js';
import { People } from './people.js';
import type { ClaimNote } from './red-packets.js';
import { activeView, searchHits } from './snapshot.js';
import type { ChatSnapshot, Notice, NoticeTone, Overlay, SearchHit } from './view-types.js';

export interface ChatModelOptions {
  readonly client: ParleyClient;
  /** `host:port`, for the status bar. */
  readonly server: string;
  /** Rings the terminal bell (or not, with --no-bell). */
  readonly bell: () => void;
  readonly now?: () => number;
}

const TYPING_SHOWN_MS = 6000;
const TYPING_SEND_EVERY_MS = 3000;
const NOTICE_MS = 10_000;
const PAGE = 50;

/**
 * The chat client's state, fed by SDK events and user actions; the screens render its snapshot
 * (useSyncExternalStore). Nothing here knows about ink, so it also runs without a terminal.
 */
export class ChatModel extends ExternalStore<ChatSnapshot> {
  readonly client: ParleyClient;
  private readonly people: People;
  private readonly conversations = new Map<string, ConversationData>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly now: () => number;
  private username = '';
  private activeKey: string | undefined;
  private state: ConnectionState;
  private notice: Notice | undefined;
  private cancelNotice: (() => void) | undefined;
  private overlay: Overlay | undefined;
  private scrolledUp = false;
  /** The first sync after sign-in is done: from now on a new message is news (bell). */
  private caughtUp = false;
  private lastTypingSent = 0;
  /** With a gateway: the node of the current connection. */
  private node: string | undefined;
  /** Red packet id → what this client's claim got. */
  readonly claims = new Map<string, ClaimNote>();

  constructor(private readonly options: ChatModelOptions) {
    super();
    this.client = options.client;
    this.now = options.now ?? Date.now;
    this.state = this.client.state;
    this.people = new People(this.client, () => {
      this.changed();
    });
    // Subscribed before login, so no message of the first sync is missed.
    this.on('message', (m) => {
      this.onMessage(m);
    });
    this.on('recall', (e) => {
      this.updateMessage(e.conversation, e.seq, (m) => ({ ...m, recalled: true }));
    });
    this.on('edit', (e) => {
      this.updateMessage(e.conversation, e.seq, (m) => withContent(m, e.content));
    });
    this.on('read', (e) => {
      const c = this.conversations.get(conversationKey(e.conversation));
      if (c === undefined) return;
      if (String(e.userId) === this.me) c.readSeq = e.readSeq > c.readSeq ? e.readSeq : c.readSeq;
      else if (e.readSeq > c.peerReadSeq) c.peerReadSeq = e.readSeq;
      this.changed();
    });
    this.on('typing', (e) => {
      const userId = String(e.userId);
      if (userId === this.me) return;
      this.ensure(e.conversation).typing.set(userId, this.now() + TYPING_SHOWN_MS);
      this.people.need([userId]);
      this.later(TYPING_SHOWN_MS + 50, () => {
        this.changed();
      });
      this.changed();
    });
    this.on('presence', (p) => {
      this.people.online.set(String(p.userId), p.online);
      this.changed();
    });
    this.on('state', ({ state }) => {
      this.state = state;
      // Back online: what is on screen may have arrived while the read could not be sent.
      const open = this.active();
      if (state === ConnectionState.ONLINE && open !== undefined && !this.scrolledUp) this.markRead(open);
      if (state === ConnectionState.KICKED)
        this.say('another sign-in of this account replaced this one', 'error');
      if (state === ConnectionState.UNAUTHENTICATED)
        this.say('the session has ended: quit and sign in again', 'error');
      this.changed();
    });
    this.on('error', ({ error, context }) => {
      // Reconnect failures show as the state; the rest is worth a line.
      if (context !== 'reconnect') this.say(`${context}: ${describeError(error)}`, 'error');
    });
  }

  private on<K extends keyof ParleyEvents>(event: K, handler: (payload: ParleyEvents[K]) => void): void {
    this.unsubscribe.push(this.client.on(event, handler));
  }

  private get me(): string {
    return this.client.userId === undefined ? '' : String(this.client.userId);
  }

  get users(): UserDirectory {
    return this.people.users;
  }

  /** After login: who we are, then the conversation list (with unread counts) and presence. */
  async start(username: string): Promise<void> {
    this.username = username;
    this.users.remember({ userId: this.me, username, displayName: '' });
    void this.client.whenSynced().then(() => {
      this.caughtUp = true;
    });
    this.changed();
    try {
      const list = await this.client.conversations.list(500);
      for (const s of list.conversations) {
        const c = this.ensure(refOf(s.conversation));
        if (s.maxSeq > c.maxSeq) c.maxSeq = s.maxSeq;
        if (s.readSeq > c.readSeq) c.readSeq = s.readSeq;
        c.name = s.name;
        c.muted = s.muted;
        c.pinned = s.pinned;
        if (s.lastMessage !== undefined) c.put(fromNative(s.lastMessage));
      }
      const peers = [...this.conversations.values()].filter((c) => c.ref.type === ConversationType.SINGLE);
      await this.people.refresh(peers.map((c) => c.ref.target));
      const first = this.ordered()[0];
      if (this.activeKey === undefined && first !== undefined) this.select(first.key);
    } catch (err) {
      this.say(`cannot load the conversation list: ${describeError(err)}`, 'error');
    }
    this.changed();
  }

  override dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.cancelNotice?.();
    super.dispose();
  }

  // ---- the snapshot ----

  private ordered(): ConversationData[] {
    return [...this.conversations.values()].sort(
      (a, b) => Number(b.pinned) - Number(a.pinned) || b.lastTime - a.lastTime || a.key.localeCompare(b.key),
    );
  }

  protected buildSnapshot(): ChatSnapshot {
    const now = this.now();
    const active = this.active();
    return {
      username: this.username,
      server: this.options.server,
      node: this.node,
      state: this.state,
      conversations: this.ordered().map((c) => c.item(this.users, this.people.online, now)),
      activeKey: this.activeKey,
      active: active === undefined ? undefined : activeView(active, this.me, this.people, now, this.claims),
      notice: this.notice,
      overlay: this.overlay,
    };
  }

  say(text: string, tone: NoticeTone = 'info'): void {
    this.notice = { text, tone };
    this.cancelNotice?.();
    this.cancelNotice = this.later(NOTICE_MS, () => {
      this.notice = undefined;
      this.changed();
    });
    this.changed();
  }

  /** The gateway picked a node; a change after the first means the old one went away. */
  setNode(name: string): void {
    const previous = this.node;
    this.node = name;
    if (previous !== undefined && previous !== name) this.say(`reconnected through node ${name}`);
    else this.changed();
  }

  noteClaim(packetId: string, note: ClaimNote): void {
    this.claims.set(packetId, note);
    this.changed();
  }

  /** The user id of this session ('' before sign-in). */
  get myId(): string {
    return this.me;
  }

  showOverlay(overlay: Overlay | undefined): void {
    this.overlay = overlay;
    this.changed();
  }

  searchHits(messages: readonly Message[]): SearchHit[] {
    return searchHits(messages, this.conversations, this.people);
  }

  // ---- conversations ----

  ensure(ref: ConversationRef): ConversationData {
    const key = conversationKey(ref);
    let c = this.conversations.get(key);
    if (c === undefined) {
      c = new ConversationData(ref);
      this.conversations.set(key, c);
      if (ref.type === ConversationType.SINGLE) void this.people.refresh([ref.target]);
      if (ref.type === ConversationType.GROUP) void this.fetchGroupName(c);
    }
    return c;
  }

  remove(key: string): void {
    this.conversations.delete(key);
    if (this.activeKey === key) {
      this.activeKey = undefined;
      const first = this.ordered()[0];
      if (first !== undefined) this.select(first.key);
    }
    this.changed();
  }

  active(): ConversationData | undefined {
    return this.activeKey === undefined ? undefined : this.conversations.get(this.activeKey);
  }

  select(key: string): void {
    const c = this.conversations.get(key);
    if (c === undefined) return;
    this.activeKey = key;
    this.scrolledUp = false;
    if (!c.historyLoaded) void this.loadPage(c, 0n);
    this.markRead(c);
    this.changed();
  }

  /** Tab / Shift+Tab: the next or previous conversation in list order. */
  cycle(step: 1 | -1): void {
    const list = this.ordered();
    const i = list.findIndex((c) => c.key === this.activeKey);
    const next = list[(i + step + list.length) % list.length];
    if (next !== undefined) this.select(next.key);
  }

  /** Opens (and selects) a conversation the user named. */
  open(ref: ConversationRef, name = ''): ConversationData {
    const c = this.ensure(ref);
    if (name !== '') c.name = name;
    if (c.lastTime === 0) c.lastTime = this.now();
    this.select(c.key);
    return c;
  }

  /** The pane scrolled away from (or back to) the newest message. */
  setScrolledUp(up: boolean): void {
    if (this.scrolledUp === up) return;
    this.scrolledUp = up;
    const c = this.active();
    if (!up && c !== undefined) this.markRead(c);
  }

  /** PageUp at the top: the page before the oldest message shown. */
  loadOlder(): void {
    const c = this.active();
    if (c === undefined || c.loading || !c.hasMore) return;
    const oldest = c.oldestSeq();
    if (oldest !== undefined && oldest <= 1n) {
      c.hasMore = false;
      this.changed();
      return;
    }
    void this.loadPage(c, oldest === undefined ? 0n : oldest - 1n);
  }

  private async loadPage(c: ConversationData, fromSeq: bigint): Promise<void> {
    c.loading = true;
    this.changed();
    try {
      const page = await this.client.messages.history(c.ref, { direction: 'backward', fromSeq, limit: PAGE });
      const first = !c.historyLoaded;
      for (const m of page.messages) {
        const v = fromNative(m);
        if (!c.messages.has(v.seq)) c.put(v);
      }
      if (page.maxSeq > c.maxSeq) c.maxSeq = page.maxSeq;
      c.hasMore = page.hasMore;
      c.historyLoaded = true;
      this.people.need(page.messages.map((m) => String(m.senderId)));
      if (first) await this.loadReadMarks(c);
    } catch (err) {
      this.say(`cannot load history: ${describeError(err)}`, 'error');
    } finally {
      c.loading = false;
      this.changed();
    }
  }

  /** Which of my messages others have read, for the ✓✓ marks of the first page. */
  private async loadReadMarks(c: ConversationData): Promise<void> {
    const mine = [...c.messages.values()]
      .filter((m) => m.senderId === this.me && m.contentType !== ContentType.SYSTEM)
      .map((m) => m.seq)
      .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
      .slice(0, 200);
    if (mine.length === 0) return;
    const counts = await this.client.messages.readCounts(c.ref, mine);
    for (const [seq, n] of counts) if (n > 0 && seq > c.peerReadSeq) c.peerReadSeq = seq;
  }

  /** Marks the conversation read up to its newest message (one request in flight at a time). */
  private markRead(c: ConversationData): void {
    if (c.markingRead || c.readSeq >= c.maxSeq || this.state !== ConnectionState.ONLINE) return;
    const target = c.maxSeq;
    c.markingRead = true;
    this.client.messages.markRead(c.ref, target).then(
      () => {
        c.markingRead = false;
        if (target > c.readSeq) c.readSeq = target;
        // More arrived meanwhile while the conversation is on screen: mark those too.
        if (this.activeKey === c.key && !this.scrolledUp) this.markRead(c);
        this.changed();
      },
      (err: unknown) => {
        c.markingRead = false;
        this.say(`cannot mark as read: ${describeError(err)}`, 'error');
      },
    );
  }

  private async fetchGroupName(c: ConversationData): Promise<void> {
    try {
      c.name = (await this.client.groups.info(c.ref.target)).name;
      this.changed();
    } catch {
      // not a member any more, or offline: the id is shown
    }
  }

  // ---- inbound ----

  private updateMessage(ref: ConversationRef, seq: bigint, change: (m: MessageView) => MessageView): void {
    const c = this.conversations.get(conversationKey(ref));
    const m = c?.messages.get(seq);
    if (c !== undefined && m !== undefined) c.messages.set(seq, change(m));
    this.changed();
  }

  private onMessage(m: Message): void {
    const v = fromNative(m);
    const c = this.ensure(v.conversation);
    const isNew = c.put(v);
    if (v.senderId === this.me) {
      if (v.seq > c.readSeq) c.readSeq = v.seq;
      c.pending.delete(v.clientMsgId);
    } else {
      c.typing.delete(v.senderId);
      this.people.need([v.senderId]);
      // Pushes carry the sender's name: good enough until the lookup answers.
      if (c.ref.type === ConversationType.SINGLE && c.name === '' && c.ref.target === v.senderId)
        c.name = v.senderName;
      if (isNew && this.caughtUp && !c.muted && v.contentType !== ContentType.SYSTEM)
        this.announce(c, v.senderId, v.senderName);
    }
    // Nothing open yet: a new message opens its conversation (not during the first sync,
    // which replays what came while this client was away; start() picks the newest then).
    if (this.activeKey === undefined && this.caughtUp) this.select(c.key);
    else if (c.key === this.activeKey && !this.scrolledUp) this.markRead(c);
    this.changed();
  }

  /** The bell, and a notice when the message is not in the open conversation. */
  private announce(c: ConversationData, senderId: string, senderName: string): void {
    this.options.bell();
    if (c.key === this.activeKey) return;
    const from =
      this.users.get(senderId) === undefined && senderName !== ''
        ? senderName
        : this.users.displayName(senderId);
    this.say(`new message from ${from} in ${c.title(this.users)}`, 'message');
  }

  // ---- outbound ----

  /** Called as the input line changes: a typing signal at most every 3 s. */
  inputChanged(value: string): void {
    const c = this.active();
    if (c === undefined || value.trim() === '' || value.startsWith('/')) return;
    if (this.state !== ConnectionState.ONLINE || this.now() - this.lastTypingSent < TYPING_SEND_EVERY_MS)
      return;
    this.lastTypingSent = this.now();
    this.client.messages.typing(c.ref).catch(() => undefined);
  }

  /** Queues content for the open conversation (the SDK's outbox survives reconnects). */
  send(content: ContentInit, label: string): void {
    const c = this.active();
    if (c === undefined) {
      this.say('no conversation open: /dm <user>, /join <room>, or Tab to pick one', 'error');
      return;
    }
    const clientMsgId = randomUUID();
    const pending = { clientMsgId, text: label, time: this.now(), failed: undefined as string | undefined };
    c.pending.set(clientMsgId, pending);
    this.lastTypingSent = 0;
    this.changed();
    this.client.messages.send(c.ref, content, { clientMsgId }).catch((err: unknown) => {
      if (!c.pending.has(clientMsgId)) return;
      pending.failed = describeError(err);
      this.changed();
    });
  }

  sendText(text: string): void {
    this.send({ contentType: ContentType.TEXT, text }, text);
  }

  /** The seq `/recall` or `/edit` changes when none is given: this user's newest message. */
  lastOwnSeq(c: ConversationData, textOnly: boolean): bigint | undefined {
    return c.lastOwn(this.me, textOnly)?.seq;
  }

  /** A user id by exact username (case-insensitive). */
  findUser(username: string): Promise<string | undefined> {
    return this.people.find(username);
  }
}
