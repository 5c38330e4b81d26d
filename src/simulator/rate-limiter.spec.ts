import { NOMINAL_REMAINING, RateLimiter } from './rate-limiter';

describe(RateLimiter.name, () => {
  let now: number;
  let sut: RateLimiter;

  beforeEach(() => {
    now = 1_000_000;
    sut = new RateLimiter(() => now);
  });

  it('charges tokens on arrival and reports what remains', () => {
    expect(sut.consume('d', { tpm: 100, windowS: 60 }, 30)).toEqual({
      allowed: true,
      remainingTokens: 70,
      remainingRequests: NOMINAL_REMAINING.requests,
    });
  });

  it('refuses once the token budget is spent and says when the oldest charge frees enough', () => {
    sut.consume('d', { tpm: 100, windowS: 60 }, 60);
    now += 10_000;
    sut.consume('d', { tpm: 100, windowS: 60 }, 30);
    now += 5_000;

    const decision = sut.consume('d', { tpm: 100, windowS: 60 }, 20);

    // The first charge (60) leaves the window 60 s after it arrived, 45 s from now.
    expect(decision).toEqual({ allowed: false, reason: 'tokens', retryAfterS: 45 });
  });

  it('does not charge a refused request', () => {
    sut.consume('d', { tpm: 100, windowS: 60 }, 90);
    sut.consume('d', { tpm: 100, windowS: 60 }, 20);

    expect(sut.consume('d', { tpm: 100, windowS: 60 }, 10)).toMatchObject({ allowed: true, remainingTokens: 0 });
  });

  it('limits requests per window', () => {
    const limit = { rpm: 2, windowS: 60 };
    expect(sut.consume('d', limit, 0)).toMatchObject({ allowed: true, remainingRequests: 1 });
    now += 1_000;
    expect(sut.consume('d', limit, 0)).toMatchObject({ allowed: true, remainingRequests: 0 });

    expect(sut.consume('d', limit, 0)).toEqual({ allowed: false, reason: 'requests', retryAfterS: 59 });
  });

  it('admits again once the window has slid past the old charges', () => {
    const limit = { rpm: 1, windowS: 10 };
    sut.consume('d', limit, 0);
    now += 9_999;
    expect(sut.consume('d', limit, 0).allowed).toBe(false);
    now += 1;

    expect(sut.consume('d', limit, 0).allowed).toBe(true);
  });

  it('scales the budget to a shorter window', () => {
    // 60 rpm over a 10 s window is 10 requests per window.
    const limit = { rpm: 60, windowS: 10 };
    for (let i = 0; i < 10; i += 1) expect(sut.consume('d', limit, 0).allowed).toBe(true);

    expect(sut.consume('d', limit, 0).allowed).toBe(false);
  });

  it('keeps deployments apart and forgets everything on reset', () => {
    sut.consume('a', { rpm: 1, windowS: 60 }, 0);
    expect(sut.consume('b', { rpm: 1, windowS: 60 }, 0).allowed).toBe(true);
    sut.reset();

    expect(sut.consume('a', { rpm: 1, windowS: 60 }, 0).allowed).toBe(true);
  });

  it('asks for the whole window when a request can never fit', () => {
    expect(sut.consume('d', { tpm: 10, windowS: 60 }, 11)).toEqual({ allowed: false, reason: 'tokens', retryAfterS: 60 });
  });
});
