import { httpClient, HttpClient } from './support/http';
import { newEvent } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('Events API', () => {
  let t: TestApp;
  let http: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
  });
  afterAll(() => t.close());

  it('creates, reads, lists, updates and deletes an event', async () => {
    const body = newEvent({ id: 'spring-hack', timeZone: 'Europe/Berlin' });
    const created = await http.post('/api/v1/admin/events', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'spring-hack', status: 'live', timeZone: 'Europe/Berlin', registration: { mode: 'open' } });

    const got = await http.get('/api/v1/admin/events/spring-hack');
    expect(got.status).toBe(200);
    expect(got.body.startsAt).toBe(new Date(body.startsAt as string).toISOString());

    const list = await http.get('/api/v1/admin/events');
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain('spring-hack');

    const patched = await http.patch('/api/v1/admin/events/spring-hack', { dailyRequestCap: 7, registration: { mode: 'code', code: 'letmein' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ dailyRequestCap: 7, registration: { mode: 'code', code: 'letmein' } });

    expect((await http.delete('/api/v1/admin/events/spring-hack')).status).toBe(204);
    expect((await http.get('/api/v1/admin/events/spring-hack')).status).toBe(404);
  });
});
