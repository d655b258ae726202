import { useCallback, useEffect, useMemo, useRef, useState, type SyntheticEvent } from 'react';
import {
  ContentType,
  ConversationType,
  IndexedDbStorage,
  NotFoundError,
  ParleyClient,
  Platform,
  conversationKey,
  direct,
  group,
  refOf,
  webSocketTransport,
  type ConnectionState,
  type ConversationRef,
  type Message,
} from '@parley/sdk';
import { fetchMediaBlobUrl, isOwnMediaUrl, uploadMedia, type Session } from './http.js';

/** A message as the UI shows it. */
interface ChatMessage {
  readonly seq: bigint;
  readonly messageId: bigint;
  readonly senderId: bigint;
  readonly senderName: string;
  readonly contentType: number;
  readonly text: string;
  readonly thumbnailUrl: string;
  readonly mediaUrl: string;
  readonly time: number;
  recalled: boolean;
}

interface ConversationRow {
  readonly key: string;
  readonly ref: ConversationRef;
  readonly name: string;
  readonly unread: number;
  readonly last: string;
}

const RECALLED = 1;

function toChat(m: Message): ChatMessage {
  const content = m.messageContent;
  return {
    seq: m.seq,
    messageId: m.messageId,
    senderId: m.senderId,
    senderName: m.senderName !== '' ? m.senderName : m.from,
    contentType: content?.contentType ?? 0,
    text: content?.text ?? '',
    thumbnailUrl: content?.media?.thumbnailUrl ?? '',
    mediaUrl: content?.media?.url ?? '',
    time: Number(m.serverTime),
    recalled: (m.flags & RECALLED) !== 0,
  };
}

function preview(m: Message | undefined): string {
  if (m === undefined) return '';
  if ((m.flags & RECALLED) !== 0) return 'message recalled';
  const c = m.messageContent;
  switch (c?.contentType) {
    case ContentType.TEXT:
    case ContentType.SYSTEM:
      return c.text;
    case ContentType.IMAGE:
      return '[image]';
    case undefined:
      return '';
    default:
      return '[message]';
  }
}

/** Per-conversation messages by seq, read marks and paging; a version counter re-renders React. */
class Model {
  readonly messages = new Map<string, Map<bigint, ChatMessage>>();
  readonly peerRead = new Map<string, bigint>();
  readonly hasOlder = new Map<string, boolean>();

  add(key: string, m: ChatMessage): void {
    let byKey = this.messages.get(key);
    if (byKey === undefined) {
      byKey = new Map<bigint, ChatMessage>();
      this.messages.set(key, byKey);
    }
    byKey.set(m.seq, m);
  }

  list(key: string): ChatMessage[] {
    return [...(this.messages.get(key)?.values() ?? [])].sort((a, b) => (a.seq < b.seq ? -1 : 1));
  }

  recall(key: string, seq: bigint): void {
    const m = this.messages.get(key)?.get(seq);
    if (m !== undefined) m.recalled = true;
  }

  markPeerRead(key: string, seq: bigint): void {
    if (seq > (this.peerRead.get(key) ?? 0n)) this.peerRead.set(key, seq);
  }
}

