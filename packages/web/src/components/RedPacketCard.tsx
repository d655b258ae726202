import type { PacketStatus, RedPacketView } from '../model.js';
import { formatMoney } from '../money.js';
import { Icon } from './Icon.js';

export const DEFAULT_GREETING = 'Best wishes!';

/** What the card says under the greeting, from what this user knows of the packet. */
function statusLine(status: PacketStatus | undefined, sentByMeToOne: boolean): string {
  if (status !== undefined && status.amount > 0n) return `You got ${formatMoney(status.amount)}`;
  if (status?.state === 'empty') return 'All claimed';
  if (status?.state === 'expired' || status?.state === 'refunded') return 'Expired';
  return sentByMeToOne ? 'View red packet' : 'Open red packet';
}

/** A RED_PACKET message: the greeting and what it holds; a click opens (claims) it. */
export function RedPacketCard(props: {
  packet: RedPacketView;
  status: PacketStatus | undefined;
  /** A direct chat's packet I sent: only the peer can open it. */
  sentByMeToOne: boolean;
  onOpen: () => void;
}): React.JSX.Element {
  const { packet, status } = props;
  const done = status !== undefined && (status.amount > 0n || status.state !== 'open');
  return (
    <button
      type="button"
      className={done ? 'red-packet done' : 'red-packet'}
      onClick={props.onOpen}
      data-testid="red-packet"
      data-packet-id={String(packet.packetId)}
      data-state={status?.state ?? 'unopened'}
      data-amount={status === undefined ? '' : String(status.amount)}
    >
      <span className="red-packet-top">
        <Icon name="gift" size={28} />
        <span className="red-packet-text">
          <span className="red-packet-greeting">
            {packet.greeting !== '' ? packet.greeting : DEFAULT_GREETING}
          </span>
          <span className="red-packet-status" data-testid="red-packet-status">
            {statusLine(status, props.sentByMeToOne)}
          </span>
        </span>
      </span>
      <span className="red-packet-foot">
        Red packet · {formatMoney(packet.total)}
        {packet.count > 1 ? ` · ${packet.count} shares` : ''}
      </span>
    </button>
  );
}
