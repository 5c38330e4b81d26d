import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AllExceptionsFilter } from '../src/common/errors/all-exceptions.filter';
import { isApiPath, serveUi } from '../src/common/http/static-ui';
import { setupSwagger } from '../src/common/http/swagger';

@Controller('api/v1/ping')
class PingController {
  @Get()
  ping() {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('Serving the portal (serveUi)', () => {
  let app: NestFastifyApplication;
  let url: string;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ai-proxy-ui-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>portal</title><app-root></app-root>');
    writeFileSync(join(root, 'main-AB12CD34.js'), 'console.log(1)');
    writeFileSync(join(root, 'favicon.ico'), 'ico');
    mkdirSync(join(root, 'media'));
    writeFileSync(join(root, 'media', 'font-ZZ99YY88.woff2'), 'font');
    app = await NestFactory.create<NestFastifyApplication>(PingModule, new FastifyAdapter(), { logger: false, abortOnError: false });
    app.useGlobalFilters(new AllExceptionsFilter());
    setupSwagger(app);
    expect(await serveUi(app, root)).toBe(true);
    await app.init();
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    url = url.replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / without caching it', async () => {
    const res = await fetch(`${url}/`, { headers: BROWSER });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('<app-root>');
  });

  it('caches hashed assets for a year and other files for an hour', async () => {
    const js = await fetch(`${url}/main-AB12CD34.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${url}/media/font-ZZ99YY88.woff2`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${url}/favicon.ico`)).headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('answers a browser navigating to a client-side route with index.html', async () => {
    const res = await fetch(`${url}/register/some-event?x=1`, { headers: BROWSER });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('<app-root>');
  });

  it('keeps JSON 404s for API paths, missing files and programmatic clients', async () => {
    for (const path of ['/api/v1/nothing', '/docs/nothing', '/healthz/x', '/main-00000000.js', '/some/page']) {
      const accept = path === '/some/page' ? '*/*' : BROWSER.accept;
      const res = await fetch(`${url}${path}`, { headers: { accept } });
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 404, type: expect.stringContaining('application/json') });
      expect(await res.json()).toMatchObject({ code: 'route_not_found' });
    }
    const proxy = await fetch(`${url}/v1/nothing`, { headers: BROWSER });
    expect(proxy.status).toBe(404);
    expect(await proxy.json()).toMatchObject({ error: { message: expect.any(String) } });
  });

  it('leaves API routes and Swagger alone', async () => {
    expect(await (await fetch(`${url}/api/v1/ping`, { headers: BROWSER })).json()).toEqual({ ok: true });
    expect((await fetch(`${url}/docs/json`)).status).toBe(200);
  });

  it('does nothing when the build is missing', async () => {
    expect(await serveUi(app, join(root, 'no-such-build'))).toBe(false);
  });

  it('tells API paths from portal paths', () => {
    expect(['/api', '/api/v1/x', '/v1/models', '/openai/deployments', '/docs', '/healthz', '/readyz?x'].every(isApiPath)).toBe(true);
    expect(['/', '/events', '/register/x', '/apidocs', '/v1x', '/playground'].some(isApiPath)).toBe(false);
  });
});