const STATE_LABEL: Record<ConnectionState, string> = {
  idle: 'Offline',
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
  kicked: 'Signed in elsewhere',
  unauthenticated: 'Session expired',
  closed: 'Disconnected',
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function Messenger(props: {
  session: Session;
  onSignedOut: (reason: string) => void;
}): React.JSX.Element {
  const { session, onSignedOut } = props;
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
  const [active, setActive] = useState<ConversationRef | undefined>();
  const [error, setError] = useState('');
  const [dialog, setDialog] = useState<'none' | 'chat' | 'group'>('none');

  const refreshList = useCallback(() => {
    client.conversations
      .list(100)
      .then((res) => {
        setConversations(
          res.conversations.flatMap((c) => {
            if (c.conversation === undefined) return [];
            const r = refOf(c.conversation);
            return [
              {
                key: conversationKey(r),
                ref: r,
                name: c.name !== '' ? c.name : r.target,
                unread: Number(c.unread),
                last: preview(c.lastMessage),
              },
            ];
          }),
        );
      })
      .catch((err: unknown) => {
        setError(errorText(err));
      });
  }, [client]);

  // One timer coalesces the list refreshes that a burst of events asks for.
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current !== undefined) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      refreshList();
    }, 100);
  }, [refreshList]);

  useEffect(() => {
    const offs = [
      client.on('state', ({ state: s }) => {
        setState(s);
        if (s === 'kicked') onSignedOut('You signed in somewhere else.');
        if (s === 'unauthenticated') onSignedOut('Your session has ended; please sign in again.');
      }),
      client.on('message', (m) => {
        const ref = m.conversation;
        if (ref === undefined) return;
        model.add(conversationKey(ref), toChat(m));
        bump();
        scheduleRefresh();
      }),
      client.on('recall', (e) => {
        model.recall(conversationKey(e.conversation), e.seq);
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
      client.on('group', () => {
        scheduleRefresh();
      }),
      client.on('synced', () => {
        scheduleRefresh();
      }),
    ];
    client.login({ token: session.token }).then(refreshList, (err: unknown) => {
      onSignedOut(`Could not sign in: ${errorText(err)}`);
    });
    return () => {
      for (const off of offs) off();
      if (refreshTimer.current !== undefined) clearTimeout(refreshTimer.current);
      client.close();
    };
  }, [client, model, me, session.token, bump, refreshList, scheduleRefresh, onSignedOut]);

  const logout = (): void => {
    client.logout().then(
      () => {
        onSignedOut('Signed out.');
      },
      () => {
        onSignedOut('Signed out.');
      },
    );
  };

  const activeKey = active === undefined ? undefined : conversationKey(active);
  const activeRow = conversations.find((c) => c.key === activeKey);

  return (
    <div className={`app ${active === undefined ? 'show-list' : 'show-chat'}`}>
      <aside className="sidebar">
        <header className="bar">
          <div className="me">
            <strong data-testid="me">{session.username}</strong>
            <span className="muted">#{session.userId}</span>
          </div>
          <span className={`conn conn-${state}`} data-testid="connection-state" data-state={state}>
            {STATE_LABEL[state]}
          </span>
        </header>
        <div className="actions">
          <button
            onClick={() => {
              setDialog('chat');
            }}
            data-testid="new-chat"
          >
            New chat
          </button>
          <button
            onClick={() => {
              setDialog('group');
            }}
            data-testid="new-group"
          >
            New group
          </button>
          <button onClick={logout} data-testid="logout">
            Sign out
          </button>
        </div>
        <ul className="conversations" data-testid="conversation-list">
          {conversations.map((c) => (
            <li key={c.key}>
              <button
                className={c.key === activeKey ? 'conv active' : 'conv'}
                onClick={() => {
                  setActive(c.ref);
                }}
                data-testid="conversation"
                data-name={c.name}
              >
                <span className="conv-name">
                  {c.ref.type === ConversationType.GROUP ? '# ' : ''}
                  {c.name}
                </span>
                <span className="conv-last">{c.last}</span>
                {c.unread > 0 && (
                  <span className="badge" data-testid="unread">
                    {c.unread}
                  </span>
                )}
              </button>
            </li>
          ))}
          {conversations.length === 0 && <li className="muted empty">No conversations yet.</li>}
        </ul>
      </aside>
      <section className="main">
        {error !== '' && (
          <div className="error-bar" role="alert">
            {error}
            <button
              onClick={() => {
                setError('');
              }}
            >
              ×
            </button>
          </div>
        )}
        {active !== undefined && activeKey !== undefined ? (
          <ChatView
            key={activeKey}
            client={client}
            model={model}
            me={me}
            token={session.token}
            conversation={active}
            title={activeRow?.name ?? active.target}
            onBack={() => {
              setActive(undefined);
            }}
            onError={setError}
            onRead={scheduleRefresh}
            bump={bump}
          />
        ) : (
          <div className="placeholder muted">Choose a conversation, or start a new chat.</div>
        )}
      </section>
      {dialog === 'chat' && (
        <NewChatDialog
          client={client}
          onClose={() => {
            setDialog('none');
          }}
          onOpen={(ref) => {
            setDialog('none');
            setActive(ref);
          }}
        />
      )}
      {dialog === 'group' && (
        <NewGroupDialog
          client={client}
          me={me}
          onClose={() => {
            setDialog('none');
          }}
          onOpen={(ref) => {
            setDialog('none');
            setActive(ref);
            scheduleRefresh();
          }}
        />
      )}
    </div>
  );
}

/** A user id (digits) or an exact username, found with the user search. */
async function resolveUser(client: ParleyClient, input: string): Promise<{ id: bigint; label: string }> {
  const value = input.trim().replace(/^@/, '');
  if (/^\d{1,20}$/.test(value)) return { id: BigInt(value), label: value };
  const found = await client.users.search(value, 20);
  const user = found.find((u) => u.username.toLowerCase() === value.toLowerCase());
  if (user === undefined) throw new Error(`no user named ${value}`);
  return { id: user.userId, label: user.username };
}

function NewChatDialog(props: {
  client: ParleyClient;
  onClose: () => void;
  onOpen: (ref: ConversationRef) => void;
}): React.JSX.Element {
  const [who, setWho] = useState('');
  const [error, setError] = useState('');
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    resolveUser(props.client, who).then(
      (u) => {
        props.onOpen(direct(u.id));
      },
      (err: unknown) => {
        setError(errorText(err));
      },
    );
  };
  return (
    <div className="dialog-backdrop">
      <form className="dialog" onSubmit={submit} data-testid="new-chat-dialog">
        <h2>New chat</h2>
        <label>
          Username or user id
          <input
            value={who}
            onChange={(e) => {
              setWho(e.target.value);
            }}
            name="peer"
            autoFocus
            required
          />
        </label>
        {error !== '' && <p className="error">{error}</p>}
        <div className="row">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" data-testid="open-chat">
            Open
          </button>
        </div>
      </form>
    </div>
  );
}

