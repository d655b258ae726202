import { useAuthBlobUrl } from '../hooks/useAuthBlobUrl.js';

/** An image from the media API (fetched with the token; img-src allows blob: URLs). */
export function AuthImage(props: {
  token: string;
  url: string;
  className: string;
  testId: string;
  alt: string;
}): React.JSX.Element {
  const state = useAuthBlobUrl(props.token, props.url);
  switch (state.status) {
    case 'failed':
      return <em className="muted">image unavailable</em>;
    case 'loading':
      return <span className="muted">loading image…</span>;
    case 'ready':
      return <img className={props.className} src={state.url} alt={props.alt} data-testid={props.testId} />;
  }
}
