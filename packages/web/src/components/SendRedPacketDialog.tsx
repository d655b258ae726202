import { useEffect, useRef, useState } from 'react';
import { ConflictError, ConversationType, type ConversationRef, type ParleyClient } from '@parley/sdk';
import { formatMoney, parseMoney } from '../money.js';
import { errorText } from '../format.js';
import { Dialog } from './Dialog.js';

const MAX_SHARES = 1000;
const MAX_GREETING = 100;

function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `rp-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Checks the form; the error to show, or the request. */
function validate(
  amount: string,
  countText: string,
  shared: boolean,
): { error: string } | { total: bigint; count: number } {
  const total = parseMoney(amount);
  if (total === undefined || total <= 0n) return { error: 'Enter an amount such as 12.34.' };
  const count = shared ? Number(countText) : 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARES) {
    return { error: `Shares must be a whole number from 1 to ${MAX_SHARES}.` };
  }
  if (total < BigInt(count)) return { error: `${count} shares need at least ${formatMoney(count)}.` };
  return { total, count };
}

/**
 * Sends a red packet: an amount ("12.34", debited from my balance), and in groups and chatrooms
 * how many shares and how they are split. One idempotency key per distinct attempt, so a retry
 * after a lost answer cannot pay twice.
 */
export function SendRedPacketDialog(props: {
  client: ParleyClient;
  conversation: ConversationRef;
  onClose: () => void;
  onSent: () => void;
}): React.JSX.Element {
  const { client, conversation } = props;
  const shared = conversation.type !== ConversationType.SINGLE;
  const [amount, setAmount] = useState('');
  const [count, setCount] = useState('2');
  const [mode, setMode] = useState<'random' | 'even'>('random');
  const [greeting, setGreeting] = useState('');
  const [balance, setBalance] = useState<bigint | undefined>();
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const attempt = useRef({ key: '', id: '' });

  useEffect(() => {
    let live = true;
    client.wallet.balance({ limit: 1 }).then(
      (w) => {
        if (live) setBalance(w.balance);
      },
      () => {
        // The balance is a hint; the send itself checks it.
      },
    );
    return () => {
      live = false;
    };
  }, [client]);

  const submit = (): void => {
    const checked = validate(amount, count, shared);
    if ('error' in checked) {
      setError(checked.error);
      return;
    }
    const request = { total: checked.total, count: checked.count, mode, greeting: greeting.trim() };
    const key = JSON.stringify({ ...request, total: String(request.total) });
    if (attempt.current.key !== key) attempt.current = { key, id: newClientMsgId() };
    setError('');
    setSending(true);
    client.wallet
      .sendRedPacket(conversation, { ...request, clientMsgId: attempt.current.id })
      .then(props.onSent, (err: unknown) => {
        setSending(false);
        setError(err instanceof ConflictError ? 'Your balance is too low.' : errorText(err));
      });
  };

  return (
    <Dialog
      title="Send a red packet"
      testId="send-red-packet-dialog"
      onClose={props.onClose}
      onSubmit={submit}
    >
      <p className="muted" data-testid="send-balance">
        Balance: {balance === undefined ? '…' : formatMoney(balance)}
      </p>
      <label>
        {shared ? 'Total amount' : 'Amount'}
        <input
          name="amount"
          inputMode="decimal"
          placeholder="0.00"
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            setError('');
          }}
          autoFocus
          required
        />
      </label>
      {shared && (
        <>
          <label>
            Shares
            <input
              name="count"
              type="number"
              min={1}
              max={MAX_SHARES}
              value={count}
              onChange={(e) => {
                setCount(e.target.value);
              }}
              required
            />
          </label>
          <fieldset className="split">
            <legend>Split</legend>
            <label>
              <input
                type="radio"
                name="mode"
                value="random"
                checked={mode === 'random'}
                onChange={() => {
                  setMode('random');
                }}
              />
              Random amounts
            </label>
            <label>
              <input
                type="radio"
                name="mode"
                value="even"
                checked={mode === 'even'}
                onChange={() => {
                  setMode('even');
                }}
              />
              Equal amounts
            </label>
          </fieldset>
        </>
      )}
      <label>
        Greeting
        <input
          name="greeting"
          placeholder="Best wishes!"
          maxLength={MAX_GREETING}
          value={greeting}
          onChange={(e) => {
            setGreeting(e.target.value);
          }}
        />
      </label>
      {error !== '' && (
        <p className="error" role="alert" data-testid="red-packet-error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" disabled={sending} data-testid="send-red-packet">
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </Dialog>
  );
}
