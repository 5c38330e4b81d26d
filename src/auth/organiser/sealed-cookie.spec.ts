import { randomBytes } from 'node:crypto';
import { seal, unseal } from './sealed-cookie';

describe('sealed cookie', () => {
  const key = randomBytes(32);

  it('opens what it sealed, for the same purpose, before it expires', () => {
    const sut = seal(key, 'session', { id: 'o1' }, 60_000, 1_000);
    expect(unseal(key, 'session', sut, 2_000)).toEqual({ id: 'o1' });
  });

  it('refuses an expired value, another purpose, another key and a changed byte', () => {
    const sut = seal(key, 'session', { id: 'o1' }, 60_000, 1_000);
    expect(unseal(key, 'session', sut, 61_001)).toBeUndefined();
    expect(unseal(key, 'sign-in', sut, 2_000)).toBeUndefined();
    expect(unseal(randomBytes(32), 'session', sut, 2_000)).toBeUndefined();
    const parts = sut.split('.');
    const body = Buffer.from(parts[2], 'base64url');
    body[0] ^= 1;
    expect(unseal(key, 'session', [parts[0], parts[1], body.toString('base64url'), parts[3]].join('.'), 2_000)).toBeUndefined();
    expect(unseal(key, 'session', 'v1.garbage', 2_000)).toBeUndefined();
    expect(unseal(key, 'session', undefined, 2_000)).toBeUndefined();
  });
});
