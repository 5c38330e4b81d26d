import { randomUUID } from 'node:crypto';
import type { Page, ResourceResponse } from './support/api';
import { expectAdminError, expectFieldError } from './support/expect-error';
import { newResource, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

describe('Resources API', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  async function listResources(): Promise<ResourceResponse[]> {
    const list = await http.get<Page<ResourceResponse>>('/api/v1/admin/resources');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(list.body.items.length);
    return list.body.items;
  }

  async function getResource(id: string): Promise<ResourceResponse> {
    const res = await http.get<ResourceResponse>(`/api/v1/admin/resources/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function createResource(overrides: Record<string, unknown> = {}): Promise<ResourceResponse> {
    const res = await http.post<ResourceResponse>('/api/v1/admin/resources', newResource(overrides));
    expect(res.status).toBe(201);
    return res.body;
  }

  it('creates, reads, lists, updates and deletes a resource', async () => {
    const body = newResource({
      name: 'EU chat',
      deploymentName: 'gpt-4o-eu',
      endpointUrl: 'https://eu-resource.openai.azure.com/',
      apiKey: 'azure-key-0000-WXYZ',
      apiVersion: '2024-10-21',
      priority: 1,
      weight: 3,
      tokensPerMinute: 30000,
      requestsPerMinute: 180,
    });

    const created = await http.post<ResourceResponse>('/api/v1/admin/resources', body);

    expect(created.status).toBe(201);
    const expected = {
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'EU chat',
      deploymentName: 'gpt-4o-eu',
      modelClass: 'openai-chat',
      upstream: 'azure',
      endpointUrl: 'https://eu-resource.openai.azure.com',
      hasApiKey: true,
      apiKeyHint: '…WXYZ',
      apiVersion: '2024-10-21',
      modelName: null,
      priority: 1,
      weight: 3,
      tokensPerMinute: 30000,
      requestsPerMinute: 180,
      active: true,
    };
    expect(created.body).toMatchObject(expected);
    expect(created.body).not.toHaveProperty('apiKey');
    const id = created.body.id;
    expect(await getResource(id)).toMatchObject(expected);
    expect((await listResources()).map((r) => r.id)).toContain(id);

    const patched = await http.patch<ResourceResponse>(`/api/v1/admin/resources/${id}`, { weight: 5, active: false, apiVersion: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ weight: 5, active: false, apiVersion: null, hasApiKey: true, apiKeyHint: '…WXYZ' });
    expect(await getResource(id)).toMatchObject({ weight: 5, active: false, apiVersion: null });

    expect((await http.delete(`/api/v1/admin/resources/${id}`)).status).toBe(204);
    expectAdminError(await http.get(`/api/v1/admin/resources/${id}`), 404, 'resource_not_found');
    expect((await listResources()).map((r) => r.id)).not.toContain(id);
  });

  it('creates a simulator resource without an endpoint or key', async () => {
    const created = await createResource({ upstream: 'simulator', endpointUrl: undefined, apiKey: undefined });

    expect(created).toMatchObject({ upstream: 'simulator', endpointUrl: '', hasApiKey: false, apiKeyHint: null });
  });

  describe('the upstream key', () => {
    it('is write-only: every read shows only hasApiKey and the last four characters', async () => {
      const apiKey = `sk-write-only-${randomUUID()}-TAIL`;
      const { id } = await createResource({ apiKey });

      const reads = [await http.get(`/api/v1/admin/resources/${id}`), await http.get('/api/v1/admin/resources')];

      for (const read of reads) {
        expect(read.status).toBe(200);
        expect(read.text).not.toContain(apiKey);
        expect(read.text).not.toContain('"apiKey"');
      }
      expect(await getResource(id)).toMatchObject({ hasApiKey: true, apiKeyHint: '…TAIL' });
    });

    it('is replaced by a PATCH with a new key', async () => {
      const { id } = await createResource({ apiKey: 'first-key-AAAA' });

      const patched = await http.patch<ResourceResponse>(`/api/v1/admin/resources/${id}`, { apiKey: 'second-key-BBBB' });

      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ hasApiKey: true, apiKeyHint: '…BBBB' });
      expect(await getResource(id)).toMatchObject({ hasApiKey: true, apiKeyHint: '…BBBB' });
    });

    it('is kept by a PATCH that does not mention it', async () => {
      const { id } = await createResource({ apiKey: 'kept-key-KEEP' });

      expect((await http.patch(`/api/v1/admin/resources/${id}`, { name: 'Renamed' })).status).toBe(200);

      expect(await getResource(id)).toMatchObject({ name: 'Renamed', hasApiKey: true, apiKeyHint: '…KEEP' });
    });

    it('is removed by a PATCH with apiKey null', async () => {
      const { id } = await createResource({ apiKey: 'doomed-key-DOOM' });

      const patched = await http.patch<ResourceResponse>(`/api/v1/admin/resources/${id}`, { apiKey: null });

      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ hasApiKey: false, apiKeyHint: null });
      expect(await getResource(id)).toMatchObject({ hasApiKey: false, apiKeyHint: null });
    });

    it('gives no hint for a key of four characters or fewer', async () => {
      const created = await createResource({ apiKey: 'abcd' });

      expect(created).toMatchObject({ hasApiKey: true, apiKeyHint: null });
    });
  });

  describe('validation', () => {
    it.each([
      ['an azure resource without an endpoint', { endpointUrl: undefined }, 'endpointUrl'],
      ['an openai resource without an endpoint', { upstream: 'openai', endpointUrl: undefined }, 'endpointUrl'],
      ['a non-http endpoint', { endpointUrl: 'ftp://example.com' }, 'endpointUrl'],
      ['an unknown model class', { modelClass: 'gpt-5-turbo' }, 'modelClass'],
      ['an unknown upstream', { upstream: 'bedrock' }, 'upstream'],
      ['a deployment name with a slash', { deploymentName: 'gpt/4o' }, 'deploymentName'],
      ['an unknown field', { region: 'westeurope' }, 'region'],
      ['a string priority', { priority: 'high' }, 'priority'],
      ['a zero weight', { weight: 0 }, 'weight'],
      ['an empty key', { apiKey: '' }, 'apiKey'],
      ['a numeric key', { apiKey: 12345 }, 'apiKey'],
      ['a missing name', { name: undefined }, 'name'],
    ])('rejects %s on create and creates nothing', async (_what, overrides, field) => {
      const before = await listResources();

      const res = await http.post('/api/v1/admin/resources', newResource(overrides));

      expectFieldError(res, field);
      expect(await listResources()).toEqual(before);
    });

    const simulator = { upstream: 'simulator', endpointUrl: undefined };
    it.each([
      ['an unknown field', {}, { id: randomUUID() }, 'id'],
      ['a wrong type', {}, { active: 'no' }, 'active'],
      ['an empty endpoint on an azure resource', {}, { endpointUrl: '' }, 'endpointUrl'],
      ['a switch from the simulator to openai without an endpoint', simulator, { upstream: 'openai' }, 'endpointUrl'],
    ])('rejects a PATCH with %s and changes nothing', async (_what, start, body, field) => {
      const resource = await createResource(start);

      const res = await http.patch(`/api/v1/admin/resources/${resource.id}`, body);

      expectFieldError(res, field);
      expect(await getResource(resource.id)).toEqual(resource);
    });
  });

  describe('unknown ids', () => {
    it.each([
      ['an unknown uuid', randomUUID()],
      ['a malformed id', 'not-a-uuid'],
    ])('answers 404 for GET, PATCH and DELETE of %s and changes nothing', async (_what, id) => {
      await createResource();
      const before = await listResources();

      expectAdminError(await http.get(`/api/v1/admin/resources/${id}`), 404, 'resource_not_found');
      expectAdminError(await http.patch(`/api/v1/admin/resources/${id}`, { name: 'x' }), 404, 'resource_not_found');
      expectAdminError(await http.delete(`/api/v1/admin/resources/${id}`), 404, 'resource_not_found');

      expect(await listResources()).toEqual(before);
    });
  });

  it('detaches a deleted resource from every event', async () => {
    const { event, resources } = await seedEvent(http, {}, [{ deploymentName: 'short-lived' }, { deploymentName: 'stays' }]);

    expect((await http.delete(`/api/v1/admin/resources/${resources[0].id}`)).status).toBe(204);

    const attached = await http.get<ResourceResponse[]>(`/api/v1/admin/events/${event.id}/resources`);
    expect(attached.body.map((r) => r.deploymentName)).toEqual(['stays']);
  });

  it('rejects every resources route without the admin token and changes nothing', async () => {
    const resource = await createResource();
    const before = await listResources();
    const noToken = { admin: false };

    expectAdminError(await http.get('/api/v1/admin/resources', noToken), 401, 'unauthorized');
    expectAdminError(await http.post('/api/v1/admin/resources', newResource(), noToken), 401, 'unauthorized');
    expectAdminError(await http.get(`/api/v1/admin/resources/${resource.id}`, noToken), 401, 'unauthorized');
    expectAdminError(await http.patch(`/api/v1/admin/resources/${resource.id}`, { apiKey: null }, noToken), 401, 'unauthorized');
    expectAdminError(await http.delete(`/api/v1/admin/resources/${resource.id}`, noToken), 401, 'unauthorized');

    expect(await listResources()).toEqual(before);
  });
});