function NewGroupDialog(props: {
  client: ParleyClient;
  me: bigint;
  onClose: () => void;
  onOpen: (ref: ConversationRef) => void;
}): React.JSX.Element {
  const [name, setName] = useState('');
  const [who, setWho] = useState('');
  const [members, setMembers] = useState<{ id: bigint; label: string }[]>([]);
  const [error, setError] = useState('');
  const add = (): void => {
    setError('');
    resolveUser(props.client, who).then(
      (u) => {
        if (u.id !== props.me && !members.some((m) => m.id === u.id)) setMembers([...members, u]);
        setWho('');
      },
      (err: unknown) => {
        setError(errorText(err));
      },
    );
  };
  const create = (e: SyntheticEvent): void => {
    e.preventDefault();
    props.client.groups.create({ name: name.trim(), memberIds: members.map((m) => m.id) }).then(
      (info) => {
        props.onOpen(group(info.groupId));
      },
      (err: unknown) => {
        setError(errorText(err));
      },
    );
  };
  return (
    <div className="dialog-backdrop">
      <form className="dialog" onSubmit={create} data-testid="new-group-dialog">
        <h2>New group</h2>
        <label>
          Name
          <input
            value={name}
            onChange={(e) => {
              setName(e.target.value);
            }}
            name="group-name"
            required
          />
        </label>
        <label>
          Add member (username or user id)
          <span className="row">
            <input
              value={who}
              onChange={(e) => {
                setWho(e.target.value);
              }}
              name="member"
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add();
                }
              }}
            />
            <button type="button" onClick={add} data-testid="add-member">
              Add
            </button>
          </span>
        </label>
        <ul className="chips" data-testid="members">
          {members.map((m) => (
            <li key={String(m.id)}>
              {m.label}
              <button
                type="button"
                onClick={() => {
                  setMembers(members.filter((x) => x.id !== m.id));
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        {error !== '' && <p className="error">{error}</p>}
        <div className="row">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" data-testid="create-group">
            Create
          </button>
        </div>
      </form>
    </div>
  );
}

function ChatView(props: {
  client: ParleyClient;
  model: Model;
  me: bigint;
  token: string;
  conversation: ConversationRef;
  title: string;
  onBack: () => void;
  onError: (message: string) => void;
  onRead: () => void;
  bump: () => void;
}): React.JSX.Element {
  const { client, model, me, conversation, bump, onError, onRead } = props;
  const key = conversationKey(conversation);
  const messages = model.list(key);
  const maxSeq = messages.at(-1)?.seq ?? 0n;
  const peerRead = model.peerRead.get(key) ?? 0n;
  const [text, setText] = useState('');
  const [loadingOlder, setLoadingOlder] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const lastMarked = useRef(0n);
  const stickToBottom = useRef(true);
  const fileRef = useRef<HTMLInputElement>(null);

  // The newest page of history, and which of my messages the others have read already.
  useEffect(() => {
    let live = true;
    client.messages
      .history(conversation, { direction: 'backward', limit: 30 })
      .then(async (page) => {
        if (!live) return;
        for (const m of page.messages) model.add(key, toChat(m));
        model.hasOlder.set(key, page.hasMore);
        const mine = page.messages.filter((m) => m.senderId === me).map((m) => m.seq);
        if (mine.length > 0) {
          const counts = await client.messages.readCounts(conversation, mine);
          for (const [seq, n] of counts) if (n > 0) model.markPeerRead(key, seq);
        }
        bump();
      })
      .catch((err: unknown) => {
        // A new direct chat has no stored conversation until its first message.
        if (!(err instanceof NotFoundError)) onError(errorText(err));
      });
    return () => {
      live = false;
    };
  }, [client, model, key, conversation, me, bump, onError]);

  // Shown means read: move the read cursor to the newest message on screen.
  useEffect(() => {
    if (maxSeq > lastMarked.current) {
      lastMarked.current = maxSeq;
      client.messages.markRead(conversation, maxSeq).then(onRead, (err: unknown) => {
        onError(errorText(err));
      });
    }
  }, [client, conversation, maxSeq, onRead, onError]);

  useEffect(() => {
    const el = listRef.current;
    if (el !== null && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages.length, maxSeq]);

  const loadOlder = (): void => {
    const first = messages[0]?.seq ?? 0n;
    if (loadingOlder || model.hasOlder.get(key) !== true || first <= 1n) return;
    setLoadingOlder(true);
    const el = listRef.current;
    const before = el?.scrollHeight ?? 0;
    client.messages
      .history(conversation, { direction: 'backward', fromSeq: first - 1n, limit: 30 })
      .then((page) => {
        for (const m of page.messages) model.add(key, toChat(m));
        model.hasOlder.set(key, page.hasMore);
        bump();
        requestAnimationFrame(() => {
          if (el !== null) el.scrollTop += el.scrollHeight - before;
        });
      })
      .catch((err: unknown) => {
        onError(errorText(err));
      })
      .finally(() => {
        setLoadingOlder(false);
      });
  };

  const send = (e: SyntheticEvent): void => {
    e.preventDefault();
    const value = text;
    if (value.trim() === '') return;
    setText('');
    stickToBottom.current = true;
    client.messages.sendText(conversation, value).catch((err: unknown) => {
      onError(errorText(err));
      setText(value);
    });
  };

  const sendImage = (file: File): void => {
    stickToBottom.current = true;
    uploadMedia(props.token, file, file.name)
      .then((media) => {
        if (!media.mime.startsWith('image/')) throw new Error('only images can be sent here');
        return client.messages.send(conversation, {
          contentType: ContentType.IMAGE,
          media: {
            url: media.url,
            thumbnailUrl: media.thumbnailUrl,
            mime: media.mime,
            size: BigInt(media.size),
            width: media.width,
            height: media.height,
            name: file.name,
          },
        });
      })
      .catch((err: unknown) => {
        onError(`Image not sent: ${errorText(err)}`);
      });
  };

  const recall = (seq: bigint): void => {
    client.messages.recall(conversation, seq).then(
      () => {
        model.recall(key, seq);
        bump();
      },
      (err: unknown) => {
        onError(`Could not recall: ${errorText(err)}`);
      },
    );
  };

  return (
    <div className="chat" data-testid="chat" data-conversation={key}>
      <header className="bar">
        <button className="back" onClick={props.onBack} aria-label="Back">
          ‹
        </button>
        <strong data-testid="chat-title">{props.title}</strong>
      </header>
      <div
        className="messages"
        ref={listRef}
        data-testid="messages"
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          if (el.scrollTop < 40) loadOlder();
        }}
      >
        {model.hasOlder.get(key) === true && (
          <button className="older" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        )}
        {messages.map((m) => (
          <MessageRow
            key={String(m.seq)}
            m={m}
            mine={m.senderId === me}
            senderName={
              m.senderName !== '' && m.senderName !== String(m.senderId)
                ? m.senderName
                : conversation.type === ConversationType.SINGLE
                  ? props.title
                  : String(m.senderId)
            }
            read={m.seq <= peerRead}
            token={props.token}
            onRecall={recall}
          />
        ))}
      </div>
      <form className="composer" onSubmit={send}>
        <button
          type="button"
          onClick={() => fileRef.current?.click()}
          aria-label="Send an image"
          title="Send an image"
        >
          Image
        </button>
        <input
          ref={fileRef}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          hidden
          data-testid="image-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file !== undefined) sendImage(file);
            e.target.value = '';
          }}
        />
        <input
          className="text"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
          }}
          placeholder="Message"
          data-testid="composer"
          maxLength={10000}
        />
        <button type="submit" data-testid="send">
          Send
        </button>
      </form>
    </div>
  );
}

