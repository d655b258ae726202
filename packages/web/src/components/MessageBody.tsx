import { ContentType } from '@parley/sdk';
import type { MediaProxyState } from '../media-proxy.js';
import type { ChatMessage, MediaView } from '../model.js';
import { faceSymbol } from '../emoji.js';
import { AuthImage } from './AuthImage.js';
import { FileCard } from './FileCard.js';
import { LocationCard } from './LocationCard.js';
import { MediaPlayer } from './MediaPlayer.js';

/** The content of one message, by type. Every user-provided string is rendered as React text. */
export function MessageBody(props: {
  m: ChatMessage;
  token: string;
  proxy: MediaProxyState;
  onOpenImage: (media: MediaView) => void;
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
    default:
      break;
  }
  return <em className="muted">unsupported message</em>;
}
