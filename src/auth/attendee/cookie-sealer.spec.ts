import { randomBytes } from 'node:crypto';
import { CookieSealer } from './cookie-sealer';

describe(CookieSealer.name, () => {
  const secret = randomBytes(32);
  const later = new Date(Date.now() + 60_000);

  it('opens what it sealed, and the sealed text does not show the value', () => {
    const sut = new CookieSealer('session', secret);
    const sealed = sut.seal({ login: 'octocat', subject: '583231' }, later);

    expect(sut.open(sealed)).toEqual({ login: 'octocat', subject: '583231' });
    expect(sealed).not.toContain('octocat');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('octocat');
  });

  it('refuses an expired value', () => {
    const sut = new CookieSealer('session', secret);
    const sealed = sut.seal({ a: 1 }, new Date(Date.now() + 1000));

    expect(sut.open(sealed, new Date(Date.now() + 2000))).toBeUndefined();
  });

  it('refuses a tampered value, one sealed for another purpose, and one sealed with another key', () => {
    const sut = new CookieSealer('session', secret);
    const sealed = sut.seal({ a: 1 }, later);
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1] ^= 1;

    expect(sut.open(raw.toString('base64url'))).toBeUndefined();
    expect(new CookieSealer('oauth-flow', secret).open(sealed)).toBeUndefined();
    expect(new CookieSealer('session', randomBytes(32)).open(sealed)).toBeUndefined();
    expect(sut.open('not-base64-!!')).toBeUndefined();
    expect(sut.open('')).toBeUndefined();
  });

  it('still opens values sealed under the previous key after a key rotation', () => {
    const old = new CookieSealer('session', secret);
    const sealed = old.seal({ a: 1 }, later);
    const sut = new CookieSealer('session', randomBytes(32), [secret]);

    expect(sut.open(sealed)).toEqual({ a: 1 });
  });
});
