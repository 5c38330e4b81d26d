import { ERROR_STATUS, ErrorCode } from './error-codes';

export interface DomainErrorOptions {
  /** The request field at fault, reported as `param` on proxy routes. */
  param?: string;
  /** Seconds a client should wait; sent as `retry-after` (and `retry-after-ms`). */
  retryAfterMs?: number;
  /** Extra response headers (e.g. rate-limit counters). */
  headers?: Record<string, string>;
  /** Structured details for admin clients (e.g. validation issues). */
  details?: unknown;
}

/** What services throw. Never an HttpException: the filter alone knows about HTTP. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: DomainErrorOptions = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
