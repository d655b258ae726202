import { ContentType } from '@parley/sdk';
import type { MediaProxyState } from '../media-proxy.js';
import type { ChatMessage, MediaView, PacketStatus, RedPacketView } from '../model.js';
import { clockTime } from '../format.js';
import { MessageBody } from './MessageBody.js';

export function MessageRow(props: {
  m: ChatMessage;
  mine: boolean;
  senderName: string;
  read: boolean;
  focused: boolean;
  token: string;
  proxy: MediaProxyState;
  onRecall: (seq: bigint) => void;
  onEdit: (m: ChatMessage) => void;
  onOpenImage: (media: MediaView) => void;
  direct: boolean;
  packetStatus: PacketStatus | undefined;
  onOpenRedPacket: (packet: RedPacketView) => void;
}): React.JSX.Element {
  const { m, mine } = props;
  // Red packets and call records are written by the server: not edited, recalled or ticked.
  const authored = m.contentType === ContentType.RED_PACKET || m.contentType === ContentType.CALL;
  if (m.contentType === ContentType.SYSTEM) {
    return (
      <div className="system" data-testid="system-message" data-seq={String(m.seq)}>
        {m.text}
      </div>
    );
  }
  return (
    <div
      className={`msg ${mine ? 'mine' : 'theirs'}${props.focused ? ' focused' : ''}`}
      data-testid="message"
      data-seq={String(m.seq)}
      data-recalled={m.recalled ? 'true' : 'false'}
      data-edited={m.edited ? 'true' : 'false'}
    >
      {!mine && <div className="sender">{props.senderName}</div>}
      <div className={m.contentType === ContentType.RED_PACKET && !m.recalled ? 'bubble bare' : 'bubble'}>
        <MessageBody
          m={m}
          token={props.token}
          proxy={props.proxy}
          onOpenImage={props.onOpenImage}
          mine={mine}
          direct={props.direct}
          packetStatus={props.packetStatus}
          onOpenRedPacket={props.onOpenRedPacket}
        />
      </div>
      <div className="meta">
        <time>{clockTime(m.time)}</time>
        {m.edited && !m.recalled && (
          <span className="edited" data-testid="edited">
            edited
          </span>
        )}
        {mine && m.contentType !== ContentType.CALL && (
          <span
            className={props.read ? 'tick read' : 'tick'}
            data-testid="tick"
            data-read={props.read ? 'true' : 'false'}
            title={props.read ? 'read' : 'sent'}
          >
            {props.read ? '✓✓' : '✓'}
          </span>
        )}
        {mine && !m.recalled && m.contentType === ContentType.TEXT && (
          <button
            className="link"
            onClick={() => {
              props.onEdit(m);
            }}
            data-testid="edit"
          >
            Edit
          </button>
        )}
        {mine && !m.recalled && !authored && (
          <button
            className="link"
            onClick={() => {
              props.onRecall(m.seq);
            }}
            data-testid="recall"
          >
            Recall
          </button>
        )}
      </div>
    </div>
  );
}
