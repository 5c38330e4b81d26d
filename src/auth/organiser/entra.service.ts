import { Injectable, Logger } from '@nestjs/common';
import { ConfidentialClientApplication, CryptoProvider, LogLevel } from '@azure/msal-node';
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from 'jose';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import type { EntraConfig } from '../../config/entra-config';
import { joseFetch, msalNetworkModule, send } from './entra-http';

interface OpenIdMetadata {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

/** Who a valid Entra token names, and what the app registration's roles make them. */
export interface EntraIdentity {
  tenantId: string;
  oid: string;
  email: string;
  name: string;
  role: 'administrator' | 'organiser';
}

/** The state of one sign-in between the redirect to Entra and the callback (kept in a sealed cookie). */
export interface SignInAttempt {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  returnTo: string;
}

const SCOPES = ['openid', 'profile', 'email'];
const METADATA_TTL_MS = 24 * 3600 * 1000;

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'it has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `its ${err.claim} claim is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (err instanceof errors.JWKSNoMatchingKey) return 'it was not signed by a key of the tenant';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'its signing algorithm is not accepted';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'it is malformed';
  return 'it could not be verified';
}

/**
 * Microsoft Entra ID: validates bearer tokens against the tenant's published keys (jose), and runs the
 * authorization-code flow with PKCE as a confidential client (MSAL). Both read the tenant's OpenID metadata.
 */
@Injectable()
export class EntraService {
  private readonly logger = new Logger(EntraService.name);
  private readonly entra: EntraConfig | null;
  private metadata?: { value: Promise<OpenIdMetadata>; at: number };
  private jwks?: { uri: string; set: ReturnType<typeof createRemoteJWKSet> };
  private msal?: Promise<ConfidentialClientApplication>;
  private readonly crypto = new CryptoProvider();

  constructor(config: AppConfig) {
    this.entra = config.entra;
  }

  get enabled(): boolean {
    return this.entra !== null;
  }

  get canSignIn(): boolean {
    return !!this.entra?.credential;
  }

  private config(): EntraConfig {
    if (!this.entra) throw new DomainError(ErrorCode.NotConfigured, 'Entra ID sign-in is not configured on this server.');
    return this.entra;
  }

  private async openIdMetadata(): Promise<OpenIdMetadata> {
    const now = Date.now();
    if (!this.metadata || now - this.metadata.at > METADATA_TTL_MS) {
      const url = this.config().metadataUrl;
      const value = send('GET', url).then((res) => {
        if (res.status !== 200) throw new Error(`OpenID metadata at ${url} answered ${res.status}`);
        const doc = JSON.parse(res.body) as OpenIdMetadata;
        if (!doc.issuer || !doc.jwks_uri || !doc.token_endpoint || !doc.authorization_endpoint) {
          throw new Error(`OpenID metadata at ${url} lacks issuer, jwks_uri or endpoints`);
        }
        return doc;
      });
      this.metadata = { value, at: now };
      // A failed fetch is not cached: the next request tries again.
      value.catch(() => {
        if (this.metadata?.value === value) this.metadata = undefined;
      });
    }
    try {
      return await this.metadata.value;
    } catch (err) {
      this.logger.error(`Entra ID metadata unavailable: ${err instanceof Error ? err.message : String(err)}`);
      throw new DomainError(ErrorCode.ServiceUnavailable, 'The identity provider cannot be reached; try again shortly.');
    }
  }

  private keySet(uri: string): ReturnType<typeof createRemoteJWKSet> {
    if (this.jwks?.uri !== uri) {
      this.jwks = { uri, set: createRemoteJWKSet(new URL(uri), { [customFetch]: joseFetch, cooldownDuration: 30_000 }) };
    }
    return this.jwks.set;
  }

