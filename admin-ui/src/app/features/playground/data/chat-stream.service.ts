import { Injectable } from '@angular/core';
import { apiUrl } from '../../../core/api/api-client';
import { messageFromBody } from '../../../core/api/api-error';
import type { PathsFor, RequestBody } from '../../../core/api/api-types';
import { interpretEvent, type StreamUpdate } from './chat-chunks';
import { SseParser } from './sse';

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatRequest {
  model: string;
  messages: { role: ChatRole; content: string }[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string[];
}

export interface ImageRequest {
  model: string;
  prompt: string;
  size: string;
  n?: number;
}

/** A refusal from the proxy or the upstream, carrying its message for the user. */
export class ProxyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

const CHAT: PathsFor<'post'> = '/v1/chat/completions';
const IMAGES: PathsFor<'post'> = '/v1/images/generations';
type ImagesBody = RequestBody<'/v1/images/generations', 'post'>;

/**
 * The Playground's only door to the proxy: chat completions streamed over `fetch` (read as SSE, with
 * usage requested through `stream_options.include_usage`) and image generations. Abort with the signal.
 */
@Injectable({ providedIn: 'root' })
export class ChatStreamService {
  async *stream(request: ChatRequest, key: string, signal: AbortSignal): AsyncGenerator<StreamUpdate> {
    const res = await this.post(CHAT, key, { ...request, stream: true, stream_options: { include_usage: true } }, signal);
    if (!res.body) throw new ProxyError('The server sent no answer.', res.status);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (signal.aborted) throw err;
          throw new ProxyError('The connection was lost before the answer finished.', 0);
        }
        const events = chunk.done ? parser.end() : parser.push(decoder.decode(chunk.value, { stream: true }));
        for (const ev of events) yield* interpretEvent(ev);
        if (chunk.done) return;
      }
    } finally {
      reader.releaseLock();
    }
  }

  async generateImages(request: ImageRequest, key: string, signal: AbortSignal): Promise<string[]> {
    const body = { ...request, response_format: 'b64_json' } satisfies ImagesBody;
    const res = await this.post(IMAGES, key, body, signal);
    const json = (await res.json()) as { data?: { b64_json?: string; url?: string }[] };
    return (json.data ?? []).map((d) => (d.b64_json ? `data:image/png;base64,${d.b64_json}` : (d.url ?? ''))).filter(Boolean);
  }

  private async post(path: PathsFor<'post'>, key: string, body: unknown, signal: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(apiUrl(path), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'api-key': key },
        body: JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new ProxyError('Could not reach the server. Check your connection and try again.', 0);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new ProxyError(messageFromBody(text) ?? `The server answered ${res.status}.`, res.status);
    }
    return res;
  }
}
