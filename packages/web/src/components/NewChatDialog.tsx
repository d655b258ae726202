import { useState } from 'react';
import { direct, type ConversationRef, type ParleyClient } from '@parley/sdk';
import { errorText } from '../format.js';
import { resolveUser } from '../users.js';
import { Dialog } from './Dialog.js';

export function NewChatDialog(props: {
  client: ParleyClient;
  onClose: () => void;
  onOpen: (ref: ConversationRef) => void;
}): React.JSX.Element {
  const [who, setWho] = useState('');
  const [error, setError] = useState('');
  const submit = (): void => {
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
    <Dialog title="New chat" testId="new-chat-dialog" onClose={props.onClose} onSubmit={submit}>
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
    </Dialog>
  );
}
