import { useCallback, useEffect, useRef, useState } from 'react';
import {
  ContentType,
  ConversationType,
  NotFoundError,
  conversationKey,
  type CallMedia,
  type ConversationRef,
} from '@parley/sdk';
import type { Parley } from '../hooks/useParley.js';
import type { MediaProxyState } from '../media-proxy.js';
import { toChat, userLabel, type ChatMessage, type MediaView, type RedPacketView } from '../model.js';
import { errorText, presenceText, typingText } from '../format.js';
import { mentionedNames } from '../users.js';
import { ChatHeader } from './ChatHeader.js';
import { Composer } from './Composer.js';
import { ImageViewer } from './ImageViewer.js';
import { MessageRow } from './MessageRow.js';
import { RedPacketDialog } from './RedPacketDialog.js';

const PAGE = 30;
/** Older pages fetched at most to reach a search result. */
const MAX_FOCUS_PAGES = 20;

export function ChatView(props: {
  parley: Parley;
  token: string;
  conversation: ConversationRef;
  title: string;
  /** SINGLE: the peer (for presence). */
  peerId: bigint | undefined;
  /** Scroll to and mark this message (from search). */
  focusSeq: bigint | undefined;
  proxy: MediaProxyState;
  onBack: () => void;
  onManageGroup: () => void;
  onLeft: () => void;
  /** Direct chats: start a call. */
  onCall: ((media: CallMedia) => void) | undefined;
  inCall: boolean;
}): React.JSX.Element {
  const { parley, conversation, focusSeq } = props;
  const { client, model, me, bump, ensureUsers, setError: onError, scheduleRefresh } = parley;
  const key = conversationKey(conversation);
  // Edits are shown on the message itself ("edited"); their SYSTEM notes would only repeat it.
  const messages = model.list(key).filter((m) => m.systemKind !== 'edited');
  const maxSeq = model.list(key).at(-1)?.seq ?? 0n;
  const peerRead = model.peerRead.get(key) ?? 0n;
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [editing, setEditing] = useState<ChatMessage | undefined>();
  const [viewing, setViewing] = useState<MediaView | undefined>();
  const [opening, setOpening] = useState<RedPacketView | undefined>();
  const [members, setMembers] = useState<readonly bigint[]>([]);
  const listRef = useRef<HTMLDivElement>(null);
  const lastMarked = useRef(0n);
  const stickToBottom = useRef(focusSeq === undefined);

  const loadPage = useCallback(
    async (fromSeq: bigint) => {
      const page = await client.messages.history(conversation, {
        direction: 'backward',
        fromSeq,
        limit: PAGE,
      });
      for (const m of page.messages) model.add(key, toChat(m));
      model.hasOlder.set(key, page.hasMore && (page.messages[0]?.seq ?? 0n) > 1n);
      return page.messages;
    },
    [client, model, key, conversation],
  );

  // The newest page of history (and older ones down to a search result), and which of my
  // messages the others have read already.
  useEffect(() => {
    // An object, so the async body sees the cleanup's change.
    const run = { live: true };
    (async () => {
      let page = await loadPage(0n);
      const mine = page.filter((m) => m.senderId === me).map((m) => m.seq);
      for (let n = 0; focusSeq !== undefined && n < MAX_FOCUS_PAGES && run.live; n++) {
        const first = page[0]?.seq ?? 0n;
        if (first <= focusSeq || model.hasOlder.get(key) !== true) break;
        page = await loadPage(first - 1n);
      }
      if (!run.live) return;
      if (mine.length > 0) {
        const counts = await client.messages.readCounts(conversation, mine);
        for (const [seq, n] of counts) if (n > 0) model.markPeerRead(key, seq);
      }
      bump();
      if (focusSeq !== undefined) {
        requestAnimationFrame(() => {
          listRef.current
            ?.querySelector(`[data-seq="${String(focusSeq)}"]`)
            ?.scrollIntoView({ block: 'center' });
        });
      }
    })().catch((err: unknown) => {
      // A new direct chat has no stored conversation until its first message.
      if (!(err instanceof NotFoundError)) onError(errorText(err));
    });
    return () => {
      run.live = false;
    };
  }, [client, model, key, conversation, me, focusSeq, bump, onError, loadPage]);

  // Group members, for @mentions and names.
  useEffect(() => {
    if (conversation.type !== ConversationType.GROUP) return;
    let live = true;
    client.groups.members(conversation.target, { limit: 200 }).then(
      (res) => {
        if (!live) return;
        const ids = res.members.map((m) => m.userId);
        setMembers(ids);
        ensureUsers(ids);
      },
      () => {
        // Mentions then go out as plain text.
      },
    );
    return () => {
      live = false;
    };
  }, [client, conversation, ensureUsers]);

  // Shown means read: move the read cursor to the newest message on screen.
  useEffect(() => {
    if (maxSeq > lastMarked.current) {
      lastMarked.current = maxSeq;
      client.messages.markRead(conversation, maxSeq).then(scheduleRefresh, (err: unknown) => {
        onError(errorText(err));
      });
    }
  }, [client, conversation, maxSeq, scheduleRefresh, onError]);

  useEffect(() => {
    const el = listRef.current;
    if (el !== null && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages.length, maxSeq]);

  // Live messages may already fill the view down to seq 1, whatever the last page said.
  const hasOlder = model.hasOlder.get(key) === true && (messages[0]?.seq ?? 0n) > 1n;
  const loadOlder = (): void => {
    const first = messages[0]?.seq ?? 0n;
    if (loadingOlder || !hasOlder) return;
    setLoadingOlder(true);
    const el = listRef.current;
    const before = el?.scrollHeight ?? 0;
    loadPage(first - 1n)
      .then(() => {
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

  const sendText = (text: string): Promise<unknown> => {
    const names = conversation.type === ConversationType.GROUP ? mentionedNames(text) : [];
    if (names.includes('all')) return client.messages.sendText(conversation, text, { mentions: 'all' });
    const ids = members.filter((id) => {
      const u = model.users.get(id);
      return id !== me && u !== undefined && names.includes(u.username.toLowerCase());
    });
    return client.messages.sendText(conversation, text, ids.length > 0 ? { mentions: ids } : {});
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

  const leaveRoom = (): void => {
    client.chatrooms.leave(conversation.target).then(props.onLeft, (err: unknown) => {
      onError(`Could not leave: ${errorText(err)}`);
    });
  };

  const typingIds = model.typingIn(key, Date.now());
  const typing = typingText(
    typingIds.map((id) =>
      conversation.type === ConversationType.SINGLE
        ? props.title
        : userLabel(model.users.get(id), String(id)),
    ),
  );
  const peer = props.peerId === undefined ? undefined : model.users.get(props.peerId);
  const presence =
    peer === undefined
      ? undefined
      : { online: peer.online, text: presenceText(peer.online, peer.lastSeenAt) };

  const senderName = (m: ChatMessage): string => {
    // A call record sits on the caller's side and is named after the caller.
    if (m.call !== undefined && m.call.callerId !== m.senderId) {
      return conversation.type === ConversationType.SINGLE ? props.title : String(m.call.callerId);
    }
    if (m.senderName !== '' && m.senderName !== String(m.senderId)) return m.senderName;
    if (conversation.type === ConversationType.SINGLE) return props.title;
    return userLabel(model.users.get(m.senderId), String(m.senderId));
  };
  const direct = conversation.type === ConversationType.SINGLE;
  // A call record is on the caller's side, whoever's device ended the call (and so sent it).
  const isMine = (m: ChatMessage): boolean => (m.call !== undefined ? m.call.callerId : m.senderId) === me;
  const packetTitle = (p: RedPacketView): string =>
    p.senderId === me
      ? 'Your red packet'
      : `${direct ? props.title : userLabel(model.users.get(p.senderId), String(p.senderId))}'s red packet`;

  return (
    <div className="chat" data-testid="chat" data-conversation={key}>
      <ChatHeader
        conversation={conversation}
        title={props.title}
        typing={typing}
        presence={presence}
        onBack={props.onBack}
        onManageGroup={props.onManageGroup}
        onLeaveRoom={leaveRoom}
        onCall={props.onCall}
        inCall={props.inCall}
      />
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
        {hasOlder && (
          <button className="older" onClick={loadOlder} disabled={loadingOlder} data-testid="load-older">
            {loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        )}
        {messages.map((m) => (
          <MessageRow
            key={String(m.seq)}
            m={m}
            mine={isMine(m)}
            senderName={senderName(m)}
            read={m.seq <= peerRead}
            focused={m.seq === focusSeq}
            token={props.token}
            proxy={props.proxy}
            onRecall={recall}
            onEdit={(target) => {
              if (target.contentType === ContentType.TEXT) setEditing(target);
            }}
            onOpenImage={setViewing}
            direct={direct}
            packetStatus={m.redPacket === undefined ? undefined : model.packets.get(m.redPacket.packetId)}
            onOpenRedPacket={setOpening}
          />
        ))}
      </div>
      <Composer
        client={client}
        conversation={conversation}
        token={props.token}
        editing={editing}
        onEditDone={() => {
          setEditing(undefined);
        }}
        sendText={sendText}
        onSending={() => {
          stickToBottom.current = true;
        }}
        onError={onError}
      />
      {opening !== undefined && (
        <RedPacketDialog
          parley={parley}
          packet={opening}
          title={packetTitle(opening)}
          direct={direct}
          onClose={() => {
            setOpening(undefined);
          }}
        />
      )}
      {viewing !== undefined && (
        <ImageViewer
          token={props.token}
          media={viewing}
          onClose={() => {
            setViewing(undefined);
          }}
        />
      )}
    </div>
  );
}
