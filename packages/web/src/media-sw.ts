/**
 * The web client's service worker (built to dist/media-sw.js, scope `/`). Media downloads need
 * `Authorization: Bearer`, and the page's CSP lets `<audio>`/`<video>` load only same-origin URLs
 * (media-src falls back to default-src 'self', so blob: URLs are refused). This worker lets a
 * player use the plain `/api/v1/media/<id>` URL: it adds the token, which it asks the page for,
 * and forwards the Range header. Every other request passes through untouched.
 *
 * Written against minimal local types: this file shares the DOM typings of the rest of the
 * package, where the WebWorker lib's types do not exist.
 */

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  readonly clientId: string;
  respondWith(response: Promise<Response>): void;
}

interface MessageEventLike extends ExtendableEventLike {
  readonly data: unknown;
}

interface WindowClientLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
}

interface ServiceWorkerScopeLike {
  readonly location: Location;
  readonly clients: {
    claim(): Promise<void>;
    get(id: string): Promise<WindowClientLike | undefined>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
}

const sw = self as unknown as ServiceWorkerScopeLike;

/** The same shape `isOwnMediaUrl` accepts in the page. */
const MEDIA_PATH = /^\/api\/v1\/media\/[A-Za-z0-9_-]{1,64}(?:\/thumbnail)?$/;
const TOKEN_REQUEST = 'parley-media-token';
const CLAIM_REQUEST = 'parley-media-claim';
const TOKEN_WAIT_MS = 3000;

sw.addEventListener('install', (event) => {
  event.waitUntil(sw.skipWaiting());
});

sw.addEventListener('activate', (event) => {
  // Control the already open page at once, so its first players work.
  event.waitUntil(sw.clients.claim());
});

// A page loaded with a forced reload starts uncontrolled; it asks to be taken over.
sw.addEventListener('message', (event) => {
  const data = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === CLAIM_REQUEST) {
    event.waitUntil(sw.clients.claim());
  }
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || request.headers.has('authorization')) return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || !MEDIA_PATH.test(url.pathname)) return;
  event.respondWith(authorizedFetch(event.clientId, request, url));
});

/** The token of the page that made the request (it answers on a MessageChannel). */
async function tokenOf(clientId: string): Promise<string | undefined> {
  const client = clientId === '' ? undefined : await sw.clients.get(clientId);
  if (client === undefined) return undefined;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      resolve(undefined);
    }, TOKEN_WAIT_MS);
    channel.port1.onmessage = (message: MessageEvent<unknown>) => {
      clearTimeout(timer);
      resolve(typeof message.data === 'string' && message.data !== '' ? message.data : undefined);
    };
    client.postMessage({ type: TOKEN_REQUEST }, [channel.port2]);
  });
}

async function authorizedFetch(clientId: string, request: Request, url: URL): Promise<Response> {
  const headers = new Headers();
  const token = await tokenOf(clientId);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  const range = request.headers.get('range');
  if (range !== null) headers.set('range', range);
  // A new same-origin request: a media element's own request is no-cors, where an Authorization
  // header would be dropped.
  return fetch(url.href, { headers, mode: 'same-origin', credentials: 'omit' });
}
