import { QuotaHeadroom } from './quota-headroom';

describe(QuotaHeadroom.name, () => {
  it('reads the remaining tokens a backend reported, until the reading is a window old', () => {
    const sut = new QuotaHeadroom(60_000);
    sut.record('a', { 'x-ratelimit-remaining-tokens': '4500', 'x-ratelimit-remaining-requests': '12' }, 1_000);
    expect(sut.headroom('a', 1_000)).toBe(4_500);
    expect(sut.headroom('a', 61_000)).toBe(4_500);
    expect(sut.headroom('a', 61_001)).toBeUndefined();
    expect(sut.headroom('other', 1_000)).toBeUndefined();
  });

  it('counts a backend out of requests as having no headroom, and ignores answers without the headers', () => {
    const sut = new QuotaHeadroom();
    sut.record('a', { 'x-ratelimit-remaining-tokens': '90000', 'x-ratelimit-remaining-requests': '0' }, 0);
    expect(sut.headroom('a', 0)).toBe(0);
    sut.record('a', { 'content-type': 'application/json' }, 10);
    expect(sut.headroom('a', 10)).toBe(0);
    sut.record('b', { 'x-ratelimit-remaining-requests': '7' }, 0);
    expect(sut.headroom('b', 0)).toBe(7);
    sut.record('c', { 'x-ratelimit-remaining-tokens': 'lots' }, 0);
    expect(sut.headroom('c', 0)).toBeUndefined();
  });
});
