import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { globalAgent } from 'node:https';
import { createServer, get as httpsGet, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importX509, type JWTPayload, jwtVerify, SignJWT } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface IssuerUser {
  oid: string;
  name: string;
  email: string;
  roles?: string[];
}

interface PendingCode {
  user: IssuerUser;
  clientId: string;
  redirectUri: string;
  nonce: string;
  challenge: string;
}

/**
 * A real OpenID Connect issuer on loopback, shaped like Entra ID's v2 endpoints under /<tenant>:
 * discovery, JWKS, an authorize endpoint that signs the next user in at once, and a token endpoint that
 * checks the client secret and PKCE. HTTPS with a throwaway certificate (MSAL refuses http authorities),
 * trusted by adding it to Node's https agent for this test process.
 */
export class OpenIdIssuer {
  readonly tenantId = randomUUID();
  readonly kid = randomBytes(8).toString('hex');
  base = '';
  /** Who the authorize endpoint signs in next. */
  nextUser: IssuerUser | undefined;
  /** Every authorize request's query, newest last. */
  readonly authorizeRequests: URLSearchParams[] = [];
  private server?: Server;
  private privateKey!: PrivateKey;
  private publicJwk!: Record<string, unknown>;
  private readonly codes = new Map<string, PendingCode>();
  private certDir = '';
  /** A certificate uploaded to the app registration: the token endpoint then also accepts client assertions it signed. */
  clientCertificatePem?: string;

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
  ) {}

  get issuer(): string {
    return `${this.base}/${this.tenantId}/v2.0`;
  }

  async start(): Promise<this> {
    const keys = await generateKeyPair('RS256');
    this.privateKey = keys.privateKey;
    this.publicJwk = { ...(await exportJWK(keys.publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' };
    this.certDir = mkdtempSync(join(tmpdir(), 'aip-issuer-'));
    const [key, cert] = [join(this.certDir, 'key.pem'), join(this.certDir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const certPem = readFileSync(cert, 'utf8');
    const existing = globalAgent.options.ca;
    globalAgent.options.ca = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), certPem] as string[];
    this.server = createServer({ key: readFileSync(key), cert: certPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req.method ?? 'GET', new URL(req.url ?? '/', this.base), Buffer.concat(chunks).toString('utf8')).then(
          ({ status, headers, body }) => {
            res.writeHead(status, headers);
            res.end(body);
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    rmSync(this.certDir, { recursive: true, force: true });
  }

  /** The browser's visit to a page of this issuer (over the trusted throwaway certificate). */
  visit(url: string): Promise<{ status: number; location?: string }> {
    return new Promise((resolve, reject) => {
      httpsGet(url, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      }).on('error', reject);
    });
  }

  /** Entra-style settings pointing the app at this issuer. */
  env(): Record<string, string> {
    return {
      ENTRA_TENANT_ID: this.tenantId,
      ENTRA_CLIENT_ID: this.clientId,
      ENTRA_CLIENT_SECRET: this.clientSecret,
      ENTRA_AUTHORITY_HOST: this.base,
    };
  }

  /** A token for `user`, valid unless `overrides` say otherwise; `key` signs with another key under the same kid. */
  async token(user: IssuerUser, overrides: JWTPayload = {}, key: PrivateKey = this.privateKey): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: this.issuer,
      aud: this.clientId,
      iat: now,
      nbf: now,
      exp: now + 3600,
      tid: this.tenantId,
      oid: user.oid,
      sub: user.oid,
      name: user.name,
      preferred_username: user.email,
      ver: '2.0',
      ...(user.roles ? { roles: user.roles } : {}),
      ...overrides,
    };
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' }).sign(key);
  }

  private metadata() {
    const t = `${this.base}/${this.tenantId}`;
    return {
      issuer: this.issuer,
      jwks_uri: `${t}/discovery/v2.0/keys`,
      authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
      token_endpoint: `${t}/oauth2/v2.0/token`,
      end_session_endpoint: `${t}/oauth2/v2.0/logout`,
      response_types_supported: ['code', 'id_token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    };
  }

  /** A client secret, or a client assertion signed with the registered certificate's key (RFC 7523). */
  private async clientAuthenticated(form: URLSearchParams, tokenEndpoint: string): Promise<boolean> {
    if (form.get('client_secret') !== null) return form.get('client_secret') === this.clientSecret;
    const assertion = form.get('client_assertion');
    if (!assertion || !this.clientCertificatePem || form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return false;
    try {
      const { alg } = decodeProtectedHeader(assertion);
      const key = await importX509(this.clientCertificatePem, alg ?? 'RS256');
      // MSAL rounds its timestamps to the nearest second; Entra, like this, allows a little skew.
      await jwtVerify(assertion, key, { audience: tokenEndpoint, issuer: this.clientId, subject: this.clientId, clockTolerance: 5 });
      return true;
    } catch {
      return false;
    }
  }

  private async handle(method: string, url: URL, body: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const json = (status: number, value: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
    const prefix = `/${this.tenantId}`;
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
    if (method === 'GET' && path === '/v2.0/.well-known/openid-configuration') return json(200, this.metadata());
    if (method === 'GET' && path === '/discovery/v2.0/keys') return json(200, { keys: [this.publicJwk] });
    if (method === 'GET' && path === '/oauth2/v2.0/authorize') {
      const q = url.searchParams;
      this.authorizeRequests.push(q);
      const redirect = new URL(q.get('redirect_uri') ?? '');
      if (!this.nextUser) {
        redirect.searchParams.set('error', 'access_denied');
      } else {
        const code = randomBytes(16).toString('base64url');
        this.codes.set(code, {
          user: this.nextUser,
          clientId: q.get('client_id') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
          nonce: q.get('nonce') ?? '',
          challenge: q.get('code_challenge') ?? '',
        });
        redirect.searchParams.set('code', code);
      }
      redirect.searchParams.set('state', q.get('state') ?? '');
      return { status: 302, headers: { location: redirect.toString() }, body: '' };
    }
    if (method === 'POST' && path === '/oauth2/v2.0/token') {
      const form = new URLSearchParams(body);
      const pending = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        !pending ||
        form.get('grant_type') !== 'authorization_code' ||
        form.get('client_id') !== this.clientId ||
        !(await this.clientAuthenticated(form, `${this.base}/${this.tenantId}/oauth2/v2.0/token`)) ||
        form.get('redirect_uri') !== pending.redirectUri ||
        challenge !== pending.challenge
      ) {
        return json(400, { error: 'invalid_grant', error_description: 'AADSTS70008: the code, secret, redirect or PKCE verifier is wrong.' });
      }
      const idToken = await this.token(pending.user, { nonce: pending.nonce });
      const clientInfo = Buffer.from(JSON.stringify({ uid: pending.user.oid, utid: this.tenantId })).toString('base64url');
      return json(200, {
        token_type: 'Bearer',
        scope: 'openid profile email',
        expires_in: 3600,
        ext_expires_in: 3600,
        access_token: await this.token(pending.user, { aud: '00000003-0000-0000-c000-000000000000' }),
        id_token: idToken,
        client_info: clientInfo,
      });
    }
    return json(404, { error: 'not_found' });
  }
}
