type Headers = Record<string, string | string[] | undefined>;

interface Reading {
  tokens: number | null;
  requests: number | null;
  at: number;
}

function numberHeader(headers: Headers, name: string): number | null {
  const raw = headers[name];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw === undefined || !Number.isFinite(value) || value < 0 ? null : value;
}

/**
 * What each backend last said about its remaining quota (`x-ratelimit-remaining-tokens` / `-requests`,
 * sent by Azure OpenAI on every answer). A reading older than the quota window says nothing any more.
 */
export class QuotaHeadroom {
  private readonly readings = new Map<string, Reading>();

  constructor(private readonly maxAgeMs = 60_000) {}

  record(id: string, headers: Headers, now: number): void {
    const tokens = numberHeader(headers, 'x-ratelimit-remaining-tokens');
    const requests = numberHeader(headers, 'x-ratelimit-remaining-requests');
    if (tokens === null && requests === null) return;
    this.readings.set(id, { tokens, requests, at: now });
  }

  /** Remaining tokens (requests when only those are reported); 0 when out of requests; undefined when unknown. */
  headroom(id: string, now: number): number | undefined {
    const r = this.readings.get(id);
    if (!r || now - r.at > this.maxAgeMs) return undefined;
    if (r.requests === 0) return 0;
    return r.tokens ?? r.requests ?? undefined;
  }
}
