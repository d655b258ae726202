import { useState } from 'react';
import { downloadMedia, isOwnMediaUrl } from '../http.js';
import type { MediaView } from '../model.js';
import { bytes, errorText } from '../format.js';
import { Icon } from './Icon.js';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'audio/webm': 'webm',
  'video/webm': 'webm',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
};

function fileName(media: MediaView, fallback: string): string {
  if (media.name !== '') return media.name;
  const ext = EXTENSIONS[media.mime];
  return ext === undefined ? fallback : `${fallback}.${ext}`;
}

/** Saves the media with the token (see downloadMedia). */
export function DownloadButton(props: {
  token: string;
  media: MediaView;
  fallbackName: string;
}): React.JSX.Element {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  return (
    <>
      <button
        className="link"
        disabled={busy}
        data-testid="download"
        onClick={() => {
          setBusy(true);
          setError('');
          downloadMedia(props.token, props.media.url, fileName(props.media, props.fallbackName))
            .catch((err: unknown) => {
              setError(`download failed: ${errorText(err)}`);
            })
            .finally(() => {
              setBusy(false);
            });
        }}
      >
        {busy ? 'Downloading…' : 'Download'}
      </button>
      {error !== '' && <span className="error">{error}</span>}
    </>
  );
}

export function FileCard(props: { token: string; media: MediaView }): React.JSX.Element {
  const { media } = props;
  return (
    <div className="file-card" data-testid="file">
      <span className="file-icon">
        <Icon name="file" size={28} />
      </span>
      <span className="file-info">
        <span className="file-name">{media.name !== '' ? media.name : 'file'}</span>
        <span className="muted">
          {media.size > 0 ? bytes(media.size) : ''} {media.mime}
        </span>
      </span>
      {isOwnMediaUrl(media.url) ? (
        <DownloadButton token={props.token} media={media} fallbackName="file" />
      ) : (
        <em className="muted">unavailable</em>
      )}
    </div>
  );
}
