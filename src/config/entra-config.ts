import { createHash, hkdfSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Env } from './env.schema';

export type EntraCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; thumbprintSha256: string; privateKey: string; x5c: string };

/** Organiser sign-in with Microsoft Entra ID; null when ENTRA_TENANT_ID/ENTRA_CLIENT_ID are unset. */
export interface EntraConfig {
  tenantId: string;
  clientId: string;
  /** `https://login.microsoftonline.com/<tenant>`: what MSAL is given. */
  authority: string;
  /** Where the OpenID metadata lives (issuer, JWKS, endpoints). */
  metadataUrl: string;
  /** Accepted `aud` values of bearer tokens. */
  audiences: string[];
  /** Holders of this app role are administrators; everyone else who signs in is an organiser. */
  adminRole: string;
  /** Null: bearer tokens only (no server-side sign-in). */
  credential: EntraCredential | null;
  /** Null: derived per request from PUBLIC_URL or the Host the browser used. */
  redirectUrl: string | null;
}

function invalid(lines: string[]): Error {
  return new Error(`Invalid configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

/** A PEM file holding the private key and the certificate uploaded to the app registration. */
function readCertificate(path: string): EntraCredential {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw invalid([`ENTRA_CLIENT_CERTIFICATE_PATH: cannot read ${path}`]);
  }
  const key = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!key || !cert) throw invalid(['ENTRA_CLIENT_CERTIFICATE_PATH: the PEM file must hold both the private key and the certificate']);
  const x509 = new X509Certificate(cert);
  return {
    kind: 'certificate',
    thumbprintSha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    privateKey: key,
    x5c: x509.raw.toString('base64'),
  };
}

export function entraConfigFrom(env: Env): EntraConfig | null {
  const { ENTRA_TENANT_ID: tenantId, ENTRA_CLIENT_ID: clientId } = env;
  const partial = [env.ENTRA_CLIENT_SECRET, env.ENTRA_CLIENT_CERTIFICATE_PATH, env.ENTRA_REDIRECT_URL, env.ENTRA_AUDIENCE].some(Boolean);
  if (!tenantId || !clientId) {
    if (tenantId || clientId || partial) throw invalid(['ENTRA_TENANT_ID, ENTRA_CLIENT_ID: both are required for Entra ID sign-in']);
    return null;
  }
  if (env.ENTRA_CLIENT_SECRET && env.ENTRA_CLIENT_CERTIFICATE_PATH) {
    throw invalid(['ENTRA_CLIENT_SECRET, ENTRA_CLIENT_CERTIFICATE_PATH: set one, not both']);
  }
  const host = env.ENTRA_AUTHORITY_HOST.replace(/\/+$/, '');
  if (env.NODE_ENV === 'production' && !host.startsWith('https://')) throw invalid(['ENTRA_AUTHORITY_HOST: must be https in production']);
  const authority = `${host}/${tenantId}`;
  return {
    tenantId,
    clientId,
    authority,
    metadataUrl: `${authority}/v2.0/.well-known/openid-configuration`,
    // Tokens for "api://<client id>/..." scopes carry the client id (v2) or the App ID URI (v1) as audience.
    audiences: env.ENTRA_AUDIENCE ? env.ENTRA_AUDIENCE.split(',').map((a) => a.trim()).filter(Boolean) : [clientId, `api://${clientId}`],
    adminRole: env.ENTRA_ADMIN_ROLE,
    credential: env.ENTRA_CLIENT_SECRET
      ? { kind: 'secret', secret: env.ENTRA_CLIENT_SECRET }
      : env.ENTRA_CLIENT_CERTIFICATE_PATH
        ? readCertificate(env.ENTRA_CLIENT_CERTIFICATE_PATH)
        : null,
    redirectUrl: env.ENTRA_REDIRECT_URL ?? (env.PUBLIC_URL ? `${env.PUBLIC_URL.replace(/\/$/, '')}/api/v1/auth/callback` : null),
  };
}

/** Server-side sign-in needs a client credential; bearer validation alone does not. */
export function entraCanSignIn(entra: EntraConfig | null): boolean {
  return !!entra?.credential;
}

/** The key sealing sign-in cookies: SESSION_SECRET, or one derived from ENCRYPTION_KEY (never the same bytes). */
export function sessionKeyFrom(sessionSecret: string | undefined, encryptionKey: Buffer): Buffer {
  if (sessionSecret) return createHash('sha256').update(sessionSecret).digest();
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'ai-proxy session cookie v1', 32));
}
