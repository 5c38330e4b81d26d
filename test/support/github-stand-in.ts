import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInUser {
  id: number;
  login: string;
  name: string | null;
  /** As GET /user/emails lists them. */
  emails: { email: string; primary: boolean; verified: boolean }[];
}

interface PendingCode {
  user: StandInUser;
  clientId: string;
  redirectUri: string;
  challenge: string;
  method: string;
}

/**
 * A stand-in for GitHub's OAuth and REST endpoints on loopback, strict where GitHub is: the code is
 * single-use, bound to the client, the redirect URI and the PKCE challenge; the API wants the token.
 */
export class GitHubStandIn {
  readonly clientId = `Iv1.${randomBytes(8).toString('hex')}`;
  readonly clientSecret = randomBytes(20).toString('hex');
  /** Who signs in at the next authorize request. */
  user: StandInUser = newGitHubUser();
  /** The next authorize request is declined by the user ("Cancel" on the consent screen). */
  deny = false;
  /** The token endpoint fails (500) until reset. */
  tokenEndpointDown = false;
  /** Every authorize request's query, for asserting what the app asked for. */
  readonly authorizeRequests: URLSearchParams[] = [];
  private readonly codes = new Map<string, PendingCode>();
  private readonly tokens = new Map<string, StandInUser>();
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The env that points the app at this stand-in. */
  env(): Record<string, string> {
    return {
      GITHUB_CLIENT_ID: this.clientId,
      GITHUB_CLIENT_SECRET: this.clientSecret,
      GITHUB_OAUTH_BASE_URL: this.url,
      GITHUB_API_BASE_URL: `${this.url}/api`,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return this.authorize(url.searchParams, res);
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') return this.token(new URLSearchParams(await body(req)), req, res);
    const user = this.tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (req.method === 'GET' && url.pathname.startsWith('/api/')) {
      if (!user) return json(res, 401, { message: 'Bad credentials' });
      if (url.pathname === '/api/user') return json(res, 200, { id: user.id, login: user.login, name: user.name, email: null });
      if (url.pathname === '/api/user/emails') return json(res, 200, user.emails.map((e) => ({ ...e, visibility: null })));
    }
    json(res, 404, { message: 'Not Found' });
  }

  private authorize(q: URLSearchParams, res: ServerResponse): void {
    this.authorizeRequests.push(q);
    const redirect = new URL(q.get('redirect_uri') ?? '');
    redirect.searchParams.set('state', q.get('state') ?? '');
    if (q.get('client_id') !== this.clientId) return json(res, 404, { message: 'unknown client' });
    if (this.deny) {
      this.deny = false;
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set('error_description', 'The user has denied your application access.');
    } else {
      const code = randomBytes(10).toString('hex');
      this.codes.set(code, {
        user: this.user,
        clientId: this.clientId,
        redirectUri: q.get('redirect_uri') ?? '',
        challenge: q.get('code_challenge') ?? '',
        method: q.get('code_challenge_method') ?? '',
      });
      redirect.searchParams.set('code', code);
    }
    res.writeHead(302, { location: redirect.toString() }).end();
  }

  private token(form: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    if (this.tokenEndpointDown) return json(res, 500, { message: 'Internal Server Error' });
    if (!String(req.headers.accept).includes('application/json')) return json(res, 406, { message: 'ask for JSON' });
    const pending = this.codes.get(form.get('code') ?? '');
    this.codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    const ok =
      pending &&
      form.get('client_id') === pending.clientId &&
      form.get('client_secret') === this.clientSecret &&
      form.get('redirect_uri') === pending.redirectUri &&
      pending.method === 'S256' &&
      createHash('sha256').update(verifier).digest('base64url') === pending.challenge;
    // GitHub answers a bad code with 200 and an error field.
    if (!ok) return json(res, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
    const token = `gho_${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, pending.user);
    json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
  }
}

let next = 1000;
export function newGitHubUser(overrides: Partial<StandInUser> = {}): StandInUser {
  const id = 5_000_000 + next++;
  const login = `octo-${id}`;
  return {
    id,
    login,
    name: `Octo Cat ${id}`,
    emails: [
      { email: `${login}-old@example.org`, primary: false, verified: true },
      { email: `${login}@example.org`, primary: true, verified: true },
    ],
    ...overrides,
  };
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
