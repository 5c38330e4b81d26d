export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[]>;
  /** Parsed JSON, or a size summary for binary bodies such as multipart uploads. */
  body: unknown;
}

const SECRET_HEADERS = new Set(['api-key', 'authorization', 'x-api-key', 'ocp-apim-subscription-key']);
const SECRET_QUERY = new Set(['api-key', 'api_key', 'authorization', 'key']);
export const REDACTED = '[REDACTED]';

function redact(value: string | string[]): string | string[] {
  return Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
}

export function redactHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name] = SECRET_HEADERS.has(name.toLowerCase()) ? redact(value) : value;
  }
  return result;
}

export function redactQuery(query: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  return redactHeaders(
    Object.fromEntries(Object.entries(query).map(([k, v]) => [k, SECRET_QUERY.has(k.toLowerCase()) ? REDACTED : v])),
  );
}

export function summariseBody(body: unknown): unknown {
  return Buffer.isBuffer(body) ? { bytes: body.length } : body;
}

/** The last `capacity` requests, oldest first, so tests can assert what the proxy actually sent. */
export class RequestLog {
  private entries: LoggedRequest[] = [];

  constructor(private readonly capacity = 100) {}

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
