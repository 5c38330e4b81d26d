import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { DataSource } from 'typeorm';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import {
  attendeeHeaders,
  expectOpenAiError,
  simulatedResource,
  upstreamRequests,
  waitFor,
} from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const SIM_KEY = 'assistants-upstream-key-5c1e';
const API_VERSION = '2025-04-01-preview';
/** The assistant deployment; an assistant with this name is the event's shared one. */
const DEPLOYMENT = 'assistant-4o';
const POLL = { pollIntervalMs: 20 };

/** The status and OpenAI error code an SDK call failed with. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; code: unknown; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OpenAI.APIError)
      return { status: err.status ?? 0, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the call to fail');
}

interface OwnedRow {
  object_id: string;
  kind: string;
  attendee_id: string;
  metered_at: Date | null;
}

describe('Assistants API through the proxy', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let http: HttpClient;
  let event: EventResponse;
  let keyA: string;
  let keyB: string;
  let attendeeA: string;
  /** Attendee A on the AzureOpenAI client at the Azure base `/openai`. */
  let a: AzureOpenAI;
  /** Attendee B at the original proxy's base `/api/v1/openai`. */
  let b: AzureOpenAI;
  /** Attendee A on the plain OpenAI client at `/v1`. */
  let aOpenAi: OpenAI;
  let sharedId: string;
  let organiserOnlyId: string;

  const rows = async (): Promise<OwnedRow[]> =>
    (await t.app
      .get(DataSource)
      .query(`SELECT object_id, kind, attendee_id, metered_at FROM assistant_objects WHERE event_id = $1`, [
        event.id,
      ])) as OwnedRow[];

  beforeAll(async () => {
    sim = await startSimulator({ apiKey: SIM_KEY });
    t = await startTestApp();
    http = httpClient(t.url);
    ({ event } = await seedEvent(http, {}, [
      simulatedResource(sim, SIM_KEY, {
        name: 'Assistants',
        deploymentName: DEPLOYMENT,
        modelClass: 'openai-assistant',
      }),
    ]));
    const regA = await registerAttendee(http, event.id, { name: 'Alice' });
    keyA = regA.apiKey;
    attendeeA = regA.attendeeId;
    keyB = (await registerAttendee(http, event.id, { name: 'Bob' })).apiKey;
    a = new AzureOpenAI({ endpoint: t.url, apiKey: keyA, apiVersion: API_VERSION, maxRetries: 0 });
    b = new AzureOpenAI({
      endpoint: `${t.url}/api/v1`,
      apiKey: keyB,
      apiVersion: API_VERSION,
      maxRetries: 0,
    });
    aOpenAi = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: keyA, maxRetries: 0 });
    // The organiser's own assistants, made on the upstream directly: one shared by name, one not.
    const organiser = new AzureOpenAI({
      endpoint: sim.url,
      apiKey: SIM_KEY,
      apiVersion: API_VERSION,
      maxRetries: 0,
    });
    sharedId = (
      await organiser.beta.assistants.create({ model: DEPLOYMENT, name: DEPLOYMENT, instructions: 'Shared.' })
    ).id;
    organiserOnlyId = (
      await organiser.beta.assistants.create({ model: DEPLOYMENT, name: 'organiser-private' })
    ).id;
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  it("keeps A's assistant, thread and file from B: 404 on reads, writes and runs, and absent from B's lists", async () => {
    const assistant = await a.beta.assistants.create({
      model: DEPLOYMENT,
      name: 'Alice helper',
      instructions: 'Be brief.',
    });
    const thread = await a.beta.threads.create({ messages: [{ role: 'user', content: 'hello from Alice' }] });
    const file = await a.files.create({
      file: await toFile(Buffer.from('alice notes'), 'notes.txt'),
      purpose: 'assistants',
    });
    expect(assistant).toMatchObject({
      id: expect.stringMatching(/^asst_/),
      name: 'Alice helper',
      model: DEPLOYMENT,
    });
    expect(thread.id).toMatch(/^thread_/);
    expect(file).toMatchObject({
      id: expect.stringMatching(/^file-/),
      bytes: 11,
      filename: 'notes.txt',
      purpose: 'assistants',
    });

    // A reads its own objects, on every base.
    expect((await a.beta.assistants.retrieve(assistant.id)).name).toBe('Alice helper');
    expect((await aOpenAi.beta.threads.retrieve(thread.id)).id).toBe(thread.id);
    expect(await (await a.files.content(file.id)).text()).toBe('alice notes');

    const notFound = { status: 404, code: 'object_not_found' };
    expect(await failure(b.beta.assistants.retrieve(assistant.id))).toMatchObject({
      ...notFound,
      message: expect.stringContaining(`No assistant found with id '${assistant.id}'`),
    });
    expect(await failure(b.beta.assistants.update(assistant.id, { name: 'stolen' }))).toMatchObject(notFound);
    expect(await failure(b.beta.assistants.delete(assistant.id))).toMatchObject(notFound);
    expect(await failure(b.beta.threads.retrieve(thread.id))).toMatchObject(notFound);
    expect(await failure(b.beta.threads.update(thread.id, { metadata: { x: 'y' } }))).toMatchObject(notFound);
    expect(await failure(b.beta.threads.messages.list(thread.id))).toMatchObject(notFound);
    expect(
      await failure(b.beta.threads.messages.create(thread.id, { role: 'user', content: 'intruder' })),
    ).toMatchObject(notFound);
    expect(await failure(b.beta.threads.runs.create(thread.id, { assistant_id: sharedId }))).toMatchObject(
      notFound,
    );
    expect(await failure(b.beta.threads.delete(thread.id))).toMatchObject(notFound);
    expect(await failure(b.files.retrieve(file.id))).toMatchObject(notFound);
    expect(await failure(b.files.content(file.id))).toMatchObject(notFound);
    expect(await failure(b.files.delete(file.id))).toMatchObject(notFound);

    // Ids in a body are checked too: B cannot attach A's file or run A's assistant on its own thread.
    const bThread = await b.beta.threads.create();
    expect(
      await failure(
        b.beta.threads.messages.create(bThread.id, {
          role: 'user',
          content: 'x',
          attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }],
        }),
      ),
    ).toMatchObject(notFound);
    expect(
      await failure(b.beta.threads.runs.create(bThread.id, { assistant_id: assistant.id })),
    ).toMatchObject(notFound);
    expect(await failure(b.vectorStores.create({ name: 'mine', file_ids: [file.id] }))).toMatchObject(
      notFound,
    );

    // Lists are filtered: B sees the shared assistant and nothing of A's; A sees its own and the shared one.
    const bAssistants = (await b.beta.assistants.list()).data.map((x) => x.id);
    expect(bAssistants).toEqual([sharedId]);
    const aAssistants = (await a.beta.assistants.list()).data.map((x) => x.id);
    expect(aAssistants).toEqual([assistant.id, sharedId]);
    expect(aAssistants).not.toContain(organiserOnlyId);
    expect((await b.files.list()).data).toEqual([]);
    expect((await a.files.list()).data.map((f) => f.id)).toEqual([file.id]);

    // Nothing of A's changed upstream.
    expect((await a.beta.assistants.retrieve(assistant.id)).name).toBe('Alice helper');
    expect((await a.beta.threads.messages.list(thread.id)).data.map((m) => m.role)).toEqual(['user']);
    expect(
      (await upstreamRequests(sim, `/openai/assistants/${assistant.id}`)).filter((r) => r.method !== 'GET'),
    ).toEqual([]);

    const owned = await rows();
    expect(owned).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ object_id: assistant.id, kind: 'assistant', attendee_id: attendeeA }),
        expect.objectContaining({ object_id: thread.id, kind: 'thread', attendee_id: attendeeA }),
        expect.objectContaining({ object_id: file.id, kind: 'file', attendee_id: attendeeA }),
      ]),
    );
  });

  it("pages through a filtered list with the upstream's cursors, skipping other attendees' objects", async () => {
    const { event: ev } = await seedEvent(http, {}, [
      simulatedResource(sim, SIM_KEY, {
        name: 'Assistants',
        deploymentName: 'paging-assistant',
        modelClass: 'openai-assistant',
      }),
    ]);
    const [p, q] = await Promise.all([registerAttendee(http, ev.id), registerAttendee(http, ev.id)]);
    const pc = new AzureOpenAI({ endpoint: t.url, apiKey: p.apiKey, apiVersion: API_VERSION, maxRetries: 0 });
    const qc = new AzureOpenAI({ endpoint: t.url, apiKey: q.apiKey, apiVersion: API_VERSION, maxRetries: 0 });
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      mine.unshift((await pc.beta.assistants.create({ model: 'paging-assistant', name: `p${i}` })).id);
      await qc.beta.assistants.create({ model: 'paging-assistant', name: `q${i}` });
    }
    const first = await pc.beta.assistants.list({ limit: 2 });
    expect(first.data.map((x) => x.id)).toEqual(mine.slice(0, 2));
    expect(first.has_more).toBe(true);
    const seen: string[] = [];
    for await (const assistant of pc.beta.assistants.list({ limit: 1 })) seen.push(assistant.id);
    expect(seen).toEqual(mine);
    const asc: string[] = [];
    for await (const assistant of pc.beta.assistants.list({ limit: 2, order: 'asc' })) asc.push(assistant.id);
    expect(asc).toEqual([...mine].reverse());
  });

  it('lets everyone run the shared assistant on their own threads, and nobody change or delete it', async () => {
    for (const client of [a, b]) {
      expect((await client.beta.assistants.retrieve(sharedId)).name).toBe(DEPLOYMENT);
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'hi shared' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: sharedId }, POLL);
      expect(run).toMatchObject({
        status: 'completed',
        assistant_id: sharedId,
        usage: { total_tokens: expect.any(Number) },
      });
      const messages = await client.beta.threads.messages.list(thread.id);
      expect(messages.data[0]).toMatchObject({ role: 'assistant', run_id: run.id });
      expect(messages.data[0].content[0]).toMatchObject({ type: 'text', text: { value: 'echo: hi shared' } });
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
      expect(steps.data).toHaveLength(1);

      const forbidden = {
        status: 403,
        code: 'forbidden',
        message: expect.stringContaining('shared assistant'),
      };
      expect(
        await failure(client.beta.assistants.update(sharedId, { instructions: 'Be evil.' })),
      ).toMatchObject(forbidden);
      expect(await failure(client.beta.assistants.delete(sharedId))).toMatchObject(forbidden);
    }
    // The organiser's other assistants are not shared.
    expect(await failure(a.beta.assistants.retrieve(organiserOnlyId))).toMatchObject({
      status: 404,
      code: 'object_not_found',
    });
    expect(await failure(a.beta.assistants.create({ model: DEPLOYMENT, name: DEPLOYMENT }))).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    expect(
      (await upstreamRequests(sim, `/openai/assistants/${sharedId}`)).filter((r) => r.method !== 'GET'),
    ).toEqual([]);
  });

  it("streams a run as server-sent events, records the new run as the caller's and meters its usage once", async () => {
    const assistant = await a.beta.assistants.create({ model: DEPLOYMENT, name: 'Streamer' });
    const thread = await a.beta.threads.create({ messages: [{ role: 'user', content: 'stream please' }] });
    const stream = a.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const seen: string[] = [];
    stream.on('event', (e) => seen.push(e.event));
    const run = await stream.finalRun();
    expect(run).toMatchObject({ status: 'completed', usage: { total_tokens: expect.any(Number) } });
    expect(seen).toEqual(
      expect.arrayContaining(['thread.run.created', 'thread.message.delta', 'thread.run.completed']),
    );
    expect((await stream.finalMessages())[0].content[0]).toMatchObject({
      text: { value: 'echo: stream please' },
    });

    // Reading the finished run again does not count its tokens twice.
    expect((await a.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status).toBe('completed');
    expect(await failure(b.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }))).toMatchObject({
      status: 404,
    });

    const created = await a.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'new thread' }] } },
      POLL,
    );
    expect(created.status).toBe('completed');
    expect((await a.beta.threads.retrieve(created.thread_id)).id).toBe(created.thread_id);
    expect(await failure(b.beta.threads.retrieve(created.thread_id))).toMatchObject({ status: 404 });

    const runRows = (await rows()).filter((r) => r.object_id === run.id || r.object_id === created.id);
    expect(runRows).toHaveLength(2);
    expect(runRows.every((r) => r.kind === 'run' && r.metered_at !== null)).toBe(true);

    const usage = await waitFor(async () => {
      await http.get(`/api/v1/admin/events/${event.id}/usage`);
      const found = (await t.app.get(DataSource).query(
        `SELECT route, status, total_tokens, streamed FROM usage_records
          WHERE event_id = $1 AND total_tokens > 0 AND route LIKE 'assistants:%' ORDER BY id`,
        [event.id],
      )) as { route: string; status: number; total_tokens: number; streamed: boolean }[];
      return found.length >= 4 && found;
    }, 'metered assistant runs');
    // Two shared-assistant runs (polled), the streamed run, and the create-thread-and-run: each metered once.
    expect(usage).toHaveLength(4);
    expect(usage.find((u) => u.streamed)).toMatchObject({
      route: 'assistants:threads/:threadId/runs',
      status: 200,
      total_tokens: run.usage!.total_tokens,
    });
    expect(
      usage.filter(
        (u) =>
          Number(u.total_tokens) === created.usage!.total_tokens &&
          u.route === 'assistants:threads/:threadId/runs/:runId',
      ).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('passes a function-tool round trip through: requires_action, then submit_tool_outputs by the thread owner only', async () => {
    const assistant = await a.beta.assistants.create({
      model: DEPLOYMENT,
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    const thread = await a.beta.threads.create({ messages: [{ role: 'user', content: 'weather in Oslo?' }] });
    const waiting = await a.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, POLL);
    expect(waiting.status).toBe('requires_action');
    const [toolCall] = waiting.required_action!.submit_tool_outputs.tool_calls;
    expect(toolCall.function.name).toBe('get_weather');
    const outputs = { thread_id: thread.id, tool_outputs: [{ tool_call_id: toolCall.id, output: 'sunny' }] };
    expect(await failure(b.beta.threads.runs.submitToolOutputs(waiting.id, outputs))).toMatchObject({
      status: 404,
      code: 'object_not_found',
    });
    const done = await a.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, outputs, POLL);
    expect(done).toMatchObject({ status: 'completed', usage: { total_tokens: expect.any(Number) } });
    expect((await a.beta.threads.messages.list(thread.id)).data[0].content[0]).toMatchObject({
      text: { value: 'echo: sunny' },
    });

    // A run waiting for tool outputs can be cancelled (a bodiless POST), by its thread's owner only.
    await a.beta.threads.messages.create(thread.id, { role: 'user', content: 'weather again?' });
    const again = await a.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, POLL);
    expect(again.status).toBe('requires_action');
    expect(await failure(b.beta.threads.runs.cancel(again.id, { thread_id: thread.id }))).toMatchObject({
      status: 404,
    });
    expect((await a.beta.threads.runs.cancel(again.id, { thread_id: thread.id })).status).toBe('cancelled');
    expect((await a.beta.threads.runs.list(thread.id)).data.map((r) => r.status)).toEqual([
      'cancelled',
      'completed',
    ]);
  });

  it('writes a usage record for every request, and refused ones carry their status', async () => {
    // The usage report flushes the write buffer, so earlier tests' records are all counted in `before`.
    await http.get(`/api/v1/admin/events/${event.id}/usage`);
    const before = Number(
      (
        (await t.app
          .get(DataSource)
          .query(`SELECT count(*) AS n FROM usage_records WHERE event_id = $1`, [event.id])) as {
          n: string;
        }[]
      )[0].n,
    );
    await a.beta.assistants.list();
    await failure(b.beta.assistants.retrieve('asst_doesnotexist'));
    const found = await waitFor(async () => {
      await http.get(`/api/v1/admin/events/${event.id}/usage`);
      const all = (await t.app
        .get(DataSource)
        .query(
          `SELECT route, status, error_code, deployment FROM usage_records WHERE event_id = $1 ORDER BY id`,
          [event.id],
        )) as {
        route: string;
        status: number;
        error_code: string | null;
        deployment: string;
      }[];
      return all.length >= before + 2 && all.slice(before);
    }, 'two more usage records');
    expect(found).toEqual([
      { route: 'assistants:assistants', status: 200, error_code: null, deployment: DEPLOYMENT },
      {
        route: 'assistants:assistants/:assistantId',
        status: 404,
        error_code: 'object_not_found',
        deployment: '(none)',
      },
    ]);
  });

  it('deletes an owned object and forgets it; the id is then 404 for its owner too', async () => {
    const file = await a.files.create({
      file: await toFile(Buffer.from('bye'), 'bye.txt'),
      purpose: 'assistants',
    });
    expect(await a.files.delete(file.id)).toMatchObject({ id: file.id, deleted: true });
    expect((await rows()).some((r) => r.object_id === file.id)).toBe(false);
    expect(await failure(a.files.retrieve(file.id))).toMatchObject({ status: 404, code: 'object_not_found' });

    const store = await a.vectorStores.create({ name: 'docs' });
    expect(await failure(b.vectorStores.retrieve(store.id))).toMatchObject({ status: 404 });
    expect((await b.vectorStores.list()).data).toEqual([]);
    expect((await a.vectorStores.list()).data.map((s) => s.id)).toEqual([store.id]);
    expect(await a.vectorStores.delete(store.id)).toMatchObject({ deleted: true });
  });

  it('answers upload mistakes and an event without an assistant deployment in the OpenAI error shape', async () => {
    const boundary = '----assistants-test';
    const noPurpose = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc\r\n--${boundary}--\r\n`;
    const res = await http.post(`/openai/files?api-version=${API_VERSION}`, noPurpose, {
      headers: {
        ...attendeeHeaders(keyA, 'azure'),
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    });
    expect(expectOpenAiError(res, 400, 'validation_failed').param).toBe('purpose');
    const json = await http.post(
      `/openai/files?api-version=${API_VERSION}`,
      { purpose: 'assistants' },
      { headers: attendeeHeaders(keyA, 'azure') },
    );
    expect(expectOpenAiError(json, 400, 'validation_failed').param).toBe('file');

    const { event: bare } = await seedEvent(http, {}, []);
    const key = (await registerAttendee(http, bare.id)).apiKey;
    const none = await http.get(`/api/v1/openai/assistants?api-version=${API_VERSION}`, {
      headers: attendeeHeaders(key, 'azure'),
    });
    expect(expectOpenAiError(none, 404, 'DeploymentNotFound').message).toContain('openai-assistant');
    const noKey = await http.get(`/openai/assistants?api-version=${API_VERSION}`);
    expect(noKey.status).toBe(401);
  });

  it('counts run creations against the daily cap (reads do not) and holds max_completion_tokens to the token cap', async () => {
    const { event: capped } = await seedEvent(http, { dailyRequestCap: 2, maxTokenCap: 300 }, [
      simulatedResource(sim, SIM_KEY, {
        name: 'Assistants',
        deploymentName: DEPLOYMENT,
        modelClass: 'openai-assistant',
      }),
    ]);
    const client = new AzureOpenAI({
      endpoint: t.url,
      apiKey: (await registerAttendee(http, capped.id)).apiKey,
      apiVersion: API_VERSION,
      maxRetries: 0,
    });
    const assistant = await client.beta.assistants.create({ model: DEPLOYMENT });
    const thread = await client.beta.threads.create();
    expect(
      await failure(
        client.beta.threads.runs.create(thread.id, {
          assistant_id: assistant.id,
          max_completion_tokens: 301,
        }),
      ),
    ).toMatchObject({
      status: 400,
      code: 'max_tokens_exceeds_cap',
    });
    for (let i = 0; i < 2; i++) {
      await client.beta.threads.messages.create(thread.id, { role: 'user', content: `turn ${i}` });
      expect(
        (
          await client.beta.threads.runs.createAndPoll(
            thread.id,
            { assistant_id: assistant.id, max_completion_tokens: 300 },
            POLL,
          )
        ).status,
      ).toBe('completed');
    }
    expect(
      await failure(client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id })),
    ).toMatchObject({ status: 429, code: 'daily_request_cap_exceeded' });
    // Reading and polling go on after the cap.
    expect((await client.beta.threads.messages.list(thread.id)).data).toHaveLength(4);
    // The same upstream and deployment name: the organiser's shared assistant is this event's too.
    expect((await client.beta.assistants.list()).data.map((x) => x.id)).toEqual([assistant.id, sharedId]);
  });

  it("passes an upstream 429's retry hints on, and a refused run does not use up the daily cap", async () => {
    const { event: ev } = await seedEvent(http, { dailyRequestCap: 1 }, [
      simulatedResource(sim, SIM_KEY, {
        name: 'Assistants',
        deploymentName: DEPLOYMENT,
        modelClass: 'openai-assistant',
      }),
    ]);
    const key = (await registerAttendee(http, ev.id)).apiKey;
    const client = new AzureOpenAI({ endpoint: t.url, apiKey: key, apiVersion: API_VERSION, maxRetries: 0 });
    const assistant = await client.beta.assistants.create({ model: DEPLOYMENT });
    const thread = await client.beta.threads.create();
    const runPath = `/openai/threads/${thread.id}/runs?api-version=${API_VERSION}`;
    await sim.control.patchConfig({
      faults: { fail_next: [{ status: 429, count: 1, retry_after_ms: 2000 }] },
    });
    try {
      const limited = await http.post(
        runPath,
        { assistant_id: assistant.id },
        { headers: attendeeHeaders(key, 'azure') },
      );
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after-ms')).toBe('2000');
      expect(limited.headers.get('retry-after')).toBe('2');
    } finally {
      await sim.control.patchConfig({ faults: { fail_next: [] } });
    }
    const ok = await http.post(
      runPath,
      { assistant_id: assistant.id },
      { headers: attendeeHeaders(key, 'azure') },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('speaks OpenAI to an openai upstream: /v1 paths, a bearer key, the model name and the assistants=v2 header', async () => {
    const { event: ev } = await seedEvent(http, {}, [
      simulatedResource(sim, SIM_KEY, {
        name: 'OpenAI assistants',
        deploymentName: 'oai-assistant',
        modelName: 'gpt-4o-mini',
        upstream: 'openai',
        modelClass: 'openai-assistant',
      }),
    ]);
    const client = new OpenAI({
      baseURL: `${t.url}/v1`,
      apiKey: (await registerAttendee(http, ev.id)).apiKey,
      maxRetries: 0,
    });
    const assistant = await client.beta.assistants.create({ model: 'oai-assistant', name: 'Mine' });
    expect(assistant.model).toBe('gpt-4o-mini');
    const run = await client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'over openai' }] } },
      POLL,
    );
    expect(run.status).toBe('completed');
    const [created] = await upstreamRequests(sim, '/v1/assistants');
    expect(created).toMatchObject({
      method: 'POST',
      path: '/v1/assistants',
      body: { model: 'gpt-4o-mini', name: 'Mine' },
    });
    expect(created.headers['openai-beta']).toBe('assistants=v2');
    expect(created.headers.authorization).toBeDefined();
    expect(created.headers['api-key']).toBeUndefined();
    expect(await failure(client.beta.assistants.create({ model: 'gpt-4o', name: 'x' }))).toMatchObject({
      status: 404,
      code: 'DeploymentNotFound',
    });
  });
});
