import { AzureKeyCredential, SearchClient } from '@azure/search-documents';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource, expectOpenAiError, upstreamRequests } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import { usageRecords } from './support/usage-records';

const SEARCH_KEY = 'search-upstream-admin-key-3c1f';
const API_VERSION = '2024-07-01';

interface Hotel {
  hotelId: string;
  name: string;
  description: string;
  rating: number;
}

const HOTELS: Hotel[] = [
  { hotelId: '1', name: 'Harbour View', description: 'A quiet hotel by the sea', rating: 4 },
  { hotelId: '2', name: 'Nice Hotel', description: 'The cheapest nice hotel in town', rating: 3 },
  { hotelId: '3', name: 'Mountain Lodge', description: 'Cabins and a sauna', rating: 5 },
];

function searchSimulator(extra: Parameters<typeof startSimulator>[0] = {}): Promise<RunningSimulator> {
  return startSimulator({ apiKey: 'model-key-unused', search: { apiKey: SEARCH_KEY, serviceName: 'sim-search', indexes: { hotels: { documents: HOTELS.map((h) => ({ ...h })) } } }, ...extra });
}

/** SearchClient pointed at the proxy; loopback is plain HTTP, which the SDK refuses unless told. */
function searchClient(endpoint: string, index: string, key: string): SearchClient<Hotel> {
  return new SearchClient<Hotel>(endpoint, index, new AzureKeyCredential(key), { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
}

function searchResource(sim: RunningSimulator, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Hotels index', deploymentName: 'hotels', modelClass: 'azure-ai-search', upstream: 'azure', endpointUrl: sim.url, apiKey: SEARCH_KEY, ...overrides };
}

describe('proxy: Azure AI Search passthrough', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;
  let event: EventResponse;
  let key: string;

  beforeAll(async () => {
    sim = await searchSimulator();
    t = await startTestApp();
    http = httpClient(t.url);
    ({ event } = await seedEvent(http, { modelAliases: { 'hotels-alias': 'hotels' } }, [
      searchResource(sim),
      searchResource(sim, { name: 'Missing upstream index', deploymentName: 'ghosts' }),
      builtinResource({ deploymentName: 'chat' }),
    ]));
    key = (await registerAttendee(http, event.id)).apiKey;
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });
  beforeEach(() => sim.control.reset());

  describe('with SearchClient', () => {
    it('searches through the proxy with the attendee key, which the upstream never sees', async () => {
      const client = searchClient(t.url, 'hotels', key);
      const found = await client.search('nice hotel', { top: 2, includeTotalCount: true, select: ['hotelId', 'name'] });
      const results = [];
      for await (const result of found.results) results.push(result);
      expect(found.count).toBe(3);
      expect(results.map((r) => r.document)).toEqual([
        { hotelId: '2', name: 'Nice Hotel' },
        { hotelId: '1', name: 'Harbour View' },
      ]);
      expect(results[0].score).toBeGreaterThan(results[1].score);

      const [sent] = await upstreamRequests(sim, '/docs/search');
      expect(sent.method).toBe('POST');
      expect(sent.path).toBe('/indexes/hotels/docs/search');
      expect(sent.query['api-version']).toBe('2025-09-01');
      expect(sent.body).toEqual(expect.objectContaining({ search: 'nice hotel', top: 2, count: true, select: 'hotelId,name' }));
      expect(JSON.stringify(sent)).not.toContain(key);
    });

    it('works under /api/v1 and through an alias', async () => {
      const client = searchClient(`${t.url}/api/v1`, 'hotels-alias', key);
      const results = [];
      for await (const result of (await client.search('sauna', { top: 1 })).results) results.push(result.document.name);
      expect(results).toEqual(['Mountain Lodge']);
      expect((await upstreamRequests(sim, '/docs/search'))[0].path).toBe('/indexes/hotels/docs/search');
    });

    it('refuses writes with 403 and an unknown index with 404', async () => {
      const client = searchClient(t.url, 'hotels', key);
      await expect(client.uploadDocuments([{ hotelId: '9', name: 'x', description: 'y', rating: 1 }])).rejects.toMatchObject({ statusCode: 403 });
      await expect(client.getDocumentsCount()).rejects.toMatchObject({ statusCode: 403 });
      const unknown = searchClient(t.url, 'nope', key);
      await expect(unknown.search('x').then((r) => r.results.next())).rejects.toMatchObject({ statusCode: 404 });
      expect(await upstreamRequests(sim, '/indexes')).toEqual([]);
    });
  });

  describe('raw HTTP', () => {
    const headers = () => attendeeHeaders(key, 'azure');

    it('serves POST docs/search, GET docs with query parameters, and a Bearer key', async () => {
      const post = await http.post<{ value: Hotel[] }>(`/indexes/hotels/docs/search?api-version=${API_VERSION}`, { search: 'sea', top: 1 }, { headers: headers() });
      expect(post.status).toBe(200);
      expect(post.body.value.map((h) => h.name)).toEqual(['Harbour View']);
      expect(post.headers.get('content-type')).toMatch(/^application\/json/);

      const get = await http.get<{ value: Hotel[]; '@odata.count': number }>(`/indexes/hotels/docs?search=sauna&$top=1&$count=true&api-version=${API_VERSION}`, {
        headers: attendeeHeaders(key, 'openai'),
      });
      expect(get.status).toBe(200);
      expect(get.body.value.map((h) => h.name)).toEqual(['Mountain Lodge']);
      expect(get.body['@odata.count']).toBe(3);
      const [sent] = await upstreamRequests(sim, '/indexes/hotels/docs');
      expect(sent).toEqual(expect.objectContaining({ method: 'GET', query: { search: 'sauna', $top: '1', $count: 'true', 'api-version': API_VERSION } }));
      expect(sent.headers).not.toHaveProperty('authorization');
    });

    it('serves the OData form and defaults the api-version', async () => {
      const res = await http.post<{ value: Hotel[] }>(`/indexes('hotels')/docs/search.post.search`, { search: '*', top: 3 }, { headers: headers() });
      expect(res.status).toBe(200);
      expect(res.body.value).toHaveLength(3);
      expect((await upstreamRequests(sim, '/docs/search'))[0].query['api-version']).toBe(API_VERSION);
    });

    it.each([
      ['POST', '/indexes/hotels/docs/index'],
      ['POST', "/indexes('hotels')/docs/search.index"],
      ['POST', '/indexes/hotels/docs'],
      ['PUT', '/indexes/hotels'],
      ['DELETE', '/indexes/hotels'],
      ['GET', '/indexes'],
      ['POST', '/indexes'],
      ['GET', "/indexes('hotels')/docs('1')"],
      ['DELETE', '/api/v1/indexes/hotels'],
    ])('refuses %s %s with 403 in the error shape, before any upstream call', async (method, path) => {
      const res = await http.request(method, `${path}?api-version=${API_VERSION}`, { headers: headers(), body: method === 'GET' || method === 'DELETE' ? undefined : { value: [] } });
      const error = expectOpenAiError(res, 403, 'forbidden');
      expect(error.message).toMatch(/read-only/);
      expect(await upstreamRequests(sim, '/indexes')).toEqual([]);
    });

    it('asks for a key before saying anything else', async () => {
      expectOpenAiError(await http.post(`/indexes/hotels/docs/search?api-version=${API_VERSION}`, { search: '*' }), 401, 'invalid_api_key');
      expectOpenAiError(await http.delete('/indexes/hotels'), 401, 'invalid_api_key');
    });

    it('answers an unknown index with 404 naming the indexes, and a chat deployment with 400', async () => {
      const unknown = expectOpenAiError(await http.post(`/indexes/nope/docs/search?api-version=${API_VERSION}`, { search: '*' }, { headers: headers() }), 404, 'DeploymentNotFound');
      expect(unknown.message).toContain("'nope'");
      expect(unknown.message).toContain('Available indexes: ghosts, hotels.');
      expect(unknown.message).not.toContain('chat');
      expectOpenAiError(await http.post(`/indexes/chat/docs/search?api-version=${API_VERSION}`, { search: '*' }, { headers: headers() }), 400, 'deployment_class_mismatch');
    });

    it('reports an index missing upstream as an outage, not as the caller\'s 404', async () => {
      const res = await http.post(`/indexes/ghosts/docs/search?api-version=${API_VERSION}`, { search: '*' }, { headers: headers() });
      expectOpenAiError(res, 503, 'upstream_unavailable');
      expect(res.text).not.toContain(sim.url);
    });

    it('passes the upstream\'s own 400 on in its error shape', async () => {
      const res = await http.post(`/indexes/hotels/docs/search?api-version=${API_VERSION}`, { search: '*', top: -1 }, { headers: headers() });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: '', message: expect.stringContaining('top') } });
    });
  });

  it('meters each search as a request with no tokens', async () => {
    const { event: own } = await seedEvent(http, {}, [searchResource(sim)]);
    const ownKey = (await registerAttendee(http, own.id)).apiKey;
    const client = searchClient(t.url, 'hotels', ownKey);
    for await (const _ of (await client.search('sea')).results) void _;
    await http.get(`/indexes/hotels/docs?search=x&api-version=${API_VERSION}`, { headers: attendeeHeaders(ownKey, 'azure') });
    const rows = await usageRecords(t, http, own.id, 2);
    expect(rows).toEqual([
      expect.objectContaining({ deployment: 'hotels', route: 'search:docs/search', status: 200, total_tokens: 0, estimated: false, streamed: false, attempts: 1 }),
      expect.objectContaining({ deployment: 'hotels', route: 'search:docs', status: 200, total_tokens: 0, estimated: false }),
    ]);
  });

  it('counts searches against the daily cap', async () => {
    const { event: capped } = await seedEvent(http, { dailyRequestCap: 1 }, [searchResource(sim)]);
    const cappedKey = (await registerAttendee(http, capped.id)).apiKey;
    const search = () => http.post(`/indexes/hotels/docs/search?api-version=${API_VERSION}`, { search: '*' }, { headers: attendeeHeaders(cappedKey, 'azure') });
    expect((await search()).status).toBe(200);
    const refused = await search();
    expectOpenAiError(refused, 429, 'daily_request_cap_exceeded');
    expect(refused.headers.get('x-should-retry')).toBe('false');
  });

  it('fails over to the next backend of the index', async () => {
    const failing = await searchSimulator({ faults: { fail_next: [{ status: 503, count: 1 }] } });
    try {
      const { event: pooled } = await seedEvent(http, {}, [searchResource(failing, { priority: 0 }), searchResource(sim, { name: 'Backup', priority: 1 })]);
      const pooledKey = (await registerAttendee(http, pooled.id)).apiKey;
      const client = searchClient(t.url, 'hotels', pooledKey);
      const names = [];
      for await (const result of (await client.search('sea', { top: 1 })).results) names.push(result.document.name);
      expect(names).toEqual(['Harbour View']);
      expect(await upstreamRequests(failing, '/docs/search')).toHaveLength(1);
      expect(await upstreamRequests(sim, '/docs/search')).toHaveLength(1);
      const [row] = await usageRecords(t, http, pooled.id, 1);
      expect(row).toEqual(expect.objectContaining({ status: 200, attempts: 2 }));
    } finally {
      await failing.close();
    }
  });
});
