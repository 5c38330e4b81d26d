import type { IncomingHttpHeaders } from 'node:http';

/** The attendee key from `api-key` (Azure style) or `Authorization: Bearer` (OpenAI style). */
export function extractApiKey(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['api-key'];
  if (typeof apiKey === 'string' && apiKey.trim()) return apiKey.trim();
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1].trim();
  }
  return undefined;
}
