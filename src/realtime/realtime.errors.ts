import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { buildErrorResponse } from '../common/errors/error-response';

export const realtimeErrors = {
  sessionLimit: (cap: number) =>
    new DomainError(
      ErrorCode.RealtimeSessionLimit,
      `You already have ${cap} realtime session${cap === 1 ? '' : 's'} open, the most this event allows at once. Close one and try again.`,
    ),
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
