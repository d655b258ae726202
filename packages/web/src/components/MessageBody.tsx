import { ContentType } from '@parley/sdk';
import type { MediaProxyState } from '../media-proxy.js';
import type { ChatMessage, MediaView, PacketStatus, RedPacketView } from '../model.js';
import { faceSymbol } from '../emoji.js';
import { AuthImage } from './AuthImage.js';
import { CallRecord } from './CallRecord.js';
import { FileCard } from './FileCard.js';
import { LocationCard } from './LocationCard.js';
import { MediaPlayer } from './MediaPlayer.js';
import { RedPacketCard } from './RedPacketCard.js';

/** The content of one message, by type. Every user-provided string is rendered as React text. */
export function MessageBody(props: {
  m: ChatMessage;
  token: string;
  proxy: MediaProxyState;
  onOpenImage: (media: MediaView) => void;
  /** Mine (a call record: I was the caller). */
  mine: boolean;
  /** A direct chat (its red packets are for the peer only). */
  direct: boolean;
  packetStatus: PacketStatus | undefined;
  onOpenRedPacket: (packet: RedPacketView) => void;
}): React.JSX.Element {
  const { m, token, proxy } = props;
  if (m.recalled) return <em className="muted">message recalled</em>;
  const media = m.media;
  switch (m.contentType) {
    case ContentType.TEXT:
      return <span className="text">{m.text}</span>;
    case ContentType.FACE:
      return <span className="face">{faceSymbol(m.text)}</span>;
    case ContentType.IMAGE:
    case ContentType.STICKER:
      if (media === undefined) break;
      return (
        <button
          className="thumb-button"
          onClick={() => {
            props.onOpenImage(media);
          }}
          aria-label="Open image"
        >
          <AuthImage
            token={token}
            url={media.thumbnailUrl !== '' ? media.thumbnailUrl : media.url}
            className="thumb"
            testId="thumbnail"
            alt={media.name || 'image'}
          />
        </button>
      );
    case ContentType.SOUND:
      if (media === undefined) break;
      return <MediaPlayer kind="audio" token={token} media={media} proxy={proxy} />;
    case ContentType.VIDEO:
      if (media === undefined) break;
      return <MediaPlayer kind="video" token={token} media={media} proxy={proxy} />;
    case ContentType.FILE:
      if (media === undefined) break;
      return <FileCard token={token} media={media} />;
    case ContentType.LOCATION:
      if (m.location === undefined) break;
      return <LocationCard location={m.location} />;
    case ContentType.RED_PACKET: {
      const packet = m.redPacket;
      if (packet === undefined) break;
      return (
        <RedPacketCard
          packet={packet}
          status={props.packetStatus}
          sentByMeToOne={props.direct && props.mine}
          onOpen={() => {
            props.onOpenRedPacket(packet);
          }}
        />
      );
    }
    case ContentType.CALL:
      if (m.call === undefined) break;
      return <CallRecord call={m.call} outgoing={props.mine} />;
    case ContentType.ENCRYPTED:
      // End-to-end: the web client holds no key yet (the SDK's EndToEnd API does), so it says what
      // the message is instead of "unsupported".
      return (
        <em className="muted" data-testid="encrypted">
          🔒 end-to-end encrypted message: open it on the device that holds your key
        </em>
      );
    default:
      break;
  }
  return <em className="muted">unsupported message</em>;
}
