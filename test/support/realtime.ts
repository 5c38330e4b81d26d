import WebSocket, { type ClientOptions } from 'ws';

/** A realtime server event as the tests read it. */
export type ServerEvent = { type: string; event_id?: string } & Record<string, unknown>;

export interface RefusedHandshake {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Closed {
  code: number;
  reason: string;
}

/**
 * A `ws` client speaking the Realtime protocol, recording every server event so tests wait on
 * conditions (an event type, the close) with deadlines instead of sleeping.
 */
export class RealtimeClient {
  readonly events: ServerEvent[] = [];
  readonly closed: Promise<Closed>;
  /** Headers of the 101 answer. */
  upgradeHeaders: Record<string, string | string[] | undefined> = {};
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) this.events.push(JSON.parse(data.toString('utf8')) as ServerEvent);
      this.notify();
    });
    socket.once('upgrade', (res) => (this.upgradeHeaders = res.headers));
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.notify();
      });
    });
  }

  /** Opens a session; rejects with a RefusedHandshake when the server answers without upgrading. */
  static connect(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<RealtimeClient> {
    const { protocols, ...rest } = options;
    const socket = new WebSocket(url, protocols ?? [], { perMessageDeflate: false, ...rest });
    const client = new RealtimeClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(Object.assign(new Error(`handshake refused: ${res.statusCode} ${Buffer.concat(chunks).toString("utf8")}`), { refused: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') } })));
      });
      socket.once('error', reject);
    });
  }

  /** The refusal a failed connect() carried. */
  static async refusal(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<RefusedHandshake> {
    try {
      const client = await RealtimeClient.connect(url, options);
      client.socket.terminate();
    } catch (err) {
      const refused = (err as { refused?: RefusedHandshake }).refused;
      if (refused) return refused;
      throw err;
    }
    throw new Error(`expected ${url} to be refused, but it upgraded`);
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  send(event: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(event));
  }

  ofType<T = Record<string, unknown>>(type: string): (ServerEvent & T)[] {
    return this.events.filter((e) => e.type === type) as (ServerEvent & T)[];
  }

  /** Resolves with the `count`-th event of `type` (counting all received so far). */
  async next<T = Record<string, unknown>>(type: string, count = 1, timeoutMs = 5_000): Promise<ServerEvent & T> {
    await this.until(() => this.ofType(type).length >= count, `${count}× ${type}`, timeoutMs);
    return this.ofType<T>(type)[count - 1]!;
  }

  /** Waits for the close and returns its code and reason. */
  async waitClosed(timeoutMs = 5_000): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket not closed after ${timeoutMs} ms; events: ${this.types().join(', ')}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  /** Sends a user text turn and response.create; resolves with the response.done event. */
  async ask(text: string, nth: number, timeoutMs?: number): Promise<ServerEvent & { response: RealtimeResponse }> {
    this.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
    this.send({ type: 'response.create' });
    return this.next<{ response: RealtimeResponse }>('response.done', nth, timeoutMs);
  }

  close(code = 1000, reason = 'done'): void {
    this.socket.close(code, reason);
  }

  private notify(): void {
    for (const w of this.waiters) w();
  }

  private async until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) {
          cleanup();
          resolve();
        } else if (this.socket.readyState === WebSocket.CLOSED) {
          cleanup();
          reject(new Error(`socket closed while waiting for ${what}; events: ${this.types().join(', ')}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events: ${this.types().join(', ')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }
}

export interface RealtimeResponse {
  id: string;
  status: string;
  output: { content: { type: string; text?: string; transcript?: string }[] }[];
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
}

/** The http(s) base URL as ws(s). */
export function wsUrl(httpUrl: string, path: string): string {
  return httpUrl.replace(/^http/, 'ws') + path;
}

export const TEXT_ONLY_GA = { type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } };
export const TEXT_ONLY_BETA = { type: 'session.update', session: { modalities: ['text'] } };

/** A resource body for a realtime deployment on the app's built-in simulator. */
export function realtimeBuiltin(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Realtime (built-in simulator)', upstream: 'simulator', endpointUrl: undefined, apiKey: undefined, modelClass: 'openai-realtime', deploymentName: 'gpt-realtime', ...overrides };
}

/** A base URL on which nothing listens (a port that was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
