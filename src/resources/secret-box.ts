import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * AES-256-GCM for upstream API keys at rest: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 * Seals with the current key; opens with it or any previous key, so a key rotation needs no downtime.
 */
export class SecretBox {
  private readonly keys: Buffer[];

  constructor(
    private readonly key: Buffer,
    previous: Buffer[] = [],
  ) {
    if (key.length !== 32 || previous.some((k) => k.length !== 32)) throw new Error('SecretBox needs 32-byte keys');
    this.keys = [key, ...previous];
  }

  /** Whether `sealed` was sealed with the current key (rotation skips those). */
  isCurrent(sealed: string): boolean {
    try {
      this.openWith(this.key, sealed);
      return true;
    } catch {
      return false;
    }
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string): string {
    let lastError: unknown;
    for (const key of this.keys) {
      try {
        return this.openWith(key, sealed);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  private openWith(key: Buffer, sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('Unrecognised sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}
