import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts and authenticates a small JSON value for a cookie (AES-256-GCM). The key is derived from
 * ENCRYPTION_KEY per purpose, so a session cookie never opens as a flow cookie or anything else. Older
 * keys still open values sealed before a key rotation.
 */
export class CookieSealer {
  private readonly keys: Buffer[];

  constructor(
    private readonly purpose: string,
    secret: Buffer,
    previousSecrets: Buffer[] = [],
  ) {
    this.keys = [secret, ...previousSecrets].map((s) => Buffer.from(hkdfSync('sha256', s, Buffer.alloc(0), `ai-proxy cookie ${purpose}`, 32)));
  }

  seal(value: unknown, expiresAt: Date): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0], iv);
    cipher.setAAD(Buffer.from(this.purpose));
    const plain = Buffer.from(JSON.stringify({ exp: expiresAt.getTime(), v: value }));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The value, or undefined when absent, tampered with, sealed for another purpose, or expired. */
  open<T>(sealed: string | undefined, now = new Date()): T | undefined {
    if (!sealed) return undefined;
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(this.purpose));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
        const { exp, v } = JSON.parse(plain.toString('utf8')) as { exp: number; v: T };
        return typeof exp === 'number' && exp > now.getTime() ? v : undefined;
      } catch {
        // Not sealed with this key: try the next one.
      }
    }
    return undefined;
  }
}
