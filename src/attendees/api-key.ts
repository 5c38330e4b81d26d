import { createHash, randomBytes } from 'node:crypto';

/** Recognisable in logs, secret scanners and support requests. */
export const API_KEY_PREFIX = 'aip_';
const DISPLAY_LENGTH = 12;

export interface IssuedKey {
  key: string;
  hash: string;
  prefix: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function issueApiKey(): IssuedKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, DISPLAY_LENGTH) };
}
