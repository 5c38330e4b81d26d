import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe(SecretBox.name, () => {
  const sut = new SecretBox(randomBytes(32));

  it('round-trips a secret without the plaintext appearing in the sealed form', () => {
    const sealed = sut.seal('sk-upstream-secret-1234');
    expect(sealed).not.toContain('sk-upstream');
    expect(sut.open(sealed)).toBe('sk-upstream-secret-1234');
  });

  it('uses a fresh IV each time', () => {
    expect(sut.seal('same')).not.toBe(sut.seal('same'));
  });

  it('refuses a tampered or foreign ciphertext', () => {
    const sealed = sut.seal('secret');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => sut.open(tampered)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => sut.open('garbage')).toThrow('Unrecognised');
  });

  it('opens secrets sealed under a previous key and tells them apart', () => {
    const oldKey = randomBytes(32);
    const old = new SecretBox(oldKey).seal('legacy');
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.open(old)).toBe('legacy');
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.isCurrent(rotated.seal('fresh'))).toBe(true);
  });
});
