import { useState } from 'react';
import { group, type ConversationRef, type ParleyClient } from '@parley/sdk';
import { errorText } from '../format.js';
import type { ResolvedUser } from '../users.js';
import { Dialog } from './Dialog.js';
import { MemberPicker } from './MemberPicker.js';

export function NewGroupDialog(props: {
  client: ParleyClient;
  me: bigint;
  onClose: () => void;
  onOpen: (ref: ConversationRef) => void;
}): React.JSX.Element {
  const [name, setName] = useState('');
  const [members, setMembers] = useState<ResolvedUser[]>([]);
  const [error, setError] = useState('');
  const create = (): void => {
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
    <Dialog title="New group" testId="new-group-dialog" onClose={props.onClose} onSubmit={create}>
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
      <MemberPicker
        client={props.client}
        label="Add member (username or user id)"
        onAdd={(u) => {
          if (u.id !== props.me && !members.some((m) => m.id === u.id)) setMembers([...members, u]);
        }}
      />
      <ul className="chips" data-testid="members">
        {members.map((m) => (
          <li key={String(m.id)}>
            {m.label}
            <button
              type="button"
              aria-label={`Remove ${m.label}`}
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
    </Dialog>
  );
}
