import type { FastifyReply } from 'fastify';
import { countTextTokens } from '../usage/token-estimator';
import { proxyErrors } from './proxy.errors';
import { parseSseEvent, SseEventSplitter } from './upstream/sse-parser';
import type { UpstreamResponse } from './upstream/upstream-client';
import { chunkText, isUsageOnlyChunk, streamEnding, Tokens, usageFrom } from './usage-extract';

/** Upstream headers worth passing on; everything else (server, cookies, upstream ids) stays behind. */
const FORWARDED_HEADERS = [
  'content-type',
  'openai-processing-ms',
  'openai-version',
  'x-ms-region',
  'apim-request-id',
  'azureml-model-session',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-limit-tokens',
];
/** Streamed text kept for estimating a broken stream's usage; bounded so a long answer costs little. */
const MAX_TEXT_KEPT = 256 * 1024;

export interface RelayContext {
  reply: FastifyReply;
  upstream: UpstreamResponse;
  controller: AbortController;
  started: number;
  /** Drop the usage-only chunk the proxy asked for on the client's behalf. */
  stripUsageChunk: boolean;
  onFirstByte(ms: number): void;
}

export interface RelayOutcome {
  status: number;
  errorCode: string | null;
  tokens?: Tokens;
  /** Tokens of the text streamed so far, for estimating when no usage arrived. */
  completionTextTokens: number;
  estimated: boolean;
}

