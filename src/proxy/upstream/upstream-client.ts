import { Readable } from 'node:stream';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent, Dispatcher, request } from 'undici';
import { AppConfig } from '../../config/app-config';
import type { UpstreamRequest } from './upstream-request';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/**
 * One undici Agent: a keep-alive connection pool per upstream origin, with connect, headers and idle
 * body timeouts from config. No per-origin connection cap: streams are long-lived, and a cap would queue
 * every request past it behind streams that may run for minutes. Responses are never decompressed or buffered here.
 */
@Injectable()
export class UpstreamClient implements OnApplicationShutdown {
  private readonly agent: Agent;

  constructor(config: AppConfig) {
    this.agent = new Agent({
      connect: { timeout: config.upstream.connectTimeoutMs },
      headersTimeout: config.upstream.headersTimeoutMs,
      bodyTimeout: config.upstream.bodyTimeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** A streamed body is opened afresh for this attempt and closed whatever happens to it. */
  async send(upstream: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const headers: Record<string, string> = { ...upstream.headers, 'accept-encoding': 'identity' };
    let body: string | Readable | undefined;
    if (typeof upstream.body === 'object') {
      body = upstream.body.open();
      headers['content-length'] = String(upstream.body.length);
    } else {
      body = upstream.body;
    }
    try {
      const res = await request(upstream.url, { method: upstream.method, headers, body, signal, dispatcher: this.agent });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      if (body instanceof Readable) body.destroy();
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}
