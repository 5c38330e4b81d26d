import type { LoggedRequest } from './request-log';
import type { SimulatorConfig } from './simulator.config';

/** A typed client for the simulator's /__mock endpoints, for tests and the demo. */
export class SimulatorControl {
  constructor(private readonly baseUrl: string) {}

  async requests(): Promise<LoggedRequest[]> {
    return (await this.call('GET', '/__mock/requests')) as LoggedRequest[];
  }

  async reset(): Promise<void> {
    await this.call('POST', '/__mock/reset');
  }

  async config(): Promise<SimulatorConfig> {
    return (await this.call('GET', '/__mock/config')) as SimulatorConfig;
  }

  /** JSON merge-patch of the running config (null removes a key); rejects with the validation message. */
  async patchConfig(patch: unknown): Promise<SimulatorConfig> {
    return (await this.call('PATCH', '/__mock/config', patch)) as SimulatorConfig;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} failed with ${response.status}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }
}

export interface SseMessage {
  event?: string;
  data: string;
}

/** Splits an SSE body into messages (tests read streams this way without a client library). */
export function parseSse(body: string): SseMessage[] {
  return body
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim();
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      return event === undefined ? { data } : { event, data };
    });
}
