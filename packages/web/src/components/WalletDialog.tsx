import { useCallback, useEffect, useState } from 'react';
import type { LedgerEntry, ParleyClient } from '@parley/sdk';
import { formatDelta, formatMoney } from '../money.js';
import { errorText } from '../format.js';
import { Dialog } from './Dialog.js';

const PAGE = 20;

const KIND_LABEL: Readonly<Record<string, string>> = {
  credit: 'Top-up',
  red_packet_send: 'Red packet sent',
  red_packet_claim: 'Red packet received',
  red_packet_refund: 'Red packet refund (unclaimed)',
};

function when(ms: number): string {
  return new Date(ms).toLocaleString([], {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** My balance and its ledger, newest first, a page at a time. */
export function WalletDialog(props: { client: ParleyClient; onClose: () => void }): React.JSX.Element {
  const { client } = props;
  const [balance, setBalance] = useState<bigint | undefined>();
  const [entries, setEntries] = useState<readonly LedgerEntry[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');

  const load = useCallback(
    (beforeId: bigint) => {
      setLoading(true);
      client.wallet
        .balance({ beforeId, limit: PAGE })
        .then(
          (w) => {
            setBalance(w.balance);
            setEntries((old) => (beforeId === 0n ? w.entries : [...old, ...w.entries]));
            setMore(w.entries.length === PAGE);
            setError('');
          },
          (err: unknown) => {
            setError(errorText(err));
          },
        )
        .finally(() => {
          setLoading(false);
        });
    },
    [client],
  );

  useEffect(() => {
    load(0n);
  }, [load]);

  return (
    <Dialog title="Wallet" testId="wallet-dialog" onClose={props.onClose}>
      <div className="wallet-balance">
        <span className="muted">Balance</span>
        <strong data-testid="wallet-balance" data-balance={balance === undefined ? '' : String(balance)}>
          {balance === undefined ? '…' : formatMoney(balance)}
        </strong>
      </div>
      {error !== '' && <p className="error">{error}</p>}
      <ul className="ledger" data-testid="ledger">
        {entries.map((e) => (
          <li key={String(e.id)} data-testid="ledger-entry" data-kind={e.kind} data-delta={String(e.delta)}>
            <span className="ledger-what">
              {KIND_LABEL[e.kind] ?? e.kind}
              <time className="muted">{when(Number(e.createdAt))}</time>
            </span>
            <span className={e.delta > 0n ? 'ledger-delta in' : 'ledger-delta out'}>
              {formatDelta(e.delta)}
            </span>
            <span className="muted ledger-after">{formatMoney(e.balanceAfter)}</span>
          </li>
        ))}
        {entries.length === 0 && !loading && error === '' && <li className="muted">No movements yet.</li>}
      </ul>
      <div className="row">
        {more && (
          <button
            type="button"
            disabled={loading}
            onClick={() => {
              const last = entries.at(-1);
              if (last !== undefined) load(last.id);
            }}
            data-testid="ledger-more"
          >
            {loading ? 'Loading…' : 'Older'}
          </button>
        )}
        <button
          type="button"
          disabled={loading}
          onClick={() => {
            load(0n);
          }}
          data-testid="wallet-refresh"
        >
          Refresh
        </button>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
