import type { AuthorizationRequest, ExternalIdentity, IdentityProvider } from './identity-provider';
import { IdentityProviderError } from './identity-provider';

export interface GitHubSettings {
  clientId: string;
  clientSecret: string;
  /** https://github.com, or a stand-in (tests, GitHub Enterprise). */
  oauthBaseUrl: string;
  /** https://api.github.com, or a stand-in. */
  apiBaseUrl: string;
}

const TIMEOUT_MS = 10_000;

interface GitHubUser {
  id: number;
  login: string;
  name?: string | null;
}

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/** GitHub OAuth app sign-in (authorization code + PKCE), identity read from the REST API. */
export class GitHubProvider implements IdentityProvider {
  readonly id = 'github';
  readonly displayName = 'GitHub';

  constructor(private readonly settings: GitHubSettings) {}

  authorizationUrl({ state, codeChallenge, redirectUri }: AuthorizationRequest): string {
    const url = new URL(`${this.settings.oauthBaseUrl}/login/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: this.settings.clientId,
      redirect_uri: redirectUri,
      // user:email lets us read the verified primary address even when the profile hides it.
      scope: 'read:user user:email',
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      allow_signup: 'true',
    }).toString();
    return url.toString();
  }

  async identify(code: string, codeVerifier: string, redirectUri: string): Promise<ExternalIdentity> {
    const token = await this.exchange(code, codeVerifier, redirectUri);
    const user = await this.api<GitHubUser>('/user', token);
    if (typeof user?.id !== 'number' || typeof user.login !== 'string') {
      throw new IdentityProviderError('GitHub /user answered without an id and login');
    }
    const email = (await this.primaryVerifiedEmail(token)) ?? `${user.id}+${user.login}@users.noreply.github.com`;
    return { provider: this.id, subject: String(user.id), login: user.login, name: user.name?.trim() || user.login, email };
  }

  private async exchange(code: string, codeVerifier: string, redirectUri: string): Promise<string> {
    const res = await this.fetch(`${this.settings.oauthBaseUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.settings.clientId,
        client_secret: this.settings.clientSecret,
        code,
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
      }).toString(),
    });
    if (!res.ok) throw new IdentityProviderError(`GitHub token endpoint answered ${res.status}`);
    const body = (await res.json().catch(() => undefined)) as { access_token?: unknown; error?: unknown } | undefined;
    // GitHub reports a bad or expired code as 200 with an `error` field.
    if (typeof body?.error === 'string') throw new IdentityProviderError(`GitHub refused the code: ${body.error}`);
    if (typeof body?.access_token !== 'string' || !body.access_token) throw new IdentityProviderError('GitHub token endpoint answered without an access token');
    return body.access_token;
  }

  private async primaryVerifiedEmail(token: string): Promise<string | null> {
    const emails = await this.api<GitHubEmail[]>('/user/emails', token, true);
    const primary = Array.isArray(emails) ? emails.find((e) => e.primary && e.verified && typeof e.email === 'string') : undefined;
    return primary ? primary.email.toLowerCase() : null;
  }

  /** `optional`: a 403/404 (scope not granted) reads as "nothing", anything else unexpected throws. */
  private async api<T>(path: string, token: string, optional = false): Promise<T | undefined> {
    const res = await this.fetch(`${this.settings.apiBaseUrl}${path}`, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'ai-proxy',
      },
    });
    if (optional && (res.status === 403 || res.status === 404)) return undefined;
    if (!res.ok) throw new IdentityProviderError(`GitHub ${path} answered ${res.status}`);
    return (await res.json().catch(() => {
      throw new IdentityProviderError(`GitHub ${path} answered with a body that is not JSON`);
    })) as T;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new IdentityProviderError(`GitHub could not be reached at ${new URL(url).origin}: ${(err as Error).message}`);
    }
  }
}
