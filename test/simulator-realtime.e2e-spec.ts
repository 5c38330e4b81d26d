import { type RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import { RealtimeClient, TEXT_ONLY_BETA, TEXT_ONLY_GA, wsUrl } from './support/realtime';

/** The simulator's realtime endpoint over real WebSockets: URLs, auth, protocol flavours, faults. */
describe('Simulator realtime endpoint', () => {
  const apiKey = 'sim-rt-key';
  let sim: RunningSimulator;
  const url = (path: string) => wsUrl(sim.url, path);
  const azure = { headers: { 'api-key': apiKey } };
  const bearer = { headers: { authorization: `Bearer ${apiKey}` } };

  beforeAll(async () => {
    sim = await startSimulator({ apiKey, port: 0, deployments: { 'gpt-realtime': { model: 'gpt-realtime-2025-08-28' } } });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.control.reset());

  it('runs a GA session on /openai/v1/realtime: session.created, update, a text response with usage', async () => {
    const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=gpt-realtime'), azure);

    const created = await client.next('session.created');
    client.send(TEXT_ONLY_GA);
    await client.next('session.updated');
    const done = await client.ask('hello there', 1);
    client.close();

    expect(created).toMatchObject({ session: { type: 'realtime', model: 'gpt-realtime-2025-08-28' } });
    expect(client.ofType<{ delta: string }>('response.output_text.delta').map((e) => e.delta).join('')).toBe('echo: hello there');
    expect(done.response).toMatchObject({ status: 'completed', usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8 } });
    await expect(client.waitClosed()).resolves.toMatchObject({ code: 1000 });
  });

  it('speaks beta on the preview URL and with OpenAI-Beta: realtime=v1', async () => {
    const preview = await RealtimeClient.connect(url('/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime'), azure);
    const openAiBeta = await RealtimeClient.connect(url('/v1/realtime?model=gpt-realtime'), { headers: { ...bearer.headers, 'OpenAI-Beta': 'realtime=v1' } });

    for (const client of [preview, openAiBeta]) {
      client.send(TEXT_ONLY_BETA);
      await client.ask('hi', 1);
      client.close();
      expect(client.types()).toContain('response.text.delta');
      expect(client.types()).not.toContain('response.output_text.delta');
    }
  });

  it('takes the key as ?api-key= on Azure and as the insecure subprotocol on OpenAI, echoing realtime', async () => {
    const query = await RealtimeClient.connect(url(`/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-realtime&api-key=${apiKey}`));
    const protocol = await RealtimeClient.connect(url('/v1/realtime?model=gpt-realtime'), { protocols: ['realtime', `openai-insecure-api-key.${apiKey}`] });

    await query.next('session.created');
    await protocol.next('session.created');
    query.close();
    protocol.close();

    expect(protocol.protocol).toBe('realtime');
    const logged = await sim.control.requests();
    expect(JSON.stringify(logged)).not.toContain(apiKey);
    expect(logged.map((r) => r.path)).toEqual(['/openai/realtime', '/v1/realtime']);
  });

  it.each([
    ['a wrong Azure key', '/openai/v1/realtime?model=gpt-realtime', { headers: { 'api-key': 'wrong' } }, 401, '"code":"401"'],
    ['an api-version on the GA URL', '/openai/v1/realtime?model=gpt-realtime&api-version=2025-04-01-preview', { headers: { 'api-key': apiKey } }, 401, '"code":"401"'],
    ['the preview URL without api-version', '/openai/realtime?deployment=gpt-realtime', { headers: { 'api-key': apiKey } }, 404, 'Resource not found'],
    ['no model', '/openai/v1/realtime', { headers: { 'api-key': apiKey } }, 400, 'missing_required_parameter'],
    ['the api-key header on OpenAI', '/v1/realtime?model=gpt-realtime', { headers: { 'api-key': apiKey } }, 401, 'invalid_api_key'],
    ['an unknown path', '/v1/realtimex', { headers: { 'api-key': apiKey } }, 404, 'Resource not found'],
  ])('refuses %s before upgrading', async (_name, path, options, status, body) => {
    const refused = await RealtimeClient.refusal(url(path), options);

    expect(refused.status).toBe(status);
    expect(refused.body).toContain(body);
  });

  it('refuses unknown deployments when undefined deployments are not allowed', async () => {
    await sim.control.patchConfig({ allowUndefinedDeployments: false });
    try {
      const refused = await RealtimeClient.refusal(url('/openai/v1/realtime?model=nope'), azure);
      expect(refused).toMatchObject({ status: 404, body: expect.stringContaining('DeploymentNotFound') });
    } finally {
      await sim.control.patchConfig({ allowUndefinedDeployments: true });
    }
  });

  it('fails handshakes per fail_next, then upgrades', async () => {
    const failing = { headers: { ...azure.headers, 'x-mock-fail-next': '503' } };

    const refused = await RealtimeClient.refusal(url('/openai/v1/realtime?model=gpt-realtime'), failing);
    const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=gpt-realtime'), failing);
    await client.next('session.created');
    client.close();

    expect(refused.status).toBe(503);
  });

  it('answers bad events with error events and keeps the socket open', async () => {
    const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=gpt-realtime'), azure);

    client.send({ type: 'session.update', event_id: 'mine', session: { instructions: 'no type' } });
    client.socket.send('not json');
    const first = await client.next<{ error: Record<string, unknown> }>('error', 1);
    const second = await client.next<{ error: Record<string, unknown> }>('error', 2);
    client.send(TEXT_ONLY_GA);
    await client.next('session.updated');
    client.close();

    expect(first.error).toMatchObject({ param: 'session.type', event_id: 'mine' });
    expect(second.error).toMatchObject({ code: 'invalid_json' });
  });

  it('drops the socket mid-response with drop_after', async () => {
    const client = await RealtimeClient.connect(url('/openai/v1/realtime?model=gpt-realtime'), { headers: { ...azure.headers, 'x-mock-drop-after': '1' } });
    client.send(TEXT_ONLY_GA);
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one two three' }] } });
    client.send({ type: 'response.create' });

    const closed = await client.waitClosed();

    expect(closed.code).toBe(1006);
    expect(client.ofType('response.output_text.delta')).toHaveLength(1);
  });

  it('closes open sessions when the simulator stops', async () => {
    const own = await startSimulator({ apiKey, port: 0 });
    const client = await RealtimeClient.connect(wsUrl(own.url, '/openai/v1/realtime?model=x'), azure);
    await client.next('session.created');

    await own.close();

    await expect(client.waitClosed()).resolves.toMatchObject({ code: 1006 });
  });
});