function MessageRow(props: {
  m: ChatMessage;
  mine: boolean;
  senderName: string;
  read: boolean;
  token: string;
  onRecall: (seq: bigint) => void;
}): React.JSX.Element {
  const { m, mine } = props;
  if (m.contentType === ContentType.SYSTEM) {
    return (
      <div className="system" data-testid="system-message">
        {m.text}
      </div>
    );
  }
  let body: React.JSX.Element;
  if (m.recalled) body = <em className="muted">message recalled</em>;
  else if (m.contentType === ContentType.TEXT) body = <span className="text">{m.text}</span>;
  else if (m.contentType === ContentType.IMAGE)
    body = <AuthImage token={props.token} url={m.thumbnailUrl !== '' ? m.thumbnailUrl : m.mediaUrl} />;
  else body = <em className="muted">unsupported message</em>;
  return (
    <div
      className={`msg ${mine ? 'mine' : 'theirs'}`}
      data-testid="message"
      data-seq={String(m.seq)}
      data-recalled={m.recalled ? 'true' : 'false'}
    >
      {!mine && <div className="sender">{props.senderName}</div>}
      <div className="bubble">{body}</div>
      <div className="meta">
        <time>{new Date(m.time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>
        {mine && (
          <span
            className={props.read ? 'tick read' : 'tick'}
            data-testid="tick"
            data-read={props.read ? 'true' : 'false'}
          >
            {props.read ? '✓✓' : '✓'}
          </span>
        )}
        {mine && !m.recalled && (
          <button
            className="link"
            onClick={() => {
              props.onRecall(m.seq);
            }}
            data-testid="recall"
          >
            Recall
          </button>
        )}
      </div>
    </div>
  );
}

/**
 * Media needs the bearer token: fetch it into an object URL (revoked when the row goes away). The
 * server records a message's media reference just after pushing the message, so a recipient's
 * first fetch can come too early (404): retry a few times before giving up.
 */
function AuthImage(props: { token: string; url: string }): React.JSX.Element {
  const [src, setSrc] = useState<string | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!isOwnMediaUrl(props.url)) {
      setFailed(true);
      return;
    }
    let live = true;
    let objectUrl: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (n: number): void => {
      fetchMediaBlobUrl(props.token, props.url).then(
        (u) => {
          objectUrl = u;
          if (live) setSrc(u);
          else URL.revokeObjectURL(u);
        },
        () => {
          if (!live) return;
          if (n >= 5) setFailed(true);
          else
            timer = setTimeout(
              () => {
                attempt(n + 1);
              },
              200 * 2 ** n,
            );
        },
      );
    };
    attempt(0);
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
      if (objectUrl !== undefined) URL.revokeObjectURL(objectUrl);
    };
  }, [props.token, props.url]);
  if (failed) return <em className="muted">image unavailable</em>;
  if (src === undefined) return <span className="muted">loading image…</span>;
  return <img className="thumb" src={src} alt="image" data-testid="thumbnail" />;
}
