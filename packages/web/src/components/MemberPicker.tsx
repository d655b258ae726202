import { useState } from 'react';
import type { ParleyClient } from '@parley/sdk';
import { errorText } from '../format.js';
import { resolveUser, type ResolvedUser } from '../users.js';

/** A username-or-id field with an Add button that resolves the user first. */
export function MemberPicker(props: {
  client: ParleyClient;
  label: string;
  onAdd: (user: ResolvedUser) => void;
}): React.JSX.Element {
  const [who, setWho] = useState('');
  const [error, setError] = useState('');
  const add = (): void => {
    setError('');
    resolveUser(props.client, who).then(
      (u) => {
        props.onAdd(u);
        setWho('');
      },
      (err: unknown) => {
        setError(errorText(err));
      },
    );
  };
  return (
    <>
      <label>
        {props.label}
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
      {error !== '' && <p className="error">{error}</p>}
    </>
  );
}
