import { HttpErrorResponse } from '@angular/common/http';

/**
 * A plain sentence for a failed call: the server's own message when it sent one (admin shape
 * `{code, message}` or the proxy's `{error: {message}}`), otherwise what went wrong in transport.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof HttpErrorResponse) {
    const fromBody = messageFromBody(err.error);
    if (fromBody) return fromBody;
    if (err.status === 0) return 'Could not reach the server. Check your connection and try again.';
    return `The server answered ${err.status} ${err.statusText || ''}`.trim() + '.';
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The message inside an admin or proxy error body, if any. */
export function messageFromBody(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return messageFromBody(JSON.parse(body));
    } catch {
      return undefined;
    }
  }
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { message?: unknown; error?: { message?: unknown } | string };
  if (typeof b.message === 'string' && b.message) return b.message;
  if (b.error && typeof b.error === 'object' && typeof b.error.message === 'string') return b.error.message;
  if (typeof b.error === 'string') return b.error;
  return undefined;
}