  /** Verifies an Entra token (signature by a tenant key, issuer, audience, expiry) and reads who it names. */
  async verify(token: string, audience: string | string[] = this.config().audiences, nonce?: string): Promise<EntraIdentity> {
    const entra = this.config();
    const metadata = await this.openIdMetadata();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(metadata.jwks_uri), {
        issuer: metadata.issuer,
        audience,
        algorithms: ['RS256'],
        clockTolerance: 30,
        requiredClaims: ['exp', 'oid', 'tid'],
      }));
    } catch (err) {
      if (err instanceof errors.JWKSTimeout) throw new DomainError(ErrorCode.ServiceUnavailable, 'The identity provider cannot be reached; try again shortly.');
      throw new DomainError(ErrorCode.AdminUnauthorized, `The bearer token is not valid: ${describeJoseError(err)}.`);
    }
    if (nonce !== undefined && payload.nonce !== nonce) {
      throw new DomainError(ErrorCode.AdminUnauthorized, 'The sign-in answer does not belong to this sign-in attempt.');
    }
    const str = (name: string): string => (typeof payload[name] === 'string' ? (payload[name] as string) : '');
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    return {
      tenantId: str('tid'),
      oid: str('oid'),
      email: (str('email') || str('preferred_username') || str('upn')).toLowerCase(),
      name: str('name'),
      // No role, or the organiser role: an organiser. Only the admin role grants everything.
      role: roles.includes(entra.adminRole) ? 'administrator' : 'organiser',
    };
  }

  private client(): Promise<ConfidentialClientApplication> {
    const entra = this.config();
    const credential = entra.credential;
    if (!credential) throw new DomainError(ErrorCode.NotConfigured, 'Sign-in needs ENTRA_CLIENT_SECRET or ENTRA_CLIENT_CERTIFICATE_PATH.');
    this.msal ??= this.openIdMetadata().then(
      (metadata) =>
        new ConfidentialClientApplication({
          auth: {
            clientId: entra.clientId,
            authority: entra.authority,
            // The metadata we already fetched: MSAL then makes no discovery calls of its own.
            knownAuthorities: [new URL(entra.authority).host],
            authorityMetadata: JSON.stringify(metadata),
            ...(credential.kind === 'secret'
              ? { clientSecret: credential.secret }
              : { clientCertificate: { thumbprintSha256: credential.thumbprintSha256, privateKey: credential.privateKey, x5c: credential.x5c } }),
          },
          system: {
            networkClient: msalNetworkModule,
            loggerOptions: {
              piiLoggingEnabled: false,
              logLevel: LogLevel.Warning,
              loggerCallback: (_level, message) => this.logger.warn(message),
            },
          },
        }),
    );
    this.msal.catch(() => (this.msal = undefined));
    return this.msal;
  }

  /** Starts a sign-in: the URL to send the browser to, and what the callback must check. */
  async beginSignIn(redirectUri: string, returnTo: string): Promise<{ url: string; attempt: SignInAttempt }> {
    const msal = await this.client();
    const { verifier, challenge } = await this.crypto.generatePkceCodes();
    const attempt: SignInAttempt = { state: this.crypto.createNewGuid(), nonce: this.crypto.createNewGuid(), verifier, redirectUri, returnTo };
    const url = await msal.getAuthCodeUrl({
      scopes: SCOPES,
      redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state: attempt.state,
      nonce: attempt.nonce,
      responseMode: 'query',
      prompt: 'select_account',
    });
    return { url, attempt };
  }

  /** Redeems the code (with the PKCE verifier) and verifies the id token it returns. */
  async completeSignIn(code: string, state: string, attempt: SignInAttempt): Promise<EntraIdentity> {
    if (state !== attempt.state) throw new DomainError(ErrorCode.AdminUnauthorized, 'The sign-in answer does not belong to this sign-in attempt.');
    const msal = await this.client();
    let idToken: string;
    try {
      const result = await msal.acquireTokenByCode(
        { code, scopes: SCOPES, redirectUri: attempt.redirectUri, codeVerifier: attempt.verifier, state: attempt.state },
        { code, state },
      );
      idToken = result.idToken;
    } catch (err) {
      this.logger.warn(`Entra ID code redemption failed: ${err instanceof Error ? err.message : String(err)}`);
      throw new DomainError(ErrorCode.AdminUnauthorized, 'Microsoft did not accept the sign-in; please sign in again.');
    }
    // MSAL does not check signatures; the id token must be the tenant's, for this app, for this attempt.
    return this.verify(idToken, this.config().clientId, attempt.nonce);
  }
}
