import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';

const tmp = () => mkdtempSync(join(tmpdir(), 'aip-entra-config-'));
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const PROD = { NODE_ENV: 'production', ENCRYPTION_KEY: 'k7Q2vX9mR4tL8wZ1nB6cJ3hF0dS5gY2pA7eU', SIMULATOR_ENABLED: 'false' };

describe('Entra ID configuration', () => {
  it('is off without a tenant and client id, and in development the admin token still works', () => {
    const sut = loadConfig({ DATA_DIR: tmp() });
    expect(sut.entra).toBeNull();
    expect(sut.secrets.adminToken).toMatch(/^adm_/);
  });

  it('builds authority, metadata URL and audiences from the tenant (and the authority host override)', () => {
    const sut = loadConfig({ DATA_DIR: tmp(), ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, ENTRA_AUTHORITY_HOST: 'https://127.0.0.1:8443/' });
    expect(sut.entra).toMatchObject({
      authority: `https://127.0.0.1:8443/${TENANT}`,
      metadataUrl: `https://127.0.0.1:8443/${TENANT}/v2.0/.well-known/openid-configuration`,
      audiences: [CLIENT, `api://${CLIENT}`],
      adminRole: 'AIProxy.Admin',
      credential: null,
      redirectUrl: null,
    });
    const withPublicUrl = loadConfig({ DATA_DIR: tmp(), ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, PUBLIC_URL: 'https://proxy.contoso.example/' });
    expect(withPublicUrl.entra?.redirectUrl).toBe('https://proxy.contoso.example/api/v1/auth/callback');
  });

  it('names the missing half of a partial configuration', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), ENTRA_TENANT_ID: TENANT })).toThrow(/ENTRA_TENANT_ID, ENTRA_CLIENT_ID/);
    expect(() => loadConfig({ DATA_DIR: tmp(), ENTRA_CLIENT_SECRET: 'abc' })).toThrow(/ENTRA_CLIENT_ID/);
    expect(() =>
      loadConfig({ DATA_DIR: tmp(), ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, ENTRA_CLIENT_SECRET: 'a', ENTRA_CLIENT_CERTIFICATE_PATH: '/x.pem' }),
    ).toThrow(/set one, not both/);
  });

  it('reads a certificate credential: thumbprint, key and x5c from one PEM file', () => {
    const dir = tmp();
    const [key, cert] = [join(dir, 'k.pem'), join(dir, 'c.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=aiproxy'], { stdio: 'ignore' });
    const pem = join(dir, 'both.pem');
    writeFileSync(pem, readFileSync(key, 'utf8') + readFileSync(cert, 'utf8'));
    const sut = loadConfig({ DATA_DIR: dir, ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, ENTRA_CLIENT_CERTIFICATE_PATH: pem });
    expect(sut.entra?.credential).toMatchObject({ kind: 'certificate', thumbprintSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(() => loadConfig({ DATA_DIR: dir, ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, ENTRA_CLIENT_CERTIFICATE_PATH: key })).toThrow(/both the private key and the certificate/);
  });

  it('refuses to start in production without any admin credential', () => {
    expect(() => loadConfig({ ...PROD, DATA_DIR: tmp() })).toThrow(/ADMIN_TOKEN: required in production \(instead of ADMIN_TOKEN, Entra ID sign-in/);
    // Bearer validation alone cannot sign anyone in to the portal: not enough.
    expect(() => loadConfig({ ...PROD, DATA_DIR: tmp(), ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT })).toThrow(/required in production/);
  });

  it('starts in production with Entra ID sign-in and no ADMIN_TOKEN, or with ADMIN_TOKEN alone', () => {
    const entra = loadConfig({ ...PROD, DATA_DIR: tmp(), ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, ENTRA_CLIENT_SECRET: 'Qx8~kf2.Nd93_Lp0zR7vT' });
    expect(entra.secrets.adminToken).toBeNull();
    expect(entra.entra?.credential).toEqual({ kind: 'secret', secret: 'Qx8~kf2.Nd93_Lp0zR7vT' });
    const token = loadConfig({ ...PROD, DATA_DIR: tmp(), ADMIN_TOKEN: 'Zr81kQm2Xc93LpTw0vNy' });
    expect(token.secrets.adminToken).toBe('Zr81kQm2Xc93LpTw0vNy');
    expect(() => loadConfig({ ...PROD, DATA_DIR: tmp(), ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: CLIENT, ENTRA_CLIENT_SECRET: 's', ENTRA_AUTHORITY_HOST: 'http://login.example' })).toThrow(/must be https in production/);
  });

  it('derives the session key from ENCRYPTION_KEY unless SESSION_SECRET is set, never equal to it', () => {
    const derived = loadConfig({ DATA_DIR: tmp(), ENCRYPTION_KEY: PROD.ENCRYPTION_KEY });
    expect(derived.session.key).toHaveLength(32);
    expect(derived.session.key.equals(derived.secrets.encryptionKey)).toBe(false);
    const own = loadConfig({ DATA_DIR: tmp(), ENCRYPTION_KEY: PROD.ENCRYPTION_KEY, SESSION_SECRET: 'Hs93kLq0Zm2Xv81PtWn4Rb7Yc6Ud5Ej2' });
    expect(own.session.key.equals(derived.session.key)).toBe(false);
  });
});
