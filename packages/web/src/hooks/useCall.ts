import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ParleyClient } from '@parley/sdk';
import { CallController, type CallSnapshot } from '../call-controller.js';
import { fetchIceServers } from '../http.js';

export interface CallState {
  readonly controller: CallController;
  /** The current call (an ended one stays a few seconds), or none. */
  readonly call: CallSnapshot | undefined;
}

/**
 * The signed-in user's calls: one controller per client, listening for call signals while the
 * app is signed in. Leaving the page hangs up (best effort) so the peer is not left waiting.
 */
export function useCall(client: ParleyClient, token: string, onError: (message: string) => void): CallState {
  const [controller] = useState(() => new CallController(client, () => fetchIceServers(token), onError));
  const call = useSyncExternalStore(controller.subscribe, controller.getSnapshot);

  useEffect(() => {
    const stop = controller.start();
    const leave = (): void => {
      controller.hangup();
    };
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      stop();
    };
  }, [controller]);

  return { controller, call };
}
