import { ADMIN_TOKEN } from './test-app';

/** `body` is the parsed JSON (or the text); callers name the shape they expect. */
export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A JS value is sent as JSON; a string is sent as-is. */
  body?: unknown;
  /** Send the admin bearer token (default for admin paths). */
  admin?: boolean;
}

/** A small fetch wrapper bound to one running app. */
export function httpClient(baseUrl: string) {
  async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const useAdmin = options.admin ?? path.startsWith('/api/v1/admin');
    if (useAdmin && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      headers.authorization = `Bearer ${ADMIN_TOKEN}`;
    }
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON; leave the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }
  return {
    request,
    get: <T = unknown>(path: string, o?: RequestOptions) => request<T>('GET', path, o),
    post: <T = unknown>(path: string, body?: unknown, o?: RequestOptions) => request<T>('POST', path, { ...o, body }),
    patch: <T = unknown>(path: string, body?: unknown, o?: RequestOptions) => request<T>('PATCH', path, { ...o, body }),
    put: <T = unknown>(path: string, body?: unknown, o?: RequestOptions) => request<T>('PUT', path, { ...o, body }),
    delete: <T = unknown>(path: string, o?: RequestOptions) => request<T>('DELETE', path, o),
  };
}
export type HttpClient = ReturnType<typeof httpClient>;
