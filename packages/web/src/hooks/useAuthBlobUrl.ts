import { useEffect, useState } from 'react';
import { fetchMediaBlobUrl, isOwnMediaUrl } from '../http.js';

export type BlobState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly url: string }
  | { readonly status: 'failed' };

const ATTEMPTS = 6;

/**
 * Media needs the bearer token: fetch it into an object URL (revoked when the caller goes away).
 * The server records a message's media reference around the time it pushes the message, so a
 * recipient's first fetch can come too early (404): retry a few times, backing off, before giving up.
 */
export function useAuthBlobUrl(token: string, url: string, enabled = true): BlobState {
  const [state, setState] = useState<BlobState>({ status: 'loading' });
  useEffect(() => {
    if (!enabled) return;
    if (!isOwnMediaUrl(url)) {
      setState({ status: 'failed' });
      return;
    }
    setState({ status: 'loading' });
    let live = true;
    let objectUrl: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (n: number): void => {
      fetchMediaBlobUrl(token, url).then(
        (u) => {
          objectUrl = u;
          if (live) setState({ status: 'ready', url: u });
          else URL.revokeObjectURL(u);
        },
        () => {
          if (!live) return;
          if (n + 1 >= ATTEMPTS) setState({ status: 'failed' });
          else
            timer = setTimeout(
              () => {
                attempt(n + 1);
              },
              200 * 2 ** n,
            );
        },
      );
    };
    attempt(0);
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
      if (objectUrl !== undefined) URL.revokeObjectURL(objectUrl);
    };
  }, [token, url, enabled]);
  return state;
}
