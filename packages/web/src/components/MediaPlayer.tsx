import { useState } from 'react';
import type { MediaProxyState } from '../media-proxy.js';
import { isOwnMediaUrl } from '../http.js';
import { useAuthBlobUrl } from '../hooks/useAuthBlobUrl.js';
import type { MediaView } from '../model.js';
import { duration } from '../format.js';
import { DownloadButton } from './FileCard.js';

/**
 * An <audio> or <video> player for media of this server. With the media service worker the
 * player streams the plain URL (the worker adds the token); without it, it falls back to an
 * object URL, which plays only where the page's CSP allows blob: media. A download stays possible.
 */
export function MediaPlayer(props: {
  kind: 'audio' | 'video';
  token: string;
  media: MediaView;
  proxy: MediaProxyState;
}): React.JSX.Element {
  const { kind, media, proxy } = props;
  const own = isOwnMediaUrl(media.url);
  const blob = useAuthBlobUrl(props.token, media.url, own && proxy === 'unavailable');
  const [failed, setFailed] = useState(false);
  let src: string | undefined;
  if (own && proxy === 'ready') src = media.url;
  else if (proxy === 'unavailable' && blob.status === 'ready') src = blob.url;
  const label = kind === 'audio' ? 'voice message' : 'video';
  return (
    <div className={`player ${kind}`}>
      {!own && <em className="muted">{label} unavailable</em>}
      {own && src === undefined && <span className="muted">loading {label}…</span>}
      {src !== undefined &&
        (kind === 'audio' ? (
          <audio
            controls
            preload="metadata"
            src={src}
            data-testid="audio-player"
            onError={() => {
              setFailed(true);
            }}
          />
        ) : (
          <video
            controls
            preload="metadata"
            src={src}
            data-testid="video-player"
            onError={() => {
              setFailed(true);
            }}
          />
        ))}
      <span className="player-meta muted">
        {media.durationMs > 0 && <span>{duration(media.durationMs)}</span>}
        {failed && <span> cannot play here</span>}
        {own && <DownloadButton token={props.token} media={media} fallbackName={kind} />}
      </span>
    </div>
  );
}
