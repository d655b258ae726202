import { useState } from 'react';
import {
  ConversationType,
  conversationKey,
  refOf,
  type ConversationRef,
  type Message,
  type ParleyClient,
} from '@parley/sdk';
import { clockTime, errorText } from '../format.js';
import { preview } from '../model.js';
import { Dialog } from './Dialog.js';

/** Full-text search over my conversations (newest first); a result opens its conversation at the message. */
export function SearchDialog(props: {
  client: ParleyClient;
  nameOf: (key: string) => string | undefined;
  onClose: () => void;
  onOpen: (ref: ConversationRef, seq: bigint) => void;
}): React.JSX.Element {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<readonly Message[] | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const search = (): void => {
    const q = query.trim();
    if (q === '') return;
    setBusy(true);
    setError('');
    props.client.messages
      .search(q, { limit: 30 })
      .then(setResults, (err: unknown) => {
        setError(errorText(err));
      })
      .finally(() => {
        setBusy(false);
      });
  };

  return (
    <Dialog title="Search messages" testId="search-dialog" onClose={props.onClose} onSubmit={search}>
      <span className="row">
        <input
          name="search"
          type="search"
          autoFocus
          value={query}
          placeholder="Words to find"
          onChange={(e) => {
            setQuery(e.target.value);
          }}
        />
        <button type="submit" disabled={busy} data-testid="run-search">
          Search
        </button>
      </span>
      {error !== '' && <p className="error">{error}</p>}
      {results !== undefined && results.length === 0 && <p className="muted">Nothing found.</p>}
      {results !== undefined && results.length > 0 && (
        <ul className="results" data-testid="search-results">
          {results.map((m) => {
            const ref = refOf(m.conversation);
            const where = props.nameOf(conversationKey(ref)) ?? ref.target;
            return (
              <li key={String(m.messageId)}>
                <button
                  type="button"
                  className="result"
                  data-testid="search-result"
                  onClick={() => {
                    props.onOpen(ref, m.seq);
                  }}
                >
                  <span className="result-where">
                    {ref.type === ConversationType.SINGLE
                      ? ''
                      : ref.type === ConversationType.GROUP
                        ? '# '
                        : '#'}
                    {where}
                    <span className="muted">
                      {' '}
                      · {m.senderName !== '' ? m.senderName : m.from} · {clockTime(Number(m.serverTime))}
                    </span>
                  </span>
                  <span className="result-text">{preview(m)}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Dialog>
  );
}
