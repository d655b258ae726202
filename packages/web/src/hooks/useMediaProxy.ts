import { useEffect, useState } from 'react';
import { mediaProxyReady, type MediaProxyState } from '../media-proxy.js';

/** Whether players may use plain media URLs (see media-sw.ts). */
export function useMediaProxy(): MediaProxyState {
  const [state, setState] = useState<MediaProxyState>('pending');
  useEffect(() => {
    let live = true;
    void mediaProxyReady().then((ok) => {
      if (live) setState(ok ? 'ready' : 'unavailable');
    });
    return () => {
      live = false;
    };
  }, []);
  return state;
}
