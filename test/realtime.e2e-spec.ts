import { connect } from 'node:net';
import OpenAI, { AzureOpenAI } from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { type RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, type HttpClient } from './support/http';
import { expectOpenAiError, simulatedResource, type UsageReport, upstreamRequests, waitFor } from './support/proxy';
import { closedPortUrl, RealtimeClient, realtimeBuiltin, TEXT_ONLY_BETA, TEXT_ONLY_GA, wsUrl } from './support/realtime';
import { startTestApp, type TestApp } from './support/test-app';

const SIM_KEY = 'realtime-upstream-key-0001';
const HOUR = 3_600_000;

describe('realtime gateway', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;
  let eventId: string;
  let key: string;
  const url = (path: string) => wsUrl(t.url, path);
  const GA = '/openai/v1/realtime?model=gpt-realtime';

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
    sim = await startSimulator({ apiKey: SIM_KEY, port: 0, deployments: { 'rt-own': { model: 'gpt-realtime-2025-08-28' } } });
    const { event } = await seedEvent(http, { maxRealtimeSessions: 20 }, [
      realtimeBuiltin(),
      realtimeBuiltin({ name: 'Realtime (metered)', deploymentName: 'rt-meter' }),
      simulatedResource(sim, SIM_KEY, { name: 'Realtime (own simulator)', modelClass: 'openai-realtime', deploymentName: 'rt-own' }),
      simulatedResource(sim, SIM_KEY, { name: 'Realtime (OpenAI dialect)', upstream: 'openai', modelClass: 'openai-realtime', deploymentName: 'rt-openai', modelName: 'rt-own' }),
      { upstream: 'simulator', endpointUrl: undefined, apiKey: undefined, modelClass: 'openai-chat', deploymentName: 'chat' },
    ]);
    eventId = event.id;
    key = (await registerAttendee(http, eventId)).apiKey;
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });
  beforeEach(() => sim.control.reset());

  async function usage(id = eventId): Promise<UsageReport> {
    const res = await http.get<UsageReport>(`/api/v1/admin/events/${id}/usage`);
    expect(res.status).toBe(200);
    return res.body;
  }

  describe('a full session', () => {
    it('relays a GA session through the proxy: session.created, session.update, a text response, a clean close', async () => {
      const client = await RealtimeClient.connect(url(GA), { headers: { 'api-key': key, 'x-request-id': 'rt-trace-1' } });

      const created = await client.next('session.created');
      expect(client.upgradeHeaders['x-request-id']).toBe('rt-trace-1');
      client.send(TEXT_ONLY_GA);
      await client.next('session.updated');
      const first = await client.ask('hello there', 1);
      const second = await client.ask('and again', 2);
      client.close(1000, 'bye');
      const closed = await client.waitClosed();

      expect(created).toMatchObject({ session: { type: 'realtime', object: 'realtime.session' } });
      expect(client.ofType<{ delta: string }>('response.output_text.delta').map((e) => e.delta).join('')).toBe('echo: hello thereecho: and again');
      expect(first.response).toMatchObject({ status: 'completed', usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8 } });
      expect(second.response.usage.total_tokens).toBeGreaterThan(8);
      expect(closed).toEqual({ code: 1000, reason: 'bye' });
    });

    it('relays audio in and out (base64 frames pass verbatim)', async () => {
      const client = await RealtimeClient.connect(url(GA), { headers: { 'api-key': key } });
      const audio = Buffer.alloc(48_000).toString('base64');

      client.send({ type: 'input_audio_buffer.append', audio });
      client.send({ type: 'input_audio_buffer.commit' });
      await client.next('input_audio_buffer.committed');
      client.send({ type: 'response.create' });
      const done = await client.next<{ response: { usage: { input_token_details: { audio_tokens: number } } } }>('response.done');
      client.close();

      expect(done.response.usage.input_token_details.audio_tokens).toBe(10);
      expect(client.ofType<{ delta: string }>('response.output_audio.delta')[0]?.delta).toMatch(/^A+=*$/);
      expect(client.ofType<{ transcript: string }>('response.output_audio_transcript.done')[0]?.transcript).toBe('echo: [audio 1.0s]');
    });

    it('passes the simulator\'s error events through and keeps the session open', async () => {
      const client = await RealtimeClient.connect(url(GA), { headers: { 'api-key': key } });

      client.send({ type: 'session.update', event_id: 'c1', session: {} });
      const error = await client.next<{ error: Record<string, unknown> }>('error');
      client.send(TEXT_ONLY_GA);
      await client.next('session.updated');
      client.close();

      expect(error.error).toMatchObject({ param: 'session.type', event_id: 'c1' });
    });

    it('meters every response.done: tokens show in the usage report, the session counts once', async () => {
      const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=rt-meter'), { headers: { 'api-key': key } });
      client.send(TEXT_ONLY_GA);
      const a = await client.ask('hello there', 1);
      const b = await client.ask('and again', 2);
      client.close();
      await client.waitClosed();
      const tokens = (field: 'input_tokens' | 'output_tokens' | 'total_tokens') => a.response.usage[field] + b.response.usage[field];

      const row = await waitFor(async () => {
        const found = (await usage()).byDeployment.find((d) => d.deployment === 'rt-meter');
        return found && found.totalTokens >= tokens('total_tokens') && found;
      }, 'the realtime usage records');

      expect(row).toEqual({
        deployment: 'rt-meter',
        requests: 2,
        errors: 0,
        rateLimited: 0,
        promptTokens: tokens('input_tokens'),
        completionTokens: tokens('output_tokens'),
        totalTokens: tokens('total_tokens'),
        estimatedRequests: 0,
      });
    });
  });

  describe('load', () => {
    it('relays 200 concurrent sessions without losing a frame, and meters every response', async () => {
      const { event } = await seedEvent(http, { maxRealtimeSessions: 200, dailyRequestCap: 1000 }, [realtimeBuiltin({ deploymentName: 'rt-load' })]);
      const k = (await registerAttendee(http, event.id)).apiKey;
      const clients = await Promise.all(Array.from({ length: 200 }, () => RealtimeClient.connect(url('/openai/v1/realtime?model=rt-load'), { headers: { 'api-key': k } })));

      const dones = await Promise.all(
        clients.map(async (client, i) => {
          client.send(TEXT_ONLY_GA);
          const done = await client.ask(`session ${i} says hello`, 1, 20_000);
          client.close();
          return done;
        }),
      );

      clients.forEach((client, i) => {
        expect(client.ofType<{ delta: string }>('response.output_text.delta').map((e) => e.delta).join('')).toBe(`echo: session ${i} says hello`);
      });
      const tokens = dones.reduce((sum, d) => sum + d.response.usage.total_tokens, 0);
      const row = await waitFor(async () => {
        const found = (await usage(event.id)).byDeployment.find((d) => d.deployment === 'rt-load');
        return found && found.requests >= 200 && found;
      }, 'usage records of 200 sessions', 10_000);
      expect(row).toMatchObject({ requests: 200, errors: 0, totalTokens: tokens });
    });
  });

  describe('upstream URL forms', () => {
    it('opens Azure GA upstream for a GA client: /openai/v1/realtime?model=, the resource key in api-key, no api-version, no client key', async () => {
      const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=rt-own&key=' + key), { protocols: ['realtime'] });
      await client.next('session.created');
      client.close();

      const [seen] = await upstreamRequests(sim, '/realtime');
      expect(seen).toMatchObject({ path: '/openai/v1/realtime', query: { model: 'rt-own' }, headers: { 'api-key': '[REDACTED]' } });
      expect(seen?.query).not.toHaveProperty('api-version');
      expect(seen?.query).not.toHaveProperty('key');
      expect(seen?.headers).not.toHaveProperty('openai-beta');
      expect(seen?.headers).not.toHaveProperty('sec-websocket-protocol');
      expect(client.protocol).toBe('realtime');
    });

    it('opens the Azure preview URL for a preview client and relays beta events', async () => {
      const client = await RealtimeClient.connect(url(`/openai/realtime?api-version=2024-10-01-preview&deployment=rt-own&api-key=${key}`));
      client.send(TEXT_ONLY_BETA);
      await client.ask('hi', 1);
      client.close();

      const [seen] = await upstreamRequests(sim, '/realtime');
      expect(seen).toMatchObject({ path: '/openai/realtime', query: { 'api-version': '2024-10-01-preview', deployment: 'rt-own' } });
      expect(seen?.query).not.toHaveProperty('api-key');
      expect(client.types()).toContain('response.text.delta');
    });

    it('opens OpenAI upstream for an openai resource: /v1/realtime?model=<modelName> with Bearer, and passes OpenAI-Beta on', async () => {
      const client = await RealtimeClient.connect(url('/v1/realtime?model=rt-openai&intent=conversation'), {
        headers: { authorization: `Bearer ${key}`, 'OpenAI-Beta': 'realtime=v1' },
      });
      client.send(TEXT_ONLY_BETA);
      await client.ask('hi', 1);
      client.close();

      const [seen] = await upstreamRequests(sim, '/realtime');
      expect(seen).toMatchObject({ path: '/v1/realtime', query: { model: 'rt-own', intent: 'conversation' }, headers: { authorization: '[REDACTED]', 'openai-beta': 'realtime=v1' } });
      expect(seen?.headers).not.toHaveProperty('api-key');
      expect(client.types()).toContain('response.text.delta');
    });
  });

  describe('authentication forms', () => {
    it.each([
      ['the api-key header on the GA URL', GA, { headers: { 'api-key': 'KEY' } }],
      ['a Bearer token on the OpenAI URL', '/v1/realtime?model=gpt-realtime', { headers: { authorization: 'Bearer KEY' } }],
      ['?api-key= on the preview URL', '/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime&api-key=KEY', {}],
      ['?key= on the GA URL', `${GA}&key=KEY`, {}],
      ['the browser subprotocol on the OpenAI URL', '/v1/realtime?model=gpt-realtime', { protocols: ['realtime', 'openai-insecure-api-key.KEY'] }],
      ['the api-key header under /api/v1 (GA)', `/api/v1${GA}`, { headers: { 'api-key': 'KEY' } }],
      ['?api-key= under /api/v1 (preview)', '/api/v1/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime&api-key=KEY', {}],
      ['a Bearer token under /api/v1 (OpenAI)', '/api/v1/v1/realtime?model=gpt-realtime', { headers: { authorization: 'Bearer KEY' } }],
    ])('admits %s', async (_name, path, options) => {
      const withKey = JSON.parse(JSON.stringify({ path, options }).replaceAll('KEY', key)) as { path: string; options: { headers?: Record<string, string>; protocols?: string[] } };

      const client = await RealtimeClient.connect(url(withKey.path), withKey.options);
      await client.next('session.created');
      client.close();

      if (withKey.options.protocols) expect(client.protocol).toBe('realtime');
    });

    it('never writes the key to the log, whichever way it came', async () => {
      const client = await RealtimeClient.connect(url(`${GA}&api-key=${key}`), { protocols: ['realtime', `openai-insecure-api-key.${key}`] });
      await client.next('session.created');
      client.close();
      await client.waitClosed();
      await RealtimeClient.refusal(url(`${GA}&key=${key}x`));

      await waitFor(() => t.logs.some((line) => line.includes('Realtime session closed')), 'the session close log line');
      expect(t.logs.join('\n')).not.toContain(key);
      expect(t.logs.some((line) => line.includes('Realtime session opened') && line.includes('api-key=[REDACTED]'))).toBe(true);
      expect(t.logs.some((line) => line.includes('Realtime handshake refused') && line.includes('&key=[REDACTED]'))).toBe(true);
    });
  });

  describe('refusals before the upgrade', () => {
    it.each([
      ['no key', GA, {}, 401, 'invalid_api_key'],
      ['a wrong key', GA, { headers: { 'api-key': 'aip_wrong' } }, 401, 'invalid_api_key'],
      ['an unknown deployment', '/openai/v1/realtime?model=nope', { headers: { 'api-key': 'KEY' } }, 404, 'DeploymentNotFound'],
      ['a chat deployment', '/openai/v1/realtime?model=chat', { headers: { 'api-key': 'KEY' } }, 400, 'deployment_class_mismatch'],
      ['no deployment named', '/openai/v1/realtime', { headers: { 'api-key': 'KEY' } }, 400, 'model_required'],
    ])('refuses %s with an OpenAI-shaped HTTP answer', async (_name, path, options, status, code) => {
      const withKey = JSON.parse(JSON.stringify(options).replaceAll('KEY', key)) as { headers?: Record<string, string> };

      const refused = await RealtimeClient.refusal(url(path), withKey);

      expectOpenAiError({ status: refused.status, body: JSON.parse(refused.body), headers: new Headers(), text: refused.body }, status, code);
      expect(refused.headers['x-request-id']).toEqual(expect.any(String));
    });

    it('refuses before the event starts and after the key is revoked', async () => {
      const { event } = await seedEvent(http, {}, [realtimeBuiltin()]);
      const upcoming = (await registerAttendee(http, event.id)).apiKey;
      await http.patch(`/api/v1/admin/events/${event.id}`, { startsAt: new Date(Date.now() + HOUR).toISOString() });
      const live = await seedEvent(http, {}, [realtimeBuiltin()]);
      const attendee = await registerAttendee(http, live.event.id);
      await http.patch(`/api/v1/admin/events/${live.event.id}/attendees/${attendee.attendeeId}`, { active: false });

      const early = await RealtimeClient.refusal(url(GA), { headers: { 'api-key': upcoming } });
      const revoked = await RealtimeClient.refusal(url(GA), { headers: { 'api-key': attendee.apiKey } });

      expect({ status: early.status, code: JSON.parse(early.body).error.code }).toEqual({ status: 401, code: 'event_not_started' });
      expect({ status: revoked.status, code: JSON.parse(revoked.body).error.code }).toEqual({ status: 401, code: 'key_revoked' });
    });

    it('answers a plain GET with 426 and a hint to use WebSocket, under /api/v1 too', async () => {
      const res = await http.get(GA, { headers: { 'api-key': key } });
      const prefixed = await http.get(`/api/v1${GA}`);

      expect(expectOpenAiError(res, 426, 'upgrade_required').message).toMatch(/WebSocket/);
      expectOpenAiError(prefixed, 426, 'upgrade_required');
    });

    it('is described in the OpenAPI document', async () => {
      const doc = (await http.get<{ paths: Record<string, { get?: { description?: string; responses: Record<string, unknown> } }> }>('/docs/json')).body;

      for (const path of ['/openai/v1/realtime', '/openai/realtime', '/v1/realtime']) {
        expect(doc.paths[path]?.get?.description).toEqual(expect.stringContaining('WebSocket'));
        expect(Object.keys(doc.paths[path]?.get?.responses ?? {})).toEqual(expect.arrayContaining(['101', '401', '404', '426', '429']));
      }
    });

    it('answers 404 for an upgrade on a path that is not a realtime endpoint', async () => {
      const refused = await RealtimeClient.refusal(url('/v1/chat/completions'), { headers: { 'api-key': key } });

      expect(refused.status).toBe(404);
    });
  });

  describe('failover and upstream faults', () => {
    it('fails over to the next backend when the first cannot be opened, and answers 503 when none can', async () => {
      const dead = await closedPortUrl();
      const { event } = await seedEvent(http, {}, [
        realtimeBuiltin({ name: 'dead', upstream: 'azure', endpointUrl: dead, apiKey: 'x', priority: 0, deploymentName: 'rt-pool' }),
        simulatedResource(sim, SIM_KEY, { name: 'refusing', modelClass: 'openai-realtime', deploymentName: 'rt-pool', apiKey: 'wrong-key', priority: 1 }),
        simulatedResource(sim, SIM_KEY, { name: 'good', modelClass: 'openai-realtime', deploymentName: 'rt-pool', priority: 2 }),
      ]);
      const k = (await registerAttendee(http, event.id)).apiKey;

      const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=rt-pool'), { headers: { 'api-key': k } });
      await client.next('session.created');
      client.close();

      const handshakes = await upstreamRequests(sim, '/realtime');
      expect(handshakes).toHaveLength(2);

      const lonely = await seedEvent(http, {}, [realtimeBuiltin({ upstream: 'azure', endpointUrl: dead, apiKey: 'x', deploymentName: 'rt-dead' })]);
      const k2 = (await registerAttendee(http, lonely.event.id)).apiKey;
      const refused = await RealtimeClient.refusal(url('/openai/v1/realtime?model=rt-dead'), { headers: { 'api-key': k2 } });
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body).error.code).toBe('upstream_unavailable');
      expect(refused.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    });

    it('fails over on an upstream 503 handshake (fail_next)', async () => {
      await sim.control.patchConfig({ faults: { fail_next: [{ status: 503, count: 1 }] } });
      try {
        const { event } = await seedEvent(http, {}, [
          simulatedResource(sim, SIM_KEY, { name: 'a', modelClass: 'openai-realtime', deploymentName: 'rt-twice', priority: 0 }),
          simulatedResource(sim, SIM_KEY, { name: 'b', modelClass: 'openai-realtime', deploymentName: 'rt-twice', priority: 1 }),
        ]);
        const k = (await registerAttendee(http, event.id)).apiKey;

        const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=rt-twice'), { headers: { 'api-key': k } });
        await client.next('session.created');
        client.close();

        expect(await upstreamRequests(sim, '/realtime')).toHaveLength(2);
      } finally {
        await sim.control.patchConfig({ faults: { fail_next: [] } });
      }
    });

    it('passes an upstream drop on as close code 1011', async () => {
      const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=rt-own'), { headers: { 'api-key': key } });
      await sim.control.patchConfig({ faults: { drop_after: 1 } });
      try {
        client.send(TEXT_ONLY_GA);
        client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one two three' }] } });
        client.send({ type: 'response.create' });
        // drop_after is read at the handshake, so this session is not affected: it completes normally.
        await client.next('response.done');
        client.close();
        const dropped = await RealtimeClient.connect(url('/openai/v1/realtime?model=rt-own'), { headers: { 'api-key': key } });
        dropped.send(TEXT_ONLY_GA);
        dropped.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one two three' }] } });
        dropped.send({ type: 'response.create' });

        expect(await dropped.waitClosed()).toEqual({ code: 1011, reason: 'upstream connection lost' });
      } finally {
        await sim.control.patchConfig({ faults: { drop_after: null } });
      }
    });
  });

  describe('the openai SDK', () => {
    // The SDK always dials wss://; the test server speaks plain ws, so the TCP socket is supplied directly.
    const plain = () => {
      const { port } = new URL(t.url);
      return { createConnection: () => connect(Number(port), '127.0.0.1') };
    };

    async function converse(rt: OpenAIRealtimeWS, deltaType: string, session: Record<string, unknown>): Promise<{ text: string; done: RealtimeServerEvent }> {
      const errors: unknown[] = [];
      rt.on('error', (err) => errors.push(err));
      await new Promise<void>((resolve, reject) => {
        rt.socket.once('open', () => resolve());
        rt.socket.once('error', reject);
      });
      let text = '';
      rt.on('event', (event) => {
        if (event.type === deltaType) text += (event as { delta: string }).delta;
      });
      const done = new Promise<RealtimeServerEvent>((resolve) => rt.on('response.done', (event) => resolve(event)));
      rt.send({ type: 'session.update', session } as never);
      rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello sdk' }] } });
      rt.send({ type: 'response.create' });
      const event = await done;
      rt.close();
      expect(errors).toEqual([]);
      return { text, done: event };
    }

    it('works with OpenAIRealtimeWS on an OpenAI client (baseURL …/v1)', async () => {
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key });
      const rt = await OpenAIRealtimeWS.create(client, { model: 'gpt-realtime', options: plain() });

      const { text, done } = await converse(rt, 'response.output_text.delta', { type: 'realtime', output_modalities: ['text'] });

      expect(text).toBe('echo: hello sdk');
      expect(done).toMatchObject({ response: { usage: { total_tokens: expect.any(Number) } } });
    });

    it('works with OpenAIRealtimeWS.azure on an AzureOpenAI client (the preview URL, key in api-key)', async () => {
      const client = new AzureOpenAI({ endpoint: t.url, apiKey: key, apiVersion: '2025-04-01-preview', deployment: 'rt-own' });
      const rt = await OpenAIRealtimeWS.azure(client, { options: plain() });

      const { text } = await converse(rt, 'response.text.delta', { modalities: ['text'] });

      expect(rt.url.pathname).toBe('/openai/realtime');
      expect(text).toBe('echo: hello sdk');
    });
  });
});
