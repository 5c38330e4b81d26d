/** Who a provider says signed in. `subject` is stable for the account; `login` may be renamed. */
export interface ExternalIdentity {
  provider: string;
  subject: string;
  login: string;
  name: string;
  /** The verified primary email, or an address the provider guarantees is the account's own. */
  email: string;
}

export interface AuthorizationRequest {
  state: string;
  /** S256 PKCE challenge of the verifier kept in the flow cookie. */
  codeChallenge: string;
  redirectUri: string;
}

/**
 * An attendee sign-in provider (an event's registration mode names one). GitHub speaks plain OAuth 2
 * with a user API; an OpenID Connect provider implements the same two steps, validating its ID token
 * against the issuer's JWKS in `identify`.
 */
export interface IdentityProvider {
  /** The registration mode and URL segment: `/api/v1/attendee/auth/{id}/login`. */
  readonly id: string;
  readonly displayName: string;
  authorizationUrl(request: AuthorizationRequest): string;
  /** Exchanges the callback's code and reads the identity. Throws IdentityProviderError. */
  identify(code: string, codeVerifier: string, redirectUri: string): Promise<ExternalIdentity>;
}

/** The provider refused or misbehaved; the message is safe to log (never a token or secret). */
export class IdentityProviderError extends Error {
  override readonly name = 'IdentityProviderError';
}
