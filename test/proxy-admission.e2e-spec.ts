import OpenAI from 'openai';
import type { EventResponse } from './support/api';
import { expectAdminError } from './support/expect-error';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, chat, expectOpenAiError, USER_HELLO } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const HOUR = 3_600_000;

describe('proxy admission', () => {
  let t: TestApp;
  let http: HttpClient;
  let event: EventResponse;
  let key: string;

  /** A live event of its own with a chat deployment and one registered attendee. */
  async function ownEvent(): Promise<{ event: EventResponse; key: string; attendeeId: string }> {
    const seeded = await seedEvent(http, {}, [builtinResource({ deploymentName: 'chat' })]);
    const reg = await registerAttendee(http, seeded.event.id);
    return { event: seeded.event, key: reg.apiKey, attendeeId: reg.attendeeId };
  }

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
    ({ event } = await seedEvent(http, { maxTokenCap: 256 }, [
      builtinResource({ deploymentName: 'chat' }),
      builtinResource({ deploymentName: 'embed', modelClass: 'openai-embeddings' }),
    ]));
    key = (await registerAttendee(http, event.id)).apiKey;
    // A deployment that exists, but on another event.
    await seedEvent(http, {}, [builtinResource({ deploymentName: 'elsewhere' })]);
  });
  afterAll(() => t.close());

  describe('keys', () => {
    it('refuses a request without a key, saying where the key goes', async () => {
      const res = await http.post('/v1/chat/completions', { model: 'chat', messages: USER_HELLO });
      const error = expectOpenAiError(res, 401, 'invalid_api_key');
      expect(error.type).toBe('authentication_error');
      expect(error.message).toMatch(/api-key.*Authorization: Bearer/);
      const azure = await http.post('/openai/deployments/chat/chat/completions?api-version=2024-10-21', { messages: USER_HELLO });
      expectOpenAiError(azure, 401, 'invalid_api_key');
    });

    it('refuses an unknown key on every route family', async () => {
      const bogus = 'aip_' + 'x'.repeat(40);
      expect(expectOpenAiError(await chat(http, bogus, { model: 'chat' }), 401, 'invalid_api_key').message).toMatch(/Invalid API key/);
      const azure = await http.post('/openai/deployments/chat/chat/completions?api-version=2024-10-21', { messages: USER_HELLO }, { headers: attendeeHeaders(bogus, 'azure') });
      expectOpenAiError(azure, 401, 'invalid_api_key');
      expectOpenAiError(await http.get('/v1/models', { headers: attendeeHeaders(bogus) }), 401, 'invalid_api_key');
    });

    it('surfaces the refusal as an AuthenticationError in the SDK', async () => {
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'not-a-key', maxRetries: 0 });
      await expect(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
        status: 401,
        code: 'invalid_api_key',
        type: 'authentication_error',
      });
    });

    it('refuses a revoked key at once, and accepts it again when restored', async () => {
      const own = await ownEvent();
      expect((await chat(http, own.key, { model: 'chat' })).status).toBe(200);
      const revoked = await http.patch(`/api/v1/admin/events/${own.event.id}/attendees/${own.attendeeId}`, { active: false });
      expect(revoked.status).toBe(200);
      const error = expectOpenAiError(await chat(http, own.key, { model: 'chat' }), 401, 'key_revoked');
      expect(error.message).toMatch(/revoked/);
      // The attendee page is not an OpenAI route: it answers in the admin shape.
      expectAdminError(await http.get('/api/v1/eventinfo', { headers: attendeeHeaders(own.key) }), 401, 'key_revoked');
      await http.patch(`/api/v1/admin/events/${own.event.id}/attendees/${own.attendeeId}`, { active: true });
      expect((await chat(http, own.key, { model: 'chat' })).status).toBe(200);
    });

    it('refuses the old key after rotation and accepts the new one', async () => {
      const own = await ownEvent();
      const rotated = await http.post<{ apiKey: string }>(`/api/v1/admin/events/${own.event.id}/attendees/${own.attendeeId}/rotate`);
      expect(rotated.status).toBe(201);
      expectOpenAiError(await chat(http, own.key, { model: 'chat' }), 401, 'invalid_api_key');
      expect((await chat(http, rotated.body.apiKey, { model: 'chat' })).status).toBe(200);
    });
  });

  describe('event state', () => {
    it('refuses keys of an inactive event', async () => {
      const own = await ownEvent();
      expect((await http.patch(`/api/v1/admin/events/${own.event.id}`, { active: false })).status).toBe(200);
      const error = expectOpenAiError(await chat(http, own.key, { model: 'chat' }), 401, 'event_inactive');
      expect(error.message).toContain(own.event.name);
    });

    it('refuses keys before the event starts, naming the start', async () => {
      const own = await ownEvent();
      const startsAt = new Date(Date.now() + 2 * HOUR).toISOString();
      const endsAt = new Date(Date.now() + 5 * HOUR).toISOString();
      expect((await http.patch(`/api/v1/admin/events/${own.event.id}`, { startsAt, endsAt })).status).toBe(200);
      const error = expectOpenAiError(await chat(http, own.key, { model: 'chat' }), 401, 'event_not_started');
      expect(error.message).toContain(startsAt);
      // The attendee page still works outside the window.
      expect((await http.get('/api/v1/eventinfo', { headers: attendeeHeaders(own.key) })).status).toBe(200);
    });

    it('refuses keys after the event ended, naming the end', async () => {
      const own = await ownEvent();
      const startsAt = new Date(Date.now() - 5 * HOUR).toISOString();
      const endsAt = new Date(Date.now() - HOUR).toISOString();
      expect((await http.patch(`/api/v1/admin/events/${own.event.id}`, { startsAt, endsAt })).status).toBe(200);
      const error = expectOpenAiError(await chat(http, own.key, { model: 'chat' }), 401, 'event_ended');
      expect(error.message).toContain(`This event ended at ${endsAt}`);
    });
  });

  describe('deployments', () => {
    it('answers 404 DeploymentNotFound for a deployment not attached to the event, listing the available ones', async () => {
      for (const model of ['elsewhere', 'gpt-unknown']) {
        const error = expectOpenAiError(await chat(http, key, { model }), 404, 'DeploymentNotFound');
        expect(error).toEqual(expect.objectContaining({ type: 'not_found_error', param: 'model' }));
        expect(error.message).toContain(`'${model}'`);
        expect(error.message).toContain('chat, embed');
      }
      const azure = await http.post('/openai/deployments/elsewhere/chat/completions?api-version=2024-10-21', { messages: USER_HELLO }, { headers: attendeeHeaders(key, 'azure') });
      expectOpenAiError(azure, 404, 'DeploymentNotFound');
    });

    it('answers 400 deployment_class_mismatch for a deployment of the wrong class', async () => {
      const error = expectOpenAiError(await chat(http, key, { model: 'embed' }), 400, 'deployment_class_mismatch');
      expect(error.message).toMatch(/'embed' is a openai-embeddings deployment/);
      const azure = await http.post('/openai/deployments/chat/embeddings?api-version=2024-10-21', { input: 'hi' }, { headers: attendeeHeaders(key, 'azure') });
      expectOpenAiError(azure, 400, 'deployment_class_mismatch');
    });

    it('requires a model on the /v1 routes', async () => {
      const error = expectOpenAiError(await chat(http, key, {}), 400, 'model_required');
      expect(error.param).toBe('model');
      expectOpenAiError(await chat(http, key, { model: '  ' }), 400, 'model_required');
      const embeddings = await http.post('/openai/v1/embeddings', { input: 'hi' }, { headers: attendeeHeaders(key, 'azure') });
      expectOpenAiError(embeddings, 400, 'model_required');
    });

    it('refuses a body that is not a JSON object', async () => {
      expectOpenAiError(await http.post('/v1/chat/completions', [1, 2], { headers: attendeeHeaders(key) }), 400, 'validation_failed');
      expectOpenAiError(await http.post('/v1/chat/completions', '{"model":', { headers: attendeeHeaders(key) }), 400, 'invalid_json');
    });
  });

  describe('catalog changes', () => {
    it('applies a detach, a deactivated resource and a new cap to the very next request', async () => {
      const seeded = await seedEvent(http, { maxTokenCap: 100 }, [builtinResource({ deploymentName: 'chat' }), builtinResource({ deploymentName: 'second' })]);
      const own = (await registerAttendee(http, seeded.event.id)).apiKey;
      const [chatResource, secondResource] = seeded.resources;
      expect((await chat(http, own, { model: 'second', max_tokens: 100 })).status).toBe(200);

      expect((await http.delete(`/api/v1/admin/events/${seeded.event.id}/resources/${secondResource.id}`)).status).toBe(204);
      expectOpenAiError(await chat(http, own, { model: 'second' }), 404, 'DeploymentNotFound');

      expect((await http.patch(`/api/v1/admin/resources/${chatResource.id}`, { active: false })).status).toBe(200);
      expectOpenAiError(await chat(http, own, { model: 'chat' }), 404, 'DeploymentNotFound');
      const models = await http.get<{ data: unknown[] }>('/v1/models', { headers: attendeeHeaders(own) });
      expect(models.body.data).toEqual([]);
      expect((await http.patch(`/api/v1/admin/resources/${chatResource.id}`, { active: true })).status).toBe(200);
      expect((await chat(http, own, { model: 'chat', max_tokens: 100 })).status).toBe(200);

      expect((await http.patch(`/api/v1/admin/events/${seeded.event.id}`, { maxTokenCap: 50 })).status).toBe(200);
      expect(expectOpenAiError(await chat(http, own, { model: 'chat', max_tokens: 100 }), 400, 'max_tokens_exceeds_cap').message).toContain('50');
    });

    it('ignores an alias whose target is not attached', async () => {
      const seeded = await seedEvent(http, { modelAliases: { 'gpt-4o': 'chat', ghost: 'not-attached' } }, [builtinResource({ deploymentName: 'chat' })]);
      const own = (await registerAttendee(http, seeded.event.id)).apiKey;
      expect((await chat(http, own, { model: 'gpt-4o' })).status).toBe(200);
      expectOpenAiError(await chat(http, own, { model: 'ghost' }), 404, 'DeploymentNotFound');
      const models = await http.get<{ data: { id: string }[] }>('/v1/models', { headers: attendeeHeaders(own) });
      expect(models.body.data.map((m) => m.id).sort()).toEqual(['chat', 'gpt-4o']);
      expectOpenAiError(await http.get('/v1/models/ghost', { headers: attendeeHeaders(own) }), 404, 'DeploymentNotFound');
    });
  });

  describe('token cap', () => {
    it('refuses max_tokens or max_completion_tokens above the event cap, naming the cap', async () => {
      const error = expectOpenAiError(await chat(http, key, { model: 'chat', max_tokens: 257 }), 400, 'max_tokens_exceeds_cap');
      expect(error.param).toBe('max_tokens');
      expect(error.message).toMatch(/^max_tokens exceeds the event max token cap of 256 /);
      const completion = expectOpenAiError(await chat(http, key, { model: 'chat', max_completion_tokens: 10_000 }), 400, 'max_tokens_exceeds_cap');
      expect(completion.param).toBe('max_completion_tokens');
      expect(completion.message).toContain('256');
      expect((await chat(http, key, { model: 'chat', max_tokens: 256 })).status).toBe(200);
    });

    it('refuses a malformed max_tokens', async () => {
      for (const max_tokens of [0, -1, 1.5, '12']) {
        expect(expectOpenAiError(await chat(http, key, { model: 'chat', max_tokens }), 400, 'validation_failed').param).toBe('max_tokens');
      }
    });
  });
});
