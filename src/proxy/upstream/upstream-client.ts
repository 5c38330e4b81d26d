import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent, Dispatcher, request } from 'undici';
import { AppConfig } from '../../config/app-config';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/**
 * One undici Agent: a keep-alive connection pool per upstream origin, with connect, headers and idle
 * body timeouts from config. Responses are never decompressed or buffered here.
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
      connections: 256,
    });
  }

  async send(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<UpstreamResponse> {
    const res = await request(url, {
      method: 'POST',
      headers: { ...headers, 'accept-encoding': 'identity' },
      body,
      signal,
      dispatcher: this.agent,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}