function pickHeaders(headers: UpstreamResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const v = headers[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function errorCodeOf(payload: unknown, status: number): string {
  const code = (payload as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code).slice(0, 64) : `upstream_${status}`;
}

/** A non-streamed answer: read whole (it is bounded), meter it, pass status and body on. */
export async function relayBuffered(ctx: RelayContext): Promise<RelayOutcome> {
  const { reply, upstream } = ctx;
  let bytes: Uint8Array;
  try {
    // undici's own consumer: cheaper than an async iterator over the stream on this hot path.
    bytes = await upstream.body.bytes();
  } catch (err) {
    // Our own abort (the client left) keeps its reason; a broken or stalled upstream is a 502/504, not a bug of ours.
    if (ctx.controller.signal.aborted) throw err;
    throw proxyErrors.cutOff((err as { code?: string })?.code === 'UND_ERR_BODY_TIMEOUT');
  }
  let payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers = pickHeaders(upstream.headers);
  let parsed: unknown;
  if (String(headers['content-type'] ?? '').includes('json')) {
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      parsed = undefined;
    }
  }
  let status = upstream.status;
  if (status < 400 && parsed === undefined && String(headers['content-type'] ?? '').includes('json')) {
    // A success that is not the JSON it claims to be (a broken upstream or middlebox) is a 502, not an answer.
    status = 502;
    parsed = { error: { message: 'The upstream answered with malformed JSON.', type: 'server_error', code: 'upstream_malformed_response', param: null } };
    payload = Buffer.from(JSON.stringify(parsed));
  }
  if (status >= 400 && !(parsed && typeof parsed === 'object' && 'error' in parsed)) {
    // Keep the OpenAI error shape even when an upstream answers with HTML or plain text.
    parsed = { error: { message: `The upstream rejected the request (HTTP ${status}).`, type: 'invalid_request_error', code: `upstream_${status}`, param: null } };
    payload = Buffer.from(JSON.stringify(parsed));
    headers['content-type'] = 'application/json';
  }
  ctx.onFirstByte(performance.now() - ctx.started);
  await reply.status(status).headers(headers).send(payload);
  return {
    status,
    errorCode: status >= 400 ? errorCodeOf(parsed, status) : null,
    tokens: status < 400 ? usageFrom(parsed) : undefined,
    completionTextTokens: 0,
    estimated: false,
  };
}

function waitForDrain(raw: FastifyReply['raw']): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

function openAiErrorEvent(error: Record<string, unknown>, code: string): Buffer {
  const message = typeof error.message === 'string' && error.message ? error.message : 'The upstream reported an error mid-stream.';
  const type = typeof error.type === 'string' && error.type ? error.type : 'server_error';
  const param = typeof error.param === 'string' ? error.param : null;
  return Buffer.from(`data: ${JSON.stringify({ error: { message, type, code, param } })}\n\n`);
}

const INTERRUPTED = Buffer.from(
  `data: ${JSON.stringify({
    error: { message: 'The upstream connection was lost mid-stream; the answer is incomplete.', type: 'server_error', code: 'upstream_stream_interrupted', param: null },
  })}\n\n`,
);

/**
 * An SSE answer, relayed event by event with backpressure, never buffered whole. Usage comes from the
 * final usage chunk; a stream that breaks ends with an error event the SDKs raise as an APIError.
 */
export async function relayStream(ctx: RelayContext): Promise<RelayOutcome> {
  const { reply, upstream } = ctx;
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(upstream.status, {
    ...(reply.getHeaders() as Record<string, string>),
    ...pickHeaders(upstream.headers),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  const splitter = new SseEventSplitter();
  let tokens: Tokens | undefined;
  let text = '';
  let errorCode: string | null = null;
  let sawDone = false;
  let first = true;
  const forward = async (buf: Buffer) => {
    if (first) {
      first = false;
      ctx.onFirstByte(performance.now() - ctx.started);
    }
    if (!raw.write(buf)) await waitForDrain(raw);
  };
  try {
    for await (const chunk of upstream.body) {
      for (const event of splitter.push(chunk as Buffer)) {
        const { data } = parseSseEvent(event);
        if (data === '[DONE]') sawDone = true;
        else if (data) {
          let payload: unknown;
          try {
            payload = JSON.parse(data);
          } catch {
            payload = undefined;
          }
          if (payload && typeof payload === 'object') {
            const usage = usageFrom(payload) ?? usageFrom((payload as { response?: unknown }).response);
            if (usage) tokens = usage;
            if ('error' in payload) {
              errorCode = errorCodeOf(payload, 500);
              // Azure's stream error events lack `type` and `param`: complete them so every client sees one shape.
              const error = (payload as { error?: unknown }).error;
              if (error && typeof error === 'object') {
                await forward(openAiErrorEvent(error as Record<string, unknown>, errorCode));
                continue;
              }
            }
            const ending = streamEnding(payload);
            if (ending.final) sawDone = true;
            if (ending.errorCode) errorCode = ending.errorCode;
            if (text.length < MAX_TEXT_KEPT) text += chunkText(payload);
            if (ctx.stripUsageChunk && isUsageOnlyChunk(payload)) continue;
          }
        }
        await forward(event);
      }
      if (raw.destroyed) break;
    }
    const rest = splitter.rest();
    if (rest.length) await forward(rest);
    // Chat/completions streams end with [DONE]; Responses API streams end with response.completed (or .incomplete/.failed).
    if (!sawDone && !tokens && !errorCode && !raw.destroyed) {
      errorCode = 'upstream_stream_interrupted';
      await forward(INTERRUPTED);
    }
  } catch {
    if (!raw.destroyed) {
      errorCode = 'upstream_stream_interrupted';
      await forward(INTERRUPTED).catch(() => undefined);
    } else {
      errorCode = 'client_closed_request';
    }
  } finally {
    if (!raw.destroyed) raw.end();
    ctx.controller.abort();
  }
  // The client saw 200, but the record keeps the outcome: a stream that broke or carried an upstream
  // error is a failed request (502) in the usage reports.
  const status = errorCode === 'client_closed_request' ? 499 : errorCode ? 502 : upstream.status;
  return {
    status,
    errorCode,
    tokens,
    // Only needed when the stream carried no usage; tokenizing every completion cost CPU for nothing.
    completionTextTokens: tokens ? 0 : countTextTokens(text),
    estimated: false,
  };
}

/**
 * A successful binary (or otherwise unread) answer, such as synthesised speech or search results: piped
 * to the client chunk by chunk with backpressure, never buffered or parsed. A break mid-body cuts the
 * client's connection, since the status line has already gone out.
 */
export async function relayBytes(ctx: RelayContext): Promise<RelayOutcome> {
  const { reply, upstream } = ctx;
  const raw = reply.raw;
  reply.hijack();
  const length = upstream.headers['content-length'];
  raw.writeHead(upstream.status, {
    ...(reply.getHeaders() as Record<string, string>),
    ...pickHeaders(upstream.headers),
    ...(typeof length === 'string' ? { 'content-length': length } : {}),
  });
  let errorCode: string | null = null;
  let first = true;
  try {
    for await (const chunk of upstream.body) {
      if (first) {
        first = false;
        ctx.onFirstByte(performance.now() - ctx.started);
      }
      if (raw.destroyed) break;
      if (!raw.write(chunk as Buffer)) await waitForDrain(raw);
    }
    if (raw.destroyed) errorCode = 'client_closed_request';
    else raw.end();
  } catch {
    errorCode = raw.destroyed ? 'client_closed_request' : 'upstream_stream_interrupted';
    raw.destroy();
  } finally {
    ctx.controller.abort();
  }
  if (first) ctx.onFirstByte(performance.now() - ctx.started);
  return {
    // As for streams: the client saw the upstream's status, the record keeps a broken body as a 502.
    status: errorCode === 'client_closed_request' ? 499 : errorCode ? 502 : upstream.status,
    errorCode,
    tokens: undefined,
    completionTextTokens: 0,
    estimated: false,
  };
}
