/**
 * The page side of media-sw.ts: registers the worker, answers its token requests, and tells
 * players whether plain `/api/v1/media/...` URLs will work (the worker controls the page).
 */

export type MediaProxyState = 'pending' | 'ready' | 'unavailable';

const TOKEN_REQUEST = 'parley-media-token';
const CLAIM_REQUEST = 'parley-media-claim';
const CONTROL_WAIT_MS = 5000;

let current: string | undefined;
let ready: Promise<boolean> | undefined;
let listening = false;

function isTokenRequest(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === TOKEN_REQUEST;
}

/** The token the worker gets for this page's media requests (undefined after sign-out). */
export function setMediaToken(token: string | undefined): void {
  current = token;
  if (listening || !('serviceWorker' in navigator)) return;
  listening = true;
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isTokenRequest(event.data)) event.ports[0]?.postMessage(current ?? '');
  });
  navigator.serviceWorker.startMessages();
}

async function controlled(): Promise<boolean> {
  const container = navigator.serviceWorker;
  await container.register('/media-sw.js', { scope: '/' });
  const registration = await container.ready;
  // A function, not a narrowed property: the controller changes while we wait.
  const isControlled = (): boolean => container.controller !== null;
  if (isControlled()) return true;
  const changed = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CONTROL_WAIT_MS);
    container.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
  // Already active (e.g. after a forced reload, which bypasses the worker): ask it to take over.
  registration.active?.postMessage({ type: CLAIM_REQUEST });
  await changed;
  return isControlled();
}

/**
 * Resolves true once the worker controls this page. False where service workers are not
 * available (an insecure http: origin other than localhost, or a browser that blocks them).
 */
export function mediaProxyReady(): Promise<boolean> {
  ready ??=
    !('serviceWorker' in navigator) || !isSecureContext
      ? Promise.resolve(false)
      : controlled().catch(() => false);
  return ready;
}
