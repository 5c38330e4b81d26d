import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { EarlyFrame } from './realtime-relay';
import type { RealtimeUpstreamConnection } from './realtime-upstream';

/** Frames up to 32 MiB either way (input_audio_buffer.append allows 15 MiB of audio upstream). */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 4096;

/** The upstream refused or never completed the WebSocket handshake. */
export class UpstreamHandshakeError extends Error {
  constructor(
    message: string,
    /** The HTTP status the upstream answered instead of 101; undefined for network errors and timeouts. */
    readonly status?: number,
    readonly headers: IncomingHttpHeaders = {},
    readonly body = '',
    readonly timedOut = false,
  ) {
    super(message);
    this.name = UpstreamHandshakeError.name;
  }
}

export interface OpenedUpstream {
  socket: WebSocket;
  /** Frames that arrived before the relay took over (session.created comes at once). */
  early: EarlyFrame[];
  /** Stops collecting early frames; the relay attaches its own listener in the same tick. */
  stopBuffering(): void;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size < MAX_ERROR_BODY_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES)));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * Opens the upstream WebSocket, resolving once it is open (or rejecting with UpstreamHandshakeError).
 * No subprotocol is offered upstream (not every upstream echoes one); the beta marker travels as the
 * `OpenAI-Beta` header instead. No compression: it costs a zlib context per socket.
 */
export function openUpstreamSocket(connection: RealtimeUpstreamConnection, timeoutMs: number, signal: AbortSignal): Promise<OpenedUpstream> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(connection.url, {
      headers: connection.headers,
      handshakeTimeout: timeoutMs,
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      followRedirects: false,
    });
    const early: EarlyFrame[] = [];
    const collect = (data: Buffer, isBinary: boolean) => early.push({ data, isBinary });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () =>
      settle(() => {
        socket.terminate();
        reject(new UpstreamHandshakeError('the client left during the handshake'));
      });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('message', collect);
    // Errors after the handshake are handled by the relay; this keeps a late one from throwing.
    socket.on('error', (err: Error) =>
      settle(() => {
        const timedOut = /timed out|timeout/i.test(err.message);
        // The message reaches the client, so it names no address; the cause is for the log.
        const failure = new UpstreamHandshakeError(timedOut ? 'the backend did not complete the handshake in time' : 'the connection to the backend failed', undefined, {}, '', timedOut);
        failure.cause = err;
        reject(failure);
      }),
    );
    socket.once('unexpected-response', (req, res: IncomingMessage) => {
      void readBody(res).then((body) =>
        settle(() => {
          req.destroy();
          reject(new UpstreamHandshakeError(`the backend answered HTTP ${res.statusCode}`, res.statusCode, res.headers, body));
        }),
      );
    });
    socket.once('open', () =>
      settle(() => {
        resolve({ socket, early, stopBuffering: () => socket.off('message', collect) });
      }),
    );
    if (signal.aborted) onAbort();
  });
}
