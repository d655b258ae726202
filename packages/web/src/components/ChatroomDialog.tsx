import { useEffect, useState } from 'react';
import {
  chatroom,
  conversationKey,
  type ChatroomInfo,
  type ConversationRef,
  type ParleyClient,
} from '@parley/sdk';
import { errorText } from '../format.js';
import { Dialog } from './Dialog.js';

/** Browse the open chatrooms, join one (or create one by joining a new name), or open a joined one. */
export function ChatroomDialog(props: {
  client: ParleyClient;
  /** Conversation keys I am in already. */
  joined: ReadonlySet<string>;
  onClose: () => void;
  onOpen: (ref: ConversationRef) => void;
}): React.JSX.Element {
  const { client, joined, onOpen } = props;
  const [rooms, setRooms] = useState<readonly ChatroomInfo[] | undefined>();
  const [name, setName] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    client.chatrooms.list({ limit: 100 }).then(
      (res) => {
        if (live) setRooms(res.rooms);
      },
      (err: unknown) => {
        if (live) setError(errorText(err));
      },
    );
    return () => {
      live = false;
    };
  }, [client]);

  const join = (room: string): void => {
    const ref = chatroom(room);
    if (ref.target === '') return;
    if (joined.has(conversationKey(ref))) {
      onOpen(ref);
      return;
    }
    setError('');
    client.chatrooms.join(ref.target).then(
      () => {
        onOpen(ref);
      },
      (err: unknown) => {
        setError(errorText(err));
      },
    );
  };

  return (
    <Dialog
      title="Chatrooms"
      testId="chatroom-dialog"
      onClose={props.onClose}
      onSubmit={() => {
        join(name.trim());
      }}
    >
      <label>
        Join or create a room
        <span className="row">
          <input
            name="room"
            placeholder="#room"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
            }}
            required
          />
          <button type="submit" data-testid="join-named-room">
            Join
          </button>
        </span>
      </label>
      {error !== '' && <p className="error">{error}</p>}
      {rooms === undefined ? (
        <p className="muted">Loading rooms…</p>
      ) : rooms.length === 0 ? (
        <p className="muted">No rooms yet.</p>
      ) : (
        <ul className="room-list" data-testid="room-list">
          {rooms.map((r) => {
            const isIn = joined.has(conversationKey(chatroom(r.name)));
            return (
              <li key={r.name} data-testid="room" data-room={r.name}>
                <span className="room-name">#{r.name}</span>
                <span className="muted">
                  {r.memberCount} {r.memberCount === 1 ? 'member' : 'members'}
                </span>
                <button
                  type="button"
                  data-testid="join-room"
                  onClick={() => {
                    join(r.name);
                  }}
                >
                  {isIn ? 'Open' : 'Join'}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Dialog>
  );
}
