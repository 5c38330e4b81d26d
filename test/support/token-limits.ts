import type { HttpResult } from './http';
import { expectOpenAiError, waitFor } from './proxy';

/** A minute window must not roll over in the middle of a test: start early in a minute, `spareS` before its end. */
export async function freshMinute(spareS = 15): Promise<void> {
  await waitFor(() => Date.now() % 60_000 < 60_000 - spareS * 1000, `a minute with ${spareS} s to spare`, (spareS + 5) * 1000);
}

/** A token budget's 429: the OpenAI error naming the limit, and a retry-after within `maxRetryAfterS`. */
export function expectTokenLimit(res: HttpResult, limit: string, maxRetryAfterS: number): void {
  const error = expectOpenAiError(res, 429, 'token_limit_exceeded');
  expect(error.message).toContain(limit);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfterS);
}
