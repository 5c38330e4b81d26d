import type { StreamUpdate } from './chat-chunks';
import { ChatStreamService, ProxyError } from './chat-stream.service';

function sseResponse(chunks: string[], status = 200): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
  return new Response(body, { status, headers: { 'content-type': 'text/event-stream' } });
}

async function collect(it: AsyncIterable<StreamUpdate>): Promise<StreamUpdate[]> {
  const out: StreamUpdate[] = [];
  for await (const u of it) out.push(u);
  return out;
}

describe(ChatStreamService.name, () => {
  const sut = new ChatStreamService();
  afterEach(() => vi.unstubAllGlobals());

  it('posts a streaming request with usage included and yields the answer', async () => {
    const fetchMock = vi.fn().mockResolvedValue(
      sseResponse([
        'data: {"choices":[],"prompt_filter_results":[{"prompt_index":0}]}\n\n',
        'data: {"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}\n\ndata: {"choices":[{"delta":{"content":" there"},"finish_reason":"stop"}]}\n\n',
        'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n',
        'data: [DONE]\n\n',
      ]),
    );
    vi.stubGlobal('fetch', fetchMock);

    const updates = await collect(sut.stream({ model: 'chat', messages: [{ role: 'user', content: 'Hello' }] }, 'aip_key', new AbortController().signal));

    expect(updates).toEqual([
      { kind: 'delta', content: 'Hi' },
      { kind: 'delta', content: ' there' },
      { kind: 'finish', reason: 'stop' },
      { kind: 'usage', usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
      { kind: 'done' },
    ]);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/v1/chat/completions');
    expect((init.headers as Record<string, string>)['api-key']).toBe('aip_key');
    expect(JSON.parse(init.body as string)).toMatchObject({ model: 'chat', stream: true, stream_options: { include_usage: true } });
  });

  it('throws the proxy\'s own message when the request is refused', async () => {
    const body = JSON.stringify({ error: { message: 'This key has been revoked.', type: 'invalid_request_error', code: 'key_revoked', param: null } });
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(body, { status: 401 })));

    const failure = collect(sut.stream({ model: 'chat', messages: [] }, 'aip_key', new AbortController().signal));

    await expect(failure).rejects.toEqual(new ProxyError('This key has been revoked.', 401));
  });

  it('yields an error event sent mid-stream', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(sseResponse(['data: {"choices":[{"delta":{"content":"Part"}}]}\n\n', 'event: error\ndata: {"error":{"message":"Upstream broke"}}\n\n'])),
    );

    const updates = await collect(sut.stream({ model: 'chat', messages: [] }, 'k', new AbortController().signal));

    expect(updates).toEqual([
      { kind: 'delta', content: 'Part' },
      { kind: 'error', message: 'Upstream broke' },
    ]);
  });

  it('says so when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(collect(sut.stream({ model: 'chat', messages: [] }, 'k', new AbortController().signal))).rejects.toThrow(/Could not reach the server/);
  });

  it('returns generated images as data URLs', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify({ data: [{ b64_json: 'AAAA' }] }), { status: 200 })));
    expect(await sut.generateImages({ model: 'dall-e-3', prompt: 'a cat', size: '1024x1024' }, 'k', new AbortController().signal)).toEqual([
      'data:image/png;base64,AAAA',
    ]);
  });
});
