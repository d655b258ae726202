import { ConversationType } from '@parley/sdk';
import type { ConversationRow } from '../hooks/useParley.js';
import type { Model } from '../model.js';
import { userLabel } from '../model.js';
import { typingText } from '../format.js';

const PREFIX: Readonly<Record<number, string>> = {
  [ConversationType.GROUP]: '# ',
  [ConversationType.CHATROOM]: '#',
};

/** The conversations: presence dot, name, last message or who is typing, mention marker, unread badge. */
export function ConversationList(props: {
  rows: readonly ConversationRow[];
  model: Model;
  activeKey: string | undefined;
  onOpen: (row: ConversationRow) => void;
}): React.JSX.Element {
  const { rows, model } = props;
  const now = Date.now();
  return (
    <ul className="conversations" data-testid="conversation-list">
      {rows.map((c) => {
        const peer = c.peerId === undefined ? undefined : model.users.get(c.peerId);
        const typingIds = model.typingIn(c.key, now);
        const typing = typingText(
          typingIds.map((id) =>
            c.peerId !== undefined ? c.name : userLabel(model.users.get(id), String(id)),
          ),
        );
        return (
          <li key={c.key}>
            <button
              className={c.key === props.activeKey ? 'conv active' : 'conv'}
              onClick={() => {
                props.onOpen(c);
              }}
              data-testid="conversation"
              data-name={c.name}
            >
              <span className="conv-name">
                {peer !== undefined && (
                  <span
                    className={peer.online ? 'dot online' : 'dot'}
                    data-testid="presence"
                    data-online={peer.online ? 'true' : 'false'}
                    title={peer.online ? 'online' : 'offline'}
                  />
                )}
                {PREFIX[c.ref.type] ?? ''}
                {c.name}
              </span>
              {typing !== '' ? (
                <span className="conv-last typing" data-testid="typing">
                  {typing}
                </span>
              ) : (
                <span className="conv-last">{c.last}</span>
              )}
              <span className="conv-marks">
                {c.mentioned && (
                  <span className="mention" data-testid="mention" title="You were mentioned">
                    @
                  </span>
                )}
                {c.unread > 0 && (
                  <span className={c.muted ? 'badge muted-badge' : 'badge'} data-testid="unread">
                    {c.unread}
                  </span>
                )}
              </span>
            </button>
          </li>
        );
      })}
      {rows.length === 0 && <li className="muted empty">No conversations yet.</li>}
    </ul>
  );
}
