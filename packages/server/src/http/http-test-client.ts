/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment */
/**
 * A tiny fetch client for the HTTP API, used by the HTTP tests (it imports nothing of the server).
 * Response bodies are untyped JSON: the tests assert on their shape.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

export class HttpTestClient {
  token = '';

  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown, token: string = this.token): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (token !== '') headers['authorization'] = `Bearer ${token}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.base + path, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as Json };
  }

  get(path: string, token?: string): Promise<ApiResponse> {
    return this.call('GET', path, undefined, token);
  }
  post(path: string, body: unknown = {}, token?: string): Promise<ApiResponse> {
    return this.call('POST', path, body, token);
  }
  patch(path: string, body: unknown, token?: string): Promise<ApiResponse> {
    return this.call('PATCH', path, body, token);
  }
  put(path: string, body: unknown = {}, token?: string): Promise<ApiResponse> {
    return this.call('PUT', path, body, token);
  }
  delete(path: string, token?: string): Promise<ApiResponse> {
    return this.call('DELETE', path, undefined, token);
  }

  /** Registers a user; returns its id and token (and keeps nothing). */
  async register(username: string, password = 'secret123'): Promise<{ userId: string; token: string }> {
    const res = await this.post('/api/v1/auth/register', { username, password });
    if (res.status !== 201)
      throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return { userId: String(res.body.userId), token: String(res.body.token) };
  }
}
