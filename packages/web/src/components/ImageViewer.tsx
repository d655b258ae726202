import { useEffect } from 'react';
import type { MediaView } from '../model.js';
import { AuthImage } from './AuthImage.js';

/** The full image over everything; Escape, the close button or a click outside closes it. */
export function ImageViewer(props: {
  token: string;
  media: MediaView;
  onClose: () => void;
}): React.JSX.Element {
  const { onClose } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  return (
    <div
      className="viewer"
      role="dialog"
      aria-label="Image"
      data-testid="image-viewer"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <button className="viewer-close" onClick={onClose} aria-label="Close" data-testid="close-viewer">
        ×
      </button>
      <AuthImage
        token={props.token}
        url={props.media.url}
        className="full"
        testId="full-image"
        alt={props.media.name || 'image'}
      />
    </div>
  );
}
