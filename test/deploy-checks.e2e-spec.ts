/**
 * The deployment checks CI runs (docker/check.mjs, infra/check.mjs) pass on the repository's files and
 * fail, naming the fault, on copies with typical mistakes, so a green CI step means something.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

function run(script: string, cwd = root): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A throwaway project: copies of docker/ and infra/ (to break), links to everything else the checks read. */
function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-proxy-deploy-check-'));
  cpSync(join(root, 'docker'), join(dir, 'docker'), { recursive: true });
  cpSync(join(root, 'infra'), join(dir, 'infra'), { recursive: true });
  for (const f of ['azure.yaml', 'README.md', '.dockerignore', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'src', 'migrations', 'bench', 'admin-ui', 'node_modules']) {
    symlinkSync(join(root, f), join(dir, f));
  }
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${from} not found in ${file}`);
  writeFileSync(file, next);
}

describe('deployment checks', () => {
  let dir: string;
  beforeEach(() => (dir = sandbox()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pass on the repository as it is', () => {
    const docker = run('docker/check.mjs');
    expect(docker.out).toContain('docker/: no problems');
    expect(docker.status).toBe(0);
    const infra = run('infra/check.mjs');
    expect(infra.out).toContain('consistent');
    expect(infra.status).toBe(0);
  });

  it('docker: a root runtime, an unpinned base, a missing COPY source and a bare apt-get install are each reported', () => {
    const file = join(dir, 'docker', 'Dockerfile');
    edit(file, /^USER node$/m, 'USER root');
    edit(file, 'FROM node:${NODE_VERSION}-bookworm-slim AS ui', 'FROM node:latest AS ui');
    edit(file, 'COPY bench ./bench', 'COPY benches ./bench');
    edit(file, '--no-install-recommends ', '');
    const r = run('docker/check.mjs', dir);
    expect(r.status).toBe(1);
    expect(r.out).toContain('the runtime stage must switch to a non-root USER');
    expect(r.out).toContain("pin the base image's tag (node:latest)");
    expect(r.out).toContain('COPY source benches does not exist in the build context');
    expect(r.out).toContain('apt-get install without --no-install-recommends');
  });

  it('docker: a secret baked into the image and a compose file without Redis are reported', () => {
    edit(join(dir, 'docker', 'Dockerfile'), 'DATA_DIR=/data', 'DATA_DIR=/data \\\n    ADMIN_TOKEN=0123456789abcdef0123456789abcdef');
    edit(join(dir, 'docker', 'compose.yaml'), 'REDIS_URL: redis://redis:6379', 'REDIS_URL: redis://localhost:6379');
    const r = run('docker/check.mjs', dir);
    expect(r.status).toBe(1);
    expect(r.out).toContain('secret ADMIN_TOKEN baked into the image');
    expect(r.out).toContain('REDIS_URL should point at the redis service');
  });

  it('infra: wrong module parameters and outputs, unknown app settings, bad probes and a missing pgcrypto allow-list are reported', () => {
    edit(join(dir, 'infra', 'main.bicep'), '    tier: postgresTier', '    tierx: postgresTier');
    edit(join(dir, 'infra', 'main.bicep'), 'redis.outputs.hostName', 'redis.outputs.host');
    edit(join(dir, 'infra', 'modules', 'containerapp.bicep'), "'/readyz'", "'/ready'");
    edit(join(dir, 'infra', 'modules', 'containerapp.bicep'), "{ name: 'LOG_LEVEL'", "{ name: 'LOGLEVEL'");
    edit(join(dir, 'infra', 'modules', 'postgres.bicep'), "value: 'PGCRYPTO'", "value: 'UUID-OSSP'");
    const r = run('infra/check.mjs', dir);
    expect(r.status).toBe(1);
    expect(r.out).toContain('module postgres passes tierx, which modules/postgres.bicep does not declare');
    expect(r.out).toContain('module postgres does not pass required parameter tier');
    expect(r.out).toContain('redis.outputs.host is not an output of modules/redis.bicep');
    expect(r.out).toContain('probe path /ready is not served by the app');
    expect(r.out).toContain('environment variable LOGLEVEL is not in src/config/env.schema.ts');
    expect(r.out).toContain('migrations create extension pgcrypto, which azure.extensions does not allow');
  });

  it('infra: a parameters file that misses a required secret, and an unbalanced template, are reported', () => {
    const params = join(dir, 'infra', 'main.parameters.json');
    const json = JSON.parse(readFileSync(params, 'utf8')) as { parameters: Record<string, unknown> };
    delete json.parameters.encryptionKey;
    writeFileSync(params, JSON.stringify(json, null, 2));
    edit(join(dir, 'infra', 'modules', 'redis.bicep'), "    minimumTlsVersion: '1.2'\n", "    minimumTlsVersion: '1.2'\n    redisConfiguration: {\n");
    const r = run('infra/check.mjs', dir);
    expect(r.status).toBe(1);
    expect(r.out).toContain('required parameter encryptionKey is not set');
    expect(r.out).toMatch(/infra\/modules\/redis\.bicep: unclosed "\{"/);
  });
});
