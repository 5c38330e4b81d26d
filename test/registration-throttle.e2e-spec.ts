import type { ApiError } from './support/api';
import { seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

describe('registration throttling', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { REGISTRATION_RATE_LIMIT: '5', REGISTRATION_RATE_WINDOW_S: '60' } });
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('stops a code brute-force at the configured limit with 429 and retry-after, creating nobody', async () => {
    const { event } = await seedEvent(http, { registration: { mode: 'code', code: 'the-real-code' } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await http.post(`/api/v1/events/${event.id}/attendees`, { name: 'Mallory', email: 'm@example.com', code: `guess-${i}` });
      statuses.push(res.status);
      if (res.status === 429) {
        const body = res.body as ApiError;
        expect(body.code).toBe('too_many_requests');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      }
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
    // Even the right code is refused until the window passes.
    const right = await http.post(`/api/v1/events/${event.id}/attendees`, { name: 'Mallory', email: 'm@example.com', code: 'the-real-code' });
    expect(right.status).toBe(429);
    const list = await http.get<{ total: number }>(`/api/v1/admin/events/${event.id}/attendees`);
    expect(list.body.total).toBe(0);
  });

  it('leaves the proxy and admin routes unthrottled', async () => {
    for (let i = 0; i < 12; i++) expect((await http.get('/api/v1/admin/events')).status).toBe(200);
  });
});
