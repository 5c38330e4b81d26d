import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { chatCounts, Pool, startPool, type BackendSpec } from './support/backends';
import { httpClient, type HttpClient } from './support/http';
import { waitFor, type UsageReport } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const REPLY = 'one two three four five six seven eight nine ten';

/** A preferred backend with a stream fault, and a healthy backup that must never be asked. */
function faultyFirst(faults: Record<string, number>): BackendSpec[] {
  return [{ priority: 0, simulator: { replyText: REPLY, faults } }, { priority: 1, simulator: { replyText: REPLY } }];
}

interface Consumed {
  chunks: ChatCompletionChunk[];
  text: string;
  error?: unknown;
}

async function consume(stream: AsyncIterable<ChatCompletionChunk>): Promise<Consumed> {
  const out: Consumed = { chunks: [], text: '' };
  try {
    for await (const chunk of stream) {
      out.chunks.push(chunk);
      out.text += chunk.choices[0]?.delta?.content ?? '';
    }
  } catch (err) {
    out.error = err;
  }
  return out;
}

describe('proxy streaming faults', () => {
  let t: TestApp;
  let http: HttpClient;
  let pools: Pool[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.close()));
    pools = [];
  });
  afterAll(() => t.close());

  async function pool(specs: BackendSpec[]): Promise<Pool> {
    const p = await startPool(http, specs);
    pools.push(p);
    return p;
  }

  function stream(p: Pool) {
    const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: p.key, maxRetries: 2 });
    return client.chat.completions.create({ model: p.deployment, stream: true, messages: [{ role: 'user', content: 'tell me a story' }] });
  }

  /** The event's usage report once `ready` holds (records are written just after the stream ends). */
  function reportWhen(p: Pool, ready: (r: UsageReport) => boolean): Promise<UsageReport> {
    return waitFor(
      async () => {
        const res = await http.get<UsageReport>(`/api/v1/admin/events/${p.eventId}/usage`);
        return res.status === 200 && ready(res.body) ? res.body : undefined;
      },
      'the usage record of the streamed request',
    );
  }

  it('raises an APIError in the SDK when the upstream stream fails mid-way, without retrying', async () => {
    const p = await pool(faultyFirst({ stream_error_after: 2 }));
    const got = await consume(await stream(p));

    expect(got.text).toBe('one two ');
    expect(got.error).toBeInstanceOf(OpenAI.APIError);
    // Bytes had reached the client: neither the proxy nor the SDK may replay the request.
    expect(await chatCounts(p.sims)).toEqual([1, 0]);

    const report = await reportWhen(p, (r) => r.totals.requests >= 1);
    expect(report.totals.requests).toBe(1);
    expect(report.byDeployment).toEqual([expect.objectContaining({ deployment: p.deployment, requests: 1 })]);
  });

  it('raises an error in the SDK when the upstream connection drops mid-stream, and estimates the tokens', async () => {
    const p = await pool(faultyFirst({ drop_after: 2 }));
    const got = await consume(await stream(p));

    expect(got.text).toBe('one two ');
    // Our interruption event (APIError) or a broken connection (APIConnectionError, a subclass).
    expect(got.error).toBeInstanceOf(OpenAI.APIError);
    expect(await chatCounts(p.sims)).toEqual([1, 0]);

    const report = await reportWhen(p, (r) => r.totals.requests >= 1);
    // The client saw status 200, but the answer broke: the report counts it as an error.
    expect(report.totals).toMatchObject({ requests: 1, errors: 1, estimatedRequests: 1 });
    expect(report.totals.promptTokens).toBeGreaterThan(0);
    expect(report.totals.completionTokens).toBeGreaterThan(0);
  });

  it('relays a mid-stream content filter as finish_reason content_filter', async () => {
    const p = await pool(faultyFirst({ filter_stream_after: 2 }));
    const got = await consume(await stream(p));

    expect(got.error).toBeUndefined();
    expect(got.text).toBe('one two ');
    const finish = got.chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
    expect(finish).toEqual(['content_filter']);
    expect(await chatCounts(p.sims)).toEqual([1, 0]);

    const report = await reportWhen(p, (r) => r.totals.requests >= 1);
    expect(report.totals).toMatchObject({ requests: 1, errors: 0, estimatedRequests: 0 });
  });

  it('still fails over a stream whose backend refuses before the first byte', async () => {
    const p = await pool([{ priority: 0, simulator: { faults: { fail_next: [{ status: 503, count: 1 }] } } }, { priority: 1, simulator: { replyText: REPLY } }]);
    const got = await consume(await stream(p));

    expect(got.error).toBeUndefined();
    expect(got.text).toBe(REPLY);
    expect(await chatCounts(p.sims)).toEqual([1, 1]);
  });
});
