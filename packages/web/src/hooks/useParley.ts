import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  ConversationType,
  IndexedDbStorage,
  ParleyClient,
  Platform,
  conversationKey,
  refOf,
  webSocketTransport,
  type ConnectionState,
  type ConversationRef,
} from '@parley/sdk';
import type { Session } from '../http.js';
import { errorText } from '../format.js';
import { Model, TYPING_SHOW_MS, preview, toChat, userInfo } from '../model.js';

/** One row of the conversation list. */
export interface ConversationRow {
  readonly key: string;
  readonly ref: ConversationRef;
  readonly name: string;
  readonly unread: number;
  /** An unread message mentions me (or @all). */
  readonly mentioned: boolean;
  readonly muted: boolean;
  readonly last: string;
  /** SINGLE: the peer. */
  readonly peerId: bigint | undefined;
}

export interface Parley {
  readonly client: ParleyClient;
  readonly model: Model;
  readonly me: bigint;
  /** Re-render after a model change. */
  readonly bump: () => void;
  readonly state: ConnectionState;
  readonly conversations: readonly ConversationRow[];
  /** Refresh the conversation list soon (bursts coalesce into one request). */
  readonly scheduleRefresh: () => void;
  /** Names and presence of these users, fetched once each. */
  readonly ensureUsers: (ids: readonly bigint[]) => void;
  readonly error: string;
  readonly setError: (message: string) => void;
}

const MAX_USERS_PER_GET = 200;

/**
 * The signed-in client: one ParleyClient over `/ws` for the session, the model its events fill,
 * the conversation list, and the user directory (names, presence).
 */
export function useParley(session: Session, onSignedOut: (reason: string) => void): Parley {
  const me = BigInt(session.userId);
  const [client] = useState(
    () =>
      new ParleyClient({
        transport: webSocketTransport({
          url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
        }),
        storage: new IndexedDbStorage(`parley-web-${session.userId}`),
        platform: Platform.WEB,
      }),
  );
  const model = useMemo(() => new Model(), []);
  const [, setVersion] = useState(0);
  const bump = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);
  const [state, setState] = useState<ConnectionState>('connecting');
  const [conversations, setConversations] = useState<ConversationRow[]>([]);
  const [error, setError] = useState('');
  // The sign-out callback may change identity; the connection must not restart for that.
  const signedOut = useRef(onSignedOut);
  signedOut.current = onSignedOut;

  // The user directory: ids asked for in one turn go out as one request.
  const requested = useRef(new Set<bigint>());
  const queued = useRef<bigint[]>([]);
  const fetchUsers = useCallback(
    (ids: readonly bigint[]) => {
      for (let i = 0; i < ids.length; i += MAX_USERS_PER_GET) {
        client.users.get(ids.slice(i, i + MAX_USERS_PER_GET)).then(
          (users) => {
            for (const u of users) model.setUser(userInfo(u));
            bump();
          },
          () => {
            // Ask again next time they are needed.
            for (const id of ids) requested.current.delete(id);
          },
        );
      }
    },
    [client, model, bump],
  );
  const ensureUsers = useCallback(
    (ids: readonly bigint[]) => {
      const fresh = ids.filter((id) => id !== 0n && !requested.current.has(id));
      if (fresh.length === 0) return;
      for (const id of fresh) requested.current.add(id);
      if (queued.current.length === 0) {
        queueMicrotask(() => {
          const batch = queued.current;
          queued.current = [];
          fetchUsers(batch);
        });
      }
      queued.current.push(...fresh);
    },
    [fetchUsers],
  );

  const listed = useRef(new Set<string>());
  const refreshList = useCallback(() => {
    client.conversations
      .list(100)
      .then((res) => {
        const rows = res.conversations.flatMap((c): ConversationRow[] => {
          if (c.conversation === undefined) return [];
          const ref = refOf(c.conversation);
          const peerId =
            ref.type === ConversationType.SINGLE && /^\d+$/.test(ref.target) ? BigInt(ref.target) : undefined;
          return [
            {
              key: conversationKey(ref),
              ref,
              name: c.name !== '' ? c.name : ref.target,
              unread: Number(c.unread),
              mentioned: c.mentioned,
              muted: c.muted,
              last: preview(c.lastMessage, me),
              peerId,
            },
          ];
        });
        setConversations(rows);
        // A new direct conversation makes the peer's presence visible: ask again even if the
        // peer was looked up before (e.g. for a typing signal that came before the first message).
        for (const r of rows) {
          if (r.peerId !== undefined && !listed.current.has(r.key)) requested.current.delete(r.peerId);
        }
        listed.current = new Set(rows.map((r) => r.key));
        ensureUsers(rows.flatMap((r) => (r.peerId === undefined ? [] : [r.peerId])));
      })
      .catch((err: unknown) => {
        setError(errorText(err));
      });
  }, [client, me, ensureUsers]);

  // One timer coalesces the list refreshes that a burst of events asks for.
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current !== undefined) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      refreshList();
    }, 100);
  }, [refreshList]);

  // One timer re-renders when the latest typing signal has expired.
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const offs = [
      client.on('state', ({ state: s }) => {
        setState(s);
        if (s === 'kicked') signedOut.current('You signed in somewhere else.');
        if (s === 'unauthenticated') signedOut.current('Your session has ended; please sign in again.');
      }),
      client.on('message', (m) => {
        if (m.conversation === undefined) return;
        model.add(conversationKey(m.conversation), toChat(m));
        bump();
        scheduleRefresh();
      }),
      client.on('recall', (e) => {
        model.recall(conversationKey(e.conversation), e.seq);
        bump();
        scheduleRefresh();
      }),
      client.on('edit', (e) => {
        model.edit(conversationKey(e.conversation), e.seq, e.content?.text ?? '');
        bump();
        scheduleRefresh();
      }),
      client.on('read', (e) => {
        if (e.userId !== me) {
          model.markPeerRead(conversationKey(e.conversation), e.readSeq);
          bump();
        }
        scheduleRefresh();
      }),
      client.on('typing', (e) => {
        if (e.userId === me) return;
        model.setTyping(conversationKey(e.conversation), e.userId, Date.now() + TYPING_SHOW_MS);
        ensureUsers([e.userId]);
        bump();
        if (typingTimer.current !== undefined) clearTimeout(typingTimer.current);
        typingTimer.current = setTimeout(() => {
          typingTimer.current = undefined;
          bump();
        }, TYPING_SHOW_MS + 50);
      }),
      client.on('presence', (p) => {
        model.setPresence(p.userId, p.online, Number(p.lastSeenAt));
        bump();
      }),
      client.on('group', () => {
        scheduleRefresh();
      }),
      client.on('synced', () => {
        // After a reconnect, presence may have changed unseen: ask again for everyone known.
        const known = [...model.users.keys()];
        requested.current.clear();
        ensureUsers(known);
        scheduleRefresh();
      }),
    ];
    client.login({ token: session.token }).then(refreshList, (err: unknown) => {
      signedOut.current(`Could not sign in: ${errorText(err)}`);
    });
    return () => {
      for (const off of offs) off();
      if (refreshTimer.current !== undefined) clearTimeout(refreshTimer.current);
      if (typingTimer.current !== undefined) clearTimeout(typingTimer.current);
      client.close();
    };
  }, [client, model, me, session.token, bump, refreshList, scheduleRefresh, ensureUsers]);

  return { client, model, me, bump, state, conversations, scheduleRefresh, ensureUsers, error, setError };
}
