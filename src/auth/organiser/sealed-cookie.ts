import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * A value only this server can read or forge: AES-256-GCM with a random IV; the purpose is bound as
 * additional data so a sign-in-attempt cookie cannot be replayed as a session cookie.
 */
export function seal(key: Buffer, purpose: string, value: object, ttlMs: number, now = Date.now()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const plain = Buffer.from(JSON.stringify({ exp: now + ttlMs, value }));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The sealed value, or undefined when it is malformed, tampered with, for another purpose or expired. */
export function unseal<T>(key: Buffer, purpose: string, sealed: string | undefined, now = Date.now()): T | undefined {
  if (!sealed) return undefined;
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
  try {
    const [iv, body, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
    if (iv.length !== 12 || tag.length !== 16) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(tag);
    const plain = JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')) as { exp: number; value: T };
    return typeof plain.exp === 'number' && plain.exp > now ? plain.value : undefined;
  } catch {
    return undefined;
  }
}
