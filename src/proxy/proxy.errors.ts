import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';

export const proxyErrors = {
  bodyNotObject: () => new DomainError(ErrorCode.ValidationFailed, 'The request body must be a JSON object.'),
  modelRequired: () =>
    new DomainError(ErrorCode.ModelRequired, 'The "model" field is required: name one of this event\'s deployments.', { param: 'model' }),
  badApiVersion: () =>
    new DomainError(ErrorCode.ValidationFailed, 'The api-version query parameter must be a dated version such as 2024-10-21 or 2025-04-01-preview.', {
      param: 'api-version',
    }),
  // Worded as Azure AI Proxy worded it, so workshop material that quotes the message stays true.
  deploymentNotFound: (name: string, available: string[]) =>
    new DomainError(
      ErrorCode.DeploymentNotFound,
      `Deployment '${name}' not found for this event.` +
        (available.length ? ` Available deployments are: ${available.join(', ')}` : ' This event has no deployments yet.'),
      { param: 'model' },
    ),
  indexNotFound: (name: string, available: string[]) =>
    new DomainError(
      ErrorCode.DeploymentNotFound,
      `The search index '${name}' is not available for this event.` +
        (available.length ? ` Available indexes: ${available.join(', ')}.` : ' This event has no search indexes.'),
    ),
  notMultipart: () =>
    new DomainError(ErrorCode.ValidationFailed, "This route takes a multipart/form-data upload with the audio in a 'file' part.", { param: 'file' }),
  badMultipart: (detail: string) => new DomainError(ErrorCode.ValidationFailed, `The multipart/form-data body is malformed: ${detail}.`, { param: 'file' }),
  fileRequired: () => new DomainError(ErrorCode.ValidationFailed, "Missing required parameter: 'file'.", { param: 'file' }),
  uploadTooLarge: (limit: number) =>
    new DomainError(ErrorCode.PayloadTooLarge, `The audio file is larger than the ${Math.round(limit / 1024 / 1024)} MB upload limit.`, { param: 'file' }),
  searchReadOnly: (method: string) =>
    new DomainError(
      ErrorCode.Forbidden,
      `Search indexes are read-only through this proxy (${method} refused). Allowed: POST /indexes/{index}/docs/search, ` +
        "GET /indexes/{index}/docs?search=… and POST /indexes('{index}')/docs/search.post.search.",
    ),
  wrongClass: (name: string, cls: string, route: string) =>
    new DomainError(ErrorCode.DeploymentClassMismatch, `The deployment '${name}' is a ${cls} deployment and cannot serve ${route} requests.`, {
      param: 'model',
    }),
  tokenCap: (param: string, asked: unknown, cap: number) =>
    new DomainError(
      ErrorCode.MaxTokensExceedsCap,
      `${param} exceeds the event max token cap of ${cap} (you asked for ${String(asked)}). Ask for ${cap} or fewer, or leave ${param} out to get the cap.`,
      { param },
    ),
  badTokenValue: (param: string) => new DomainError(ErrorCode.ValidationFailed, `${param} must be a positive integer.`, { param }),
  dailyCap: (cap: number, resetsAt: Date, retryAfterMs: number, headers: Record<string, string>) =>
    new DomainError(
      ErrorCode.DailyRequestCapExceeded,
      `You have used all ${cap} requests allowed per day for this event. The limit resets at ${resetsAt.toISOString()}.`,
      // SDKs sleep for the whole retry-after (hours, here) before retrying; tell them to give up instead.
      { retryAfterMs, headers: { ...headers, 'x-should-retry': 'false' } },
    ),
  tokenLimit: (limit: string, cap: number, retryAfterMs: number, perDay: boolean) =>
    new DomainError(
      ErrorCode.TokenLimitExceeded,
      `This request was refused by the ${limit} limit: ${cap} tokens ${limit.startsWith('event') ? 'for the whole event' : 'per attendee'} ` +
        `per ${perDay ? 'day' : 'minute'} are in use (reserved as prompt + max_tokens until each answer ends). ` +
        `Retry after ${Math.ceil(retryAfterMs / 1000)} s${perDay ? ', when the day ends in the event time zone' : ''}, or ask for fewer max_tokens.`,
      {
        retryAfterMs,
        headers: {
          'x-ratelimit-limit-tokens': String(cap),
          'x-ratelimit-remaining-tokens': '0',
          // A day's budget frees hours from now: SDKs must not sleep that long before retrying.
          ...(perDay ? { 'x-should-retry': 'false' } : {}),
        },
      },
    ),
  allCooling: (deployment: string, retryAfterMs: number) =>
    new DomainError(ErrorCode.UpstreamRateLimited, `Every backend of '${deployment}' is rate limited right now. Retry after ${Math.ceil(retryAfterMs / 1000)} s.`, {
      retryAfterMs,
    }),
  exhausted: (deployment: string, code: ErrorCode, detail: string, retryAfterMs?: number) =>
    new DomainError(code, `The upstream for '${deployment}' could not answer: ${detail}. Please retry shortly.`, { retryAfterMs }),
  cutOff: (timedOut: boolean) =>
    new DomainError(
      timedOut ? ErrorCode.UpstreamTimeout : ErrorCode.UpstreamError,
      `The upstream's answer ${timedOut ? 'stalled' : 'was cut off'} before it was complete. Please retry.`,
    ),
};
