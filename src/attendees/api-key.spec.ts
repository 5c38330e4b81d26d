import { API_KEY_PREFIX, hashApiKey, issueApiKey } from './api-key';

describe('api keys', () => {
  it('issues long random keys with a recognisable prefix', () => {
    const sut = issueApiKey();
    expect(sut.key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(sut.key.length).toBeGreaterThanOrEqual(40);
    expect(issueApiKey().key).not.toBe(sut.key);
  });

  it('stores only a hash and a short display prefix', () => {
    const sut = issueApiKey();
    expect(sut.hash).toBe(hashApiKey(sut.key));
    expect(sut.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(sut.key.startsWith(sut.prefix)).toBe(true);
    expect(sut.prefix.length).toBeLessThan(16);
  });
});
