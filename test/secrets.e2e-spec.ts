import { randomBytes } from 'node:crypto';
import { startSimulator } from '../src/simulator/simulator.app';
import type { ResourceResponse } from './support/api';
import { expectAdminError } from './support/expect-error';
import { newResource, registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';

/** Random, so any 8-character slice of it turning up somewhere is a leak, not a coincidence. */
const secret = () => `sk-${randomBytes(24).toString('base64url')}`;

/** Every 8-character slice of the secret: a quoted fragment (e.g. in a JSON parse error) is a leak too. */
function fragmentsOf(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= value.length; i++) out.push(value.slice(i, i + 8));
  return out;
}

function expectNoTrace(text: string, secrets: string[], where: string): void {
  const found = secrets.flatMap(fragmentsOf).filter((f) => text.includes(f));
  expect({ where, found }).toEqual({ where, found: [] });
}

function wholeResponse(res: HttpResult): string {
  return [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\n' + res.text;
}

describe('Secrets never leave the server', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('keeps upstream keys out of every admin response and every log line', async () => {
    // Created, patched in, second resource, sent with invalid fields, sent in broken JSON.
    const keys = [secret(), secret(), secret(), secret(), secret()];
    const responses: HttpResult[] = [];
    const call = async <T>(promise: Promise<HttpResult<T>>): Promise<HttpResult<T>> => {
      const res = await promise;
      responses.push(res);
      return res;
    };

    const { event } = await seedEvent(http);
    const a = await call(http.post<ResourceResponse>('/api/v1/admin/resources', newResource({ apiKey: keys[0], deploymentName: 'chat' })));
    const b = await call(http.post<ResourceResponse>('/api/v1/admin/resources', newResource({ apiKey: keys[2], deploymentName: 'embed', modelClass: 'openai-embeddings' })));
    expect([a.status, b.status]).toEqual([201, 201]);
    await call(http.get(`/api/v1/admin/resources/${a.body.id}`));
    await call(http.get('/api/v1/admin/resources'));
    await call(http.patch(`/api/v1/admin/resources/${a.body.id}`, { name: 'Renamed' }));
    await call(http.patch(`/api/v1/admin/resources/${a.body.id}`, { apiKey: keys[1] }));
    await call(http.put(`/api/v1/admin/events/${event.id}/resources/${a.body.id}`));
    await call(http.put(`/api/v1/admin/events/${event.id}/resources/${b.body.id}`));
    await call(http.get(`/api/v1/admin/events/${event.id}/resources`));
    await call(http.get(`/api/v1/admin/events/${event.id}`));
    await call(http.get('/api/v1/admin/events'));
    await call(http.patch(`/api/v1/admin/events/${event.id}`, { description: 'still secret-free' }));
    const { apiKey } = await registerAttendee(http, event.id);
    await call(http.get('/api/v1/eventinfo', { headers: { 'api-key': apiKey } }));
    await call(http.get('/docs/json'));
    // Bad input carrying a key: neither the validation message nor the JSON parser may quote it back.
    expectAdminError(await call(http.post('/api/v1/admin/resources', newResource({ apiKey: keys[3], modelClass: 'nope' }))), 400, 'validation_failed');
    expectAdminError(await call(http.patch(`/api/v1/admin/resources/${b.body.id}`, { apiKey: keys[3], weight: -1 })), 400, 'validation_failed');
    expectAdminError(await call(http.post('/api/v1/admin/resources', `{"name": "x", "apiKey": ${keys[4]} }`)), 400, 'invalid_json');
    expectAdminError(await call(http.post('/api/v1/admin/resources', `{"apiKey": "${keys[4]}", }`)), 400, 'invalid_json');

    expect(responses.length).toBeGreaterThan(15);
    for (const res of responses) expectNoTrace(wholeResponse(res), keys, `${res.status} ${res.text.slice(0, 80)}`);
    expect(t.logs.length).toBeGreaterThan(0);
    expectNoTrace(t.logs.join('\n'), keys, 'logs');
  });

  it('keeps upstream keys out of proxied answers and logs, whether the upstream accepts them or not', async () => {
    const [right, wrong] = [secret(), secret()];
    const sim = await startSimulator({ apiKey: right, port: 0 });
    try {
      const { event } = await seedEvent(http, {}, [
        { deploymentName: 'good-openai', upstream: 'openai', endpointUrl: sim.url, apiKey: right },
        { deploymentName: 'good-azure', upstream: 'azure', endpointUrl: sim.url, apiKey: right },
        // Real upstreams quote a masked key in their 401 (OpenAI: "Incorrect API key provided: sk-ab***WXYZ").
        { deploymentName: 'bad-openai', upstream: 'openai', endpointUrl: sim.url, apiKey: wrong },
        { deploymentName: 'bad-azure', upstream: 'azure', endpointUrl: sim.url, apiKey: wrong },
      ]);
      const { apiKey } = await registerAttendee(http, event.id);
      const headers = { authorization: `Bearer ${apiKey}` };
      const messages = [{ role: 'user', content: 'hello' }];

      const answers = [
        await http.post('/v1/chat/completions', { model: 'good-openai', messages }, { headers }),
        await http.post('/v1/chat/completions', { model: 'good-azure', messages, stream: true }, { headers }),
        await http.post('/v1/chat/completions', { model: 'bad-openai', messages }, { headers }),
        await http.post('/openai/deployments/bad-azure/chat/completions?api-version=2024-10-21', { messages }, { headers: { 'api-key': apiKey } }),
        await http.get('/v1/models', { headers }),
      ];

      expect(answers.map((a) => a.status < 400)).toEqual([true, true, false, false, true]);
      for (const res of answers) {
        expectNoTrace(wholeResponse(res), [right, wrong], `${res.status} ${res.text.slice(0, 80)}`);
        expect(res.text).not.toContain(wrong.slice(-4));
      }
      expectNoTrace(t.logs.join('\n'), [right, wrong], 'logs');
    } finally {
      await sim.close();
    }
  });

  it('keeps attendee keys and the admin token out of the logs, in headers or query strings', async () => {
    const { event } = await seedEvent(http);
    const { attendeeId, apiKey } = await registerAttendee(http, event.id);
    const rotated = await http.post<{ apiKey: string }>(`/api/v1/admin/events/${event.id}/attendees/${attendeeId}/rotate`);
    const keys = [apiKey, rotated.body.apiKey];

    await http.get('/api/v1/eventinfo', { headers: { 'api-key': rotated.body.apiKey } });
    await http.get('/api/v1/eventinfo', { headers: { authorization: `Bearer ${rotated.body.apiKey}` } });
    await http.get('/api/v1/eventinfo', { headers: { 'api-key': apiKey } });
    await http.get('/api/v1/eventinfo', { headers: { 'x-api-key': apiKey } });
    await http.get(`/api/v1/eventinfo?api-key=${encodeURIComponent(apiKey)}`);
    await http.get(`/api/v1/eventinfo?api_key=${encodeURIComponent(apiKey)}&x=1`);
    await http.get(`/api/v1/eventinfo?key=${encodeURIComponent(rotated.body.apiKey)}`);
    await http.get(`/api/v1/admin/events?api-key=${encodeURIComponent(ADMIN_TOKEN)}`);
    await http.get(`/api/v1/admin/events?token=${encodeURIComponent(ADMIN_TOKEN)}`, { admin: false });
    await http.get(`/api/v1/admin/events/${event.id}/attendees`);
    await http.get('/api/v1/admin/events', { headers: { authorization: `Bearer ${ADMIN_TOKEN}-wrong` } });

    const logs = t.logs.join('\n');
    // The request lines were written (so the check below looks at something), with the query redacted.
    expect(logs).toContain('/api/v1/eventinfo?api-key=[REDACTED]');
    expect(logs).toContain('/api/v1/admin/events?token=[REDACTED]');
    expectNoTrace(logs, [...keys, ADMIN_TOKEN], 'logs');
  });
});
