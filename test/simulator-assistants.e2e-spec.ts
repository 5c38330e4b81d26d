import { type RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import { waitFor } from './support/proxy';

/** The simulator's Assistants surface over raw HTTP: auth, api-version, multipart upload, SSE, reset. */
const API_KEY = 'assistants-sim-key';
const V = 'api-version=2025-04-01-preview';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

describe('simulator Assistants routes', () => {
  let sim: RunningSimulator;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { 'api-key': API_KEY },
  ): Promise<Answer> => {
    const isText = typeof body === 'string';
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        ...(body === undefined || isText ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // SSE or bytes
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: API_KEY });
  });
  afterAll(() => sim.close());

  it('refuses a wrong key on each surface and a missing api-version on Azure', async () => {
    expect((await call('GET', `/openai/assistants?${V}`, undefined, { 'api-key': 'wrong' })).status).toBe(
      401,
    );
    expect(
      (await call('GET', '/v1/assistants', undefined, { authorization: 'Bearer wrong' })).json,
    ).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect(await call('GET', '/openai/assistants')).toMatchObject({
      status: 404,
      json: { error: { code: '404' } },
    });
    expect(
      (await call('GET', '/v1/assistants', undefined, { authorization: `Bearer ${API_KEY}` })).status,
    ).toBe(200);
  });

  it('uploads a multipart file and serves its bytes back', async () => {
    const boundary = 'sim-boundary';
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="n.txt"\r\nContent-Type: text/plain\r\n\r\nnotes!\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const created = await call('POST', `/openai/files?${V}`, body, {
      'api-key': API_KEY,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
    expect(created).toMatchObject({
      status: 200,
      json: { object: 'file', bytes: 6, filename: 'n.txt', purpose: 'assistants' },
    });
    const content = await call('GET', `/openai/files/${String(created.json.id)}/content?${V}`);
    expect(content.text).toBe('notes!');
    const noPurpose = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="n.txt"\r\n\r\nx\r\n--${boundary}--\r\n`;
    const refused = await call('POST', `/openai/files?${V}`, noPurpose, {
      'api-key': API_KEY,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
    expect(refused).toMatchObject({ status: 400, json: { error: { param: 'purpose' } } });
  });

  it('runs a thread to completion after a short delay, and streams a run as named events', async () => {
    const assistant = await call('POST', `/openai/assistants?${V}`, { model: 'gpt-4o', name: 'A' });
    const thread = await call('POST', `/openai/threads?${V}`, {
      messages: [{ role: 'user', content: 'ping' }],
    });
    const run = await call('POST', `/openai/threads/${String(thread.json.id)}/runs?${V}`, {
      assistant_id: assistant.json.id,
    });
    expect(run.json).toMatchObject({ object: 'thread.run', status: 'queued' });
    const done = await waitFor(async () => {
      const r = await call(
        'GET',
        `/openai/threads/${String(thread.json.id)}/runs/${String(run.json.id)}?${V}`,
      );
      return r.json.status === 'completed' && r.json;
    }, 'the run to complete');
    expect(done.usage).toEqual({ prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 });
    const messages = await call('GET', `/openai/threads/${String(thread.json.id)}/messages?${V}&limit=1`);
    expect(messages.json).toMatchObject({
      object: 'list',
      has_more: true,
      data: [{ role: 'assistant', content: [{ text: { value: 'echo: ping' } }] }],
    });

    const streamed = await call('POST', `/openai/threads/runs?${V}`, {
      assistant_id: assistant.json.id,
      stream: true,
      thread: { messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    expect(streamed.text.startsWith('event: thread.created\ndata: {')).toBe(true);
    expect(streamed.text).toContain('event: thread.run.completed\n');
    expect(streamed.text.endsWith('event: done\ndata: [DONE]\n\n')).toBe(true);
  });

  it('empties the store on POST /__mock/reset', async () => {
    const assistant = await call('POST', `/openai/assistants?${V}`, { model: 'gpt-4o' });
    expect((await call('GET', `/openai/assistants/${String(assistant.json.id)}?${V}`)).status).toBe(200);
    expect((await call('POST', '/__mock/reset', undefined, {})).status).toBeLessThan(300);
    expect(await call('GET', `/openai/assistants/${String(assistant.json.id)}?${V}`)).toMatchObject({
      status: 404,
      json: { error: { message: `No assistant found with id '${String(assistant.json.id)}'.`, code: null } },
    });
  });
});
