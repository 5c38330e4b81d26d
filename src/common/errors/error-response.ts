import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from './domain-error';
import { ErrorCode, openAiErrorType } from './error-codes';
import { isProxyPath } from '../http/route-family';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** True when the error is ours (a bug or outage), worth logging with its stack. */
  unexpected: boolean;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Fastify's own errors (raised before Nest routing) mapped onto our codes. */
function fromFastifyError(err: FastifyLikeError): DomainError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError(ErrorCode.PayloadTooLarge, 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError(ErrorCode.UnsupportedMediaType, 'Unsupported Content-Type; send application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError(ErrorCode.InvalidJson, 'The request body is empty but Content-Type is application/json.');
    case 'FST_ERR_BAD_URL':
      return new DomainError(ErrorCode.ValidationFailed, 'The request URL is not valid (malformed percent-encoding).');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError(ErrorCode.InvalidJson, 'The Content-Length header does not match the body.');
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new DomainError(ErrorCode.InvalidJson, `The request body is not valid JSON: ${err.message ?? ''}`.trim());
  }
  return undefined;
}

/** PostgreSQL refuses a NUL character in text (SQLSTATE 22021); only a caller's input can carry one. */
function isNulInTextError(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  return e?.code === '22021' || e?.driverError?.code === '22021';
}

function fromHttpException(err: HttpException): DomainError {
  const status = err.getStatus();
  if (status === HttpStatus.NOT_FOUND) return new DomainError(ErrorCode.RouteNotFound, 'No such route.');
  if (status === HttpStatus.PAYLOAD_TOO_LARGE) return new DomainError(ErrorCode.PayloadTooLarge, 'The request body is too large.');
  if (status === HttpStatus.METHOD_NOT_ALLOWED) return new DomainError(ErrorCode.MethodNotAllowed, 'Method not allowed.');
  if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE) return new DomainError(ErrorCode.UnsupportedMediaType, err.message);
  if (status === HttpStatus.BAD_REQUEST) return new DomainError(ErrorCode.ValidationFailed, err.message);
  if (status === HttpStatus.UNAUTHORIZED) return new DomainError(ErrorCode.AdminUnauthorized, err.message);
  if (status === HttpStatus.FORBIDDEN) return new DomainError(ErrorCode.Forbidden, err.message);
  return new DomainError(ErrorCode.Internal, 'Internal server error.');
}

export function toDomainError(err: unknown): { error: DomainError; unexpected: boolean } {
  if (err instanceof DomainError) return { error: err, unexpected: err.status >= 500 && err.code === ErrorCode.Internal };
  if (err instanceof HttpException) {
    // Nest wraps Fastify's own errors (bad JSON, body too large) and keeps the original as the cause.
    const cause = err.cause && typeof err.cause === 'object' ? fromFastifyError(err.cause as FastifyLikeError) : undefined;
    if (cause) return { error: cause, unexpected: false };
    const error = fromHttpException(err);
    return { error, unexpected: error.code === ErrorCode.Internal };
  }
  if (err && typeof err === 'object' && isNulInTextError(err)) {
    return { error: new DomainError(ErrorCode.ValidationFailed, 'The request contains a NUL character (\\u0000), which is not allowed.'), unexpected: false };
  }
  const fastify = err && typeof err === 'object' ? fromFastifyError(err as FastifyLikeError) : undefined;
  if (fastify) return { error: fastify, unexpected: false };
  const status = (err as FastifyLikeError | undefined)?.statusCode;
  if (status && status >= 400 && status < 500) {
    return { error: new DomainError(ErrorCode.ValidationFailed, (err as Error).message), unexpected: false };
  }
  return { error: new DomainError(ErrorCode.Internal, 'Internal server error.'), unexpected: true };
}

/** One mapping for every error, in the shape the route family's clients expect. */
export function buildErrorResponse(err: unknown, url: string, requestId: string): ErrorResponse {
  const { error, unexpected } = toDomainError(err);
  const status = error.status;
  const headers: Record<string, string> = { ...(error.options.headers ?? {}) };
  if (error.options.retryAfterMs !== undefined) {
    const ms = Math.max(0, Math.ceil(error.options.retryAfterMs));
    headers['retry-after'] = String(Math.max(1, Math.ceil(ms / 1000)));
    headers['retry-after-ms'] = String(ms);
  }
  const body = isProxyPath(url)
    ? {
        error: {
          message: error.message,
          type: openAiErrorType(status),
          code: error.code,
          param: error.options.param ?? null,
          // The status in the body too (as Azure's own content-filter errors carry it), for clients that log only bodies.
          status,
        },
      }
    : {
        code: error.code,
        message: error.message,
        requestId,
        ...(error.options.details !== undefined ? { details: error.options.details } : {}),
      };
  return { status, headers, body, unexpected };
}
