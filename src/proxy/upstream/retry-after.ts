type HeaderValue = string | string[] | undefined;

function first(v: HeaderValue): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Parses "1s", "6m0s", "12ms", "1.5" (seconds) as OpenAI and Azure send them. */
function parseDuration(value: string): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let matched = false;
  for (const m of trimmed.matchAll(re)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  return matched ? total : undefined;
}

/**
 * How long an upstream asked us to wait, in ms: `retry-after-ms` first, then `retry-after` (seconds or
 * an HTTP date), then the `x-ratelimit-reset-*` family. Undefined when none is present or parseable.
 */
export function retryAfterMs(headers: Record<string, HeaderValue>, now = Date.now()): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const ra = first(headers['retry-after']);
  if (ra !== undefined) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.ceil(Number(ra) * 1000);
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens', 'x-rate-limit-reset-tokens']) {
    const v = first(headers[name]);
    if (v !== undefined) {
      const parsed = parseDuration(v);
      if (parsed !== undefined) return Math.ceil(parsed);
    }
  }
  return undefined;
}
