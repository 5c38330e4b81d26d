/** Effective limit for one deployment; undefined tpm/rpm means that dimension is unlimited. */
export interface RateLimit {
  tpm?: number;
  rpm?: number;
  windowS: number;
}

export type RateDecision =
  | { allowed: true; remainingRequests: number; remainingTokens: number }
  | { allowed: false; reason: 'tokens' | 'requests'; retryAfterS: number };

interface Charge {
  at: number;
  tokens: number;
}

/**
 * What a success reports as remaining when a dimension has no limit: Azure always sends the headers,
 * so the simulator reports a nominal quota instead of omitting them.
 */
export const NOMINAL_REMAINING = { requests: 1000, tokens: 1_000_000 } as const;

/**
 * Per-deployment sliding-window limiter charged on arrival with the estimate, like Azure's TPM/RPM
 * (UPSTREAM.md §4): a window of window_s seconds holds limit × window_s / 60, refused requests cost
 * nothing, and the retry-after is the time until enough old charges leave the window.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Charge[]>();

  constructor(private readonly now: () => number = Date.now) {}

  consume(key: string, limit: RateLimit, tokens: number): RateDecision {
    const windowMs = limit.windowS * 1000;
    const at = this.now();
    const charges = (this.buckets.get(key) ?? []).filter((charge) => charge.at > at - windowMs);
    this.buckets.set(key, charges);

    const tokenBudget = limit.tpm === undefined ? undefined : Math.ceil((limit.tpm * limit.windowS) / 60);
    const requestBudget = limit.rpm === undefined ? undefined : Math.ceil((limit.rpm * limit.windowS) / 60);
    const usedTokens = charges.reduce((sum, charge) => sum + charge.tokens, 0);

    const tokenWait = tokenBudget === undefined ? 0 : waitForTokens(charges, usedTokens, tokens, tokenBudget, at, windowMs);
    const requestWait = requestBudget === undefined ? 0 : waitForRequests(charges, requestBudget, at, windowMs);
    if (tokenWait > 0 || requestWait > 0) {
      return {
        allowed: false,
        reason: tokenWait >= requestWait ? 'tokens' : 'requests',
        retryAfterS: Math.max(1, Math.ceil(Math.max(tokenWait, requestWait) / 1000)),
      };
    }

    charges.push({ at, tokens });
    return {
      allowed: true,
      remainingRequests: requestBudget === undefined ? NOMINAL_REMAINING.requests : requestBudget - charges.length,
      remainingTokens: tokenBudget === undefined ? NOMINAL_REMAINING.tokens : tokenBudget - usedTokens - tokens,
    };
  }

  reset(): void {
    this.buckets.clear();
  }
}

/** Milliseconds until `tokens` more fit; 0 when they fit now; the full window when they never can. */
function waitForTokens(charges: Charge[], used: number, tokens: number, budget: number, at: number, windowMs: number): number {
  if (used + tokens <= budget) return 0;
  if (tokens > budget) return windowMs;
  let freed = 0;
  for (const charge of charges) {
    freed += charge.tokens;
    if (used - freed + tokens <= budget) return charge.at + windowMs - at;
  }
  return windowMs;
}

function waitForRequests(charges: Charge[], budget: number, at: number, windowMs: number): number {
  if (charges.length + 1 <= budget) return 0;
  // The oldest charges must expire until only budget - 1 remain.
  const mustExpire = charges[charges.length - budget];
  return mustExpire ? mustExpire.at + windowMs - at : windowMs;
}
