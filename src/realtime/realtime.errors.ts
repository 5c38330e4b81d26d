import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { buildErrorResponse } from '../common/errors/error-response';
import type { BudgetExhausted } from '../usage/daily-counters';

export const realtimeErrors = {
  sessionLimit: (cap: number) =>
    new DomainError(
      ErrorCode.RealtimeSessionLimit,
      `You already have ${cap} realtime session${cap === 1 ? '' : 's'} open, the most this event allows at once. Close one and try again.`,
    ),
  /** A token budget already used up when a session would open; `retryAfterMs` is when its minute or day ends. */
  tokenBudget: (exhausted: BudgetExhausted, now: number) => {
    const perDay = exhausted.limit.endsWith('per-day');
    return new DomainError(
      ErrorCode.TokenLimitExceeded,
      `No realtime session can open: the ${describeBudget(exhausted)} is used up. It frees at ${new Date(now + exhausted.retryAfterMs).toISOString()} ` +
        `(in ${Math.ceil(exhausted.retryAfterMs / 1000)} s${perDay ? ', when the day ends in the event time zone' : ''}).`,
      {
        retryAfterMs: exhausted.retryAfterMs,
        headers: {
          'x-ratelimit-limit-tokens': String(exhausted.cap),
          'x-ratelimit-remaining-tokens': '0',
          // A day's budget frees hours from now: SDKs must not sleep that long before retrying.
          ...(perDay ? { 'x-should-retry': 'false' } : {}),
        },
      },
    );
  },
  badHandshake: (message: string) => new DomainError(ErrorCode.ValidationFailed, message),
  upstreamRefused: (deployment: string, status: number, detail: string) =>
    new DomainError(
      ErrorCode.ValidationFailed,
      `The upstream of '${deployment}' refused the realtime session (HTTP ${status})${detail ? `: ${detail}` : ''}.`,
    ),
  upgradeRequired: () =>
    new DomainError(
      ErrorCode.UpgradeRequired,
      'This is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket), e.g. the openai SDK\'s OpenAIRealtimeWS.',
    ),
};

/** "attendee-tokens-per-minute limit (1000 tokens per attendee per minute)", for refusals and session ends. */
export function describeBudget({ limit, cap }: BudgetExhausted): string {
  const scope = limit.startsWith('event') ? 'for the whole event' : 'per attendee';
  return `${limit} limit (${cap} tokens ${scope} per ${limit.endsWith('per-day') ? 'day' : 'minute'})`;
}

/**
 * Refuses a WebSocket handshake with a plain HTTP answer in the OpenAI error shape, exactly as an HTTP
 * route would have answered, then closes the socket.
 */
export function refuseHandshake(socket: Duplex, err: unknown, url: string, requestId: string): number {
  const { status, headers, body } = buildErrorResponse(err, url, requestId);
  const text = JSON.stringify(body);
  const all: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'x-request-id': requestId,
    connection: 'close',
    ...headers,
  };
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, ...Object.entries(all).map(([k, v]) => `${k}: ${v}`)];
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
  else socket.destroy();
  return status;
}
