/**
 * The HTTP API calls the web client makes (docs/http-api.md): register, login, logout, media upload
 * and authenticated media download (as an object URL, since media needs the bearer token).
 */

export interface Session {
  readonly userId: string;
  readonly token: string;
  readonly username: string;
}

export interface UploadedMedia {
  readonly mediaId: string;
  readonly url: string;
  readonly mime: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  /** Milliseconds, for audio and video where the container tells (else 0). */
  readonly durationMs: number;
  /** Images only. */
  readonly thumbnailUrl: string | null;
}

interface ErrorJson {
  readonly error?: { readonly message?: string };
}

async function failure(res: Response): Promise<Error> {
  let message = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as ErrorJson;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: keep the status
  }
  return new Error(message);
}

async function auth(path: 'register' | 'login', username: string, password: string): Promise<Session> {
  const res = await fetch(`/api/v1/auth/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, platform: 'web' }),
  });
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as { userId: string; token: string };
  return { userId: body.userId, token: body.token, username };
}

export const register = (username: string, password: string): Promise<Session> =>
  auth('register', username, password);
export const login = (username: string, password: string): Promise<Session> =>
  auth('login', username, password);

export async function uploadMedia(token: string, file: Blob, name: string): Promise<UploadedMedia> {
  const form = new FormData();
  form.append('file', file, name);
  const res = await fetch('/api/v1/media', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as UploadedMedia;
}

/** Only same-origin media paths are fetched with the token (a message could carry any URL). */
export function isOwnMediaUrl(url: string): boolean {
  return /^\/api\/v1\/media\/[A-Za-z0-9_-]{1,64}(?:\/thumbnail)?$/.test(url);
}

export async function fetchMediaBlobUrl(token: string, url: string): Promise<string> {
  return URL.createObjectURL(await fetchMedia(token, url));
}

async function fetchMedia(token: string, url: string): Promise<Blob> {
  if (!isOwnMediaUrl(url)) throw new Error('not a media URL of this server');
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw await failure(res);
  return res.blob();
}

/**
 * Saves a media file under `name`: fetched with the token into an object URL, then handed to the
 * browser's download through a temporary `<a download>` (a download is not a fetch the page's CSP
 * restricts).
 */
export async function downloadMedia(token: string, url: string, name: string): Promise<void> {
  const objectUrl = URL.createObjectURL(await fetchMedia(token, url));
  const a = document.createElement('a');
  a.href = objectUrl;
  a.download = name !== '' ? name : 'download';
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the blob by the time a minute has passed.
  setTimeout(() => {
    URL.revokeObjectURL(objectUrl);
  }, 60_000);
}

/**
 * The STUN/TURN servers for WebRTC calls (`GET /api/v1/calls/ice-servers`). A server without the
 * route (404) configures none: peers on the same network need none.
 */
export async function fetchIceServers(token: string): Promise<RTCIceServer[]> {
  const res = await fetch('/api/v1/calls/ice-servers', { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 404) return [];
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as { iceServers?: unknown };
  return Array.isArray(body.iceServers) ? (body.iceServers as RTCIceServer[]) : [];
}

const SESSION_KEY = 'parley.session';

export function loadSession(): Session | undefined {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (raw === null) return undefined;
    const value = JSON.parse(raw) as Partial<Session>;
    if (
      typeof value.userId === 'string' &&
      typeof value.token === 'string' &&
      typeof value.username === 'string'
    ) {
      return { userId: value.userId, token: value.token, username: value.username };
    }
  } catch {
    // a broken entry is the same as none
  }
  return undefined;
}

export function saveSession(session: Session | undefined): void {
  if (session === undefined) localStorage.removeItem(SESSION_KEY);
  else localStorage.setItem(SESSION_KEY, JSON.stringify(session));
}
