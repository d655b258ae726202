import { useCallback, useEffect, useMemo, useState } from 'react';
import { ConversationType, conversationKey, type ConversationRef } from '@parley/sdk';
import type { Session } from './http.js';
import { setMediaToken } from './media-proxy.js';
import { STATE_LABEL } from './format.js';
import { userLabel } from './model.js';
import { useParley, type ConversationRow } from './hooks/useParley.js';
import { useMediaProxy } from './hooks/useMediaProxy.js';
import { useNotifications } from './hooks/useNotifications.js';
import { useCall } from './hooks/useCall.js';
import type { Theme } from './hooks/useTheme.js';
import { ChatView } from './components/ChatView.js';
import { ChatroomDialog } from './components/ChatroomDialog.js';
import { ConversationList } from './components/ConversationList.js';
import { GroupSettingsDialog } from './components/GroupSettingsDialog.js';
import { NewChatDialog } from './components/NewChatDialog.js';
import { NewGroupDialog } from './components/NewGroupDialog.js';
import { SearchDialog } from './components/SearchDialog.js';
import { ThemeToggle } from './components/ThemeToggle.js';
import { CallPanel } from './components/CallPanel.js';
import { WalletDialog } from './components/WalletDialog.js';
import { Icon } from './components/Icon.js';

type DialogKind = 'none' | 'chat' | 'group' | 'rooms' | 'search' | 'group-settings' | 'wallet';

interface Active {
  readonly ref: ConversationRef;
  readonly focusSeq: bigint | undefined;
}

/** The signed-in app: the sidebar (me, connection, conversations), the open chat, and the dialogs. */
export function Messenger(props: {
  session: Session;
  theme: Theme;
  onNextTheme: () => void;
  onSignedOut: (reason: string) => void;
}): React.JSX.Element {
  const { session, onSignedOut } = props;
  const parley = useParley(session, onSignedOut);
  const { client, model, me, state, conversations, scheduleRefresh, error, setError } = parley;
  const proxy = useMediaProxy();
  const [active, setActive] = useState<Active | undefined>();
  const [dialog, setDialog] = useState<DialogKind>('none');

  useEffect(() => {
    setMediaToken(session.token);
    return () => {
      setMediaToken(undefined);
    };
  }, [session.token]);

  const open = useCallback((ref: ConversationRef, focusSeq?: bigint) => {
    setDialog('none');
    setActive({ ref, focusSeq });
  }, []);
  const notifications = useNotifications(client, me, conversations, open);
  const { controller: calls, call } = useCall(client, session.token, setError);

  const logout = (): void => {
    const done = (): void => {
      onSignedOut('Signed out.');
    };
    client.logout().then(done, done);
  };

  const activeKey = active === undefined ? undefined : conversationKey(active.ref);
  const activeRow: ConversationRow | undefined = conversations.find((c) => c.key === activeKey);
  const joined = useMemo(() => new Set(conversations.map((c) => c.key)), [conversations]);
  const closeDialog = useCallback(() => {
    setDialog('none');
  }, []);
  const left = useCallback(() => {
    setDialog('none');
    setActive(undefined);
    scheduleRefresh();
  }, [scheduleRefresh]);

  const peerId =
    active?.ref.type === ConversationType.SINGLE && /^\d+$/.test(active.ref.target)
      ? BigInt(active.ref.target)
      : undefined;
  // A direct chat not in the list yet (no message so far) is named after the user.
  const { ensureUsers } = parley;
  useEffect(() => {
    if (peerId !== undefined) ensureUsers([peerId]);
  }, [peerId, ensureUsers]);
  const callPeer = call?.peerId;
  useEffect(() => {
    if (callPeer !== undefined) ensureUsers([callPeer]);
  }, [callPeer, ensureUsers]);
  const title =
    activeRow?.name ??
    (peerId === undefined ? active?.ref.target : userLabel(model.users.get(peerId), String(peerId))) ??
    '';

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
          <ThemeToggle theme={props.theme} onNext={props.onNextTheme} />
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
          <button
            onClick={() => {
              setDialog('rooms');
            }}
            data-testid="browse-rooms"
          >
            Rooms
          </button>
          <button
            onClick={() => {
              setDialog('search');
            }}
            data-testid="open-search"
            aria-label="Search messages"
          >
            Search
          </button>
          <button
            onClick={() => {
              setDialog('wallet');
            }}
            data-testid="open-wallet"
          >
            Wallet
          </button>
          <button onClick={logout} data-testid="logout">
            Sign out
          </button>
        </div>
        {notifications.permission === 'default' && (
          <button
            className="notify-prompt"
            onClick={notifications.request}
            data-testid="enable-notifications"
          >
            <Icon name="bell" size={14} /> Enable desktop notifications
          </button>
        )}
        <ConversationList
          rows={conversations}
          model={model}
          activeKey={activeKey}
          onOpen={(row) => {
            open(row.ref);
          }}
        />
      </aside>
      <section className="main">
        {error !== '' && (
          <div className="error-bar" role="alert">
            {error}
            <button
              onClick={() => {
                setError('');
              }}
              aria-label="Dismiss"
            >
              ×
            </button>
          </div>
        )}
        {active !== undefined && activeKey !== undefined ? (
          <ChatView
            key={activeKey}
            parley={parley}
            token={session.token}
            conversation={active.ref}
            title={title}
            peerId={peerId}
            focusSeq={active.focusSeq}
            proxy={proxy}
            onBack={() => {
              setActive(undefined);
            }}
            onManageGroup={() => {
              setDialog('group-settings');
            }}
            onLeft={left}
            onCall={
              peerId === undefined
                ? undefined
                : (media) => {
                    void calls.call(peerId, media);
                  }
            }
            inCall={call !== undefined && call.phase !== 'ended'}
          />
        ) : (
          <div className="placeholder muted">Choose a conversation, or start a new chat.</div>
        )}
      </section>
      {dialog === 'chat' && <NewChatDialog client={client} onClose={closeDialog} onOpen={open} />}
      {dialog === 'group' && (
        <NewGroupDialog
          client={client}
          me={me}
          onClose={closeDialog}
          onOpen={(ref) => {
            open(ref);
            scheduleRefresh();
          }}
        />
      )}
      {dialog === 'rooms' && (
        <ChatroomDialog
          client={client}
          joined={joined}
          onClose={closeDialog}
          onOpen={(ref) => {
            open(ref);
            scheduleRefresh();
          }}
        />
      )}
      {dialog === 'search' && (
        <SearchDialog
          client={client}
          nameOf={(key) => conversations.find((c) => c.key === key)?.name}
          onClose={closeDialog}
          onOpen={open}
        />
      )}
      {dialog === 'wallet' && <WalletDialog client={client} onClose={closeDialog} />}
      {call !== undefined && (
        <CallPanel
          call={call}
          controller={calls}
          peerName={userLabel(model.users.get(call.peerId), String(call.peerId))}
        />
      )}
      {dialog === 'group-settings' && active?.ref.type === ConversationType.GROUP && (
        <GroupSettingsDialog
          parley={parley}
          groupId={active.ref.target}
          onClose={closeDialog}
          onLeft={left}
        />
      )}
    </div>
  );
}
