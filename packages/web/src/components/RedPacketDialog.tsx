import { useEffect, useState } from 'react';
import { ExpiredError, type RedPacketDetail } from '@parley/sdk';
import type { Parley } from '../hooks/useParley.js';
import { userLabel, type RedPacketView } from '../model.js';
import { formatMoney } from '../money.js';
import { clockTime, errorText } from '../format.js';
import { Dialog } from './Dialog.js';
import { DEFAULT_GREETING } from './RedPacketCard.js';

/** got: this claim won a share; already: claimed before; view: not mine to claim (sent to one). */
type Outcome = 'got' | 'already' | 'empty' | 'expired' | 'view';

interface Opened {
  readonly detail: RedPacketDetail;
  readonly outcome: Outcome;
  readonly amount: bigint;
}

function outcomeOf(detail: RedPacketDetail, me: bigint, claimed: boolean, expired = false): Opened {
  if (claimed) return { detail, outcome: 'got', amount: detail.amount };
  const mine = detail.claims.find((c) => c.userId === me);
  if (mine !== undefined) return { detail, outcome: 'already', amount: mine.amount };
  if (expired || detail.state === 'expired' || detail.state === 'refunded') {
    return { detail, outcome: 'expired', amount: 0n };
  }
  if (detail.state === 'empty') return { detail, outcome: 'empty', amount: 0n };
  return { detail, outcome: 'view', amount: 0n };
}

const RESULT: Readonly<Record<Outcome, string>> = {
  got: 'You got',
  already: 'You already claimed',
  empty: 'All shares have been claimed.',
  expired: 'This red packet has expired.',
  view: '',
};

/**
 * Opens a red packet: claims my share (once; later opens only look), then shows what I got, or
 * that it is empty or expired, and who got how much.
 */
export function RedPacketDialog(props: {
  parley: Parley;
  packet: RedPacketView;
  title: string;
  /** In a direct chat the sender cannot claim: opening only shows it. */
  direct: boolean;
  onClose: () => void;
}): React.JSX.Element {
  const { parley, packet } = props;
  const { client, model, me, bump, ensureUsers } = parley;
  const [opened, setOpened] = useState<Opened | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    const id = packet.packetId;
    const known = model.packets.get(id);
    // A packet I sent to one person is theirs: mine only to look at.
    const sentToOne = props.direct && packet.senderId === me;
    const claimable = !sentToOne && (known === undefined || (known.amount === 0n && known.state === 'open'));
    const show = (opened: Opened): void => {
      const result: Opened = sentToOne ? { ...opened, outcome: 'view' } : opened;
      model.packets.set(id, { amount: result.amount, state: result.detail.state });
      ensureUsers(result.detail.claims.map((c) => c.userId));
      bump();
      if (live) setOpened(result);
    };
    const look = (expired = false): Promise<void> =>
      client.wallet.info(id).then((d) => {
        show(outcomeOf(d, me, false, expired));
      });
    const claim = (): Promise<void> =>
      client.wallet.claim(id).then((d) => {
        show(outcomeOf(d, me, d.claimed));
      });
    (claimable ? claim() : look())
      // Expired: the claim is refused; the packet itself (and who got what) can still be shown.
      .catch((err: unknown) => {
        if (err instanceof ExpiredError) return look(true);
        throw err;
      })
      .catch((err: unknown) => {
        if (live) setError(errorText(err));
      });
    return () => {
      live = false;
    };
  }, [client, model, me, bump, ensureUsers, packet, props.direct]);

  const detail = opened?.detail;
  const claimedCount = detail?.claims.length ?? 0;
  const taken = packet.total - (detail?.remainingAmount ?? packet.total);
  const finished = detail !== undefined && detail.state !== 'open';
  const best =
    finished && packet.mode === 'random' && claimedCount > 1
      ? detail.claims.reduce((a, b) => (b.amount > a.amount ? b : a)).userId
      : undefined;

  return (
    <Dialog title={props.title} testId="red-packet-dialog" onClose={props.onClose}>
      <p className="red-packet-greeting">{packet.greeting !== '' ? packet.greeting : DEFAULT_GREETING}</p>
      {error !== '' && <p className="error">{error}</p>}
      {opened === undefined && error === '' && <p className="muted">Opening…</p>}
      {opened !== undefined && opened.outcome !== 'view' && (
        <div className="red-packet-result" data-testid="red-packet-result" data-outcome={opened.outcome}>
          <span>{RESULT[opened.outcome]}</span>
          {opened.amount > 0n && (
            <strong
              className="red-packet-amount"
              data-testid="red-packet-amount"
              data-amount={String(opened.amount)}
            >
              {formatMoney(opened.amount)}
            </strong>
          )}
        </div>
      )}
      {detail !== undefined && (
        <>
          <p className="muted" data-testid="red-packet-summary">
            {claimedCount}/{packet.count} opened · {formatMoney(taken)} of {formatMoney(packet.total)}
            {packet.count > 1 ? ` · ${packet.mode === 'even' ? 'equal shares' : 'random shares'}` : ''}
            {detail.state === 'expired' || detail.state === 'refunded' ? ' · expired' : ''}
          </p>
          <ul className="claim-list" data-testid="red-packet-claims">
            {detail.claims.map((c) => (
              <li key={String(c.userId)} data-testid="red-packet-claim" data-user-id={String(c.userId)}>
                <span className="claim-name">
                  {c.userId === me ? 'You' : userLabel(model.users.get(c.userId), String(c.userId))}
                  {c.userId === best && <span className="best-luck"> · best luck</span>}
                </span>
                <time className="muted">{clockTime(Number(c.claimedAt))}</time>
                <strong data-testid="claim-amount">{formatMoney(c.amount)}</strong>
              </li>
            ))}
            {detail.claims.length === 0 && <li className="muted">Nobody has opened it yet.</li>}
          </ul>
        </>
      )}
      <div className="row">
        <button type="button" onClick={props.onClose} data-testid="close-red-packet">
          Close
        </button>
      </div>
    </Dialog>
  );
}
