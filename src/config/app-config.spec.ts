import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';

const tmp = () => mkdtempSync(join(tmpdir(), 'aip-config-'));

describe('loadConfig', () => {
  it('applies defaults: port 8080, embedded PGlite in DATA_DIR', () => {
    const dir = tmp();
    const sut = loadConfig({ DATA_DIR: dir });
    expect(sut.http.port).toBe(8080);
    expect(sut.database).toEqual({ kind: 'pglite', dataDir: join(dir, 'pglite') });
    expect(sut.simulator.enabled).toBe(true);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const sut = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'postgres://u@localhost:5432/db' });
    expect(sut.database).toMatchObject({ kind: 'postgres', url: 'postgres://u@localhost:5432/db' });
  });

  it('names each bad variable', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(/PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*PORT/);
    expect(() => loadConfig({ DATA_DIR: tmp(), LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('generates development secrets once and keeps them in DATA_DIR', () => {
    const dir = tmp();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.secrets.adminToken).toMatch(/^adm_/);
    expect(second.secrets.adminToken).toBe(first.secrets.adminToken);
    expect(second.secrets.encryptionKey.equals(first.secrets.encryptionKey)).toBe(true);
    expect(first.secrets.adminTokenGenerated).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).adminToken).toBe(first.secrets.adminToken);
  });

  it('requires real secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp() })).toThrow(/ENCRYPTION_KEY, ADMIN_TOKEN: required in production/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp(), ADMIN_TOKEN: 'changeme-changeme', ENCRYPTION_KEY: 'k9Fq2LmZ8xR4tW7yB1nC6vD3' + 'a'.repeat(10) }),
    ).toThrow(/ADMIN_TOKEN: looks like a placeholder/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp(), ADMIN_TOKEN: 'k9Fq2LmZ8xR4tW7yB1nC6vD3', ENCRYPTION_KEY: 'x'.repeat(40) })).toThrow(
      /ENCRYPTION_KEY: looks like a placeholder/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp(), ADMIN_TOKEN: 'your-admin-token-here', ENCRYPTION_KEY: 'x'.repeat(40) }),
    ).toThrow(/ADMIN_TOKEN: looks like a placeholder/);
    const prod = loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp(), ADMIN_TOKEN: 'k9Fq2LmZ8xR4tW7yB1nC6vD3', ENCRYPTION_KEY: 'Zq8w3Rt6Yu1Io4Pa7Sd0Fg2Hj5Kl9XcVbN' });
    expect(prod.simulator.enabled).toBe(false);
  });
});
