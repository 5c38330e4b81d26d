/**
 * Per attendee-day request and token counts, held in memory so the cap check is a synchronous
 * check-and-increment (no over-admission under concurrency). A key is loaded from the database once,
 * the first time it is touched; concurrent first requests share that one load.
 */
export interface DayCount {
  requests: number;
  tokens: number;
}

export class DailyCounters {
  private readonly counts = new Map<string, DayCount>();
  private readonly loading = new Map<string, Promise<DayCount>>();

  constructor(private readonly load: (attendeeId: string, day: string) => Promise<DayCount>) {}

  private async entry(attendeeId: string, day: string): Promise<DayCount> {
    const key = `${attendeeId}|${day}`;
    const hit = this.counts.get(key);
    if (hit) return hit;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(attendeeId, day).then(
        (loaded) => {
          const count = this.counts.get(key) ?? { ...loaded };
          this.counts.set(key, count);
          this.loading.delete(key);
          return count;
        },
        (err: unknown) => {
          this.loading.delete(key);
          throw err;
        },
      );
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** Takes one request from the day's allowance; false (and nothing taken) when the cap is reached. */
  async tryTake(attendeeId: string, day: string, cap: number): Promise<{ ok: boolean; used: number }> {
    const count = await this.entry(attendeeId, day);
    if (count.requests >= cap) return { ok: false, used: count.requests };
    count.requests++;
    return { ok: true, used: count.requests };
  }

  /** Gives back a request that never reached a model (our own failure). */
  refund(attendeeId: string, day: string): void {
    const count = this.counts.get(`${attendeeId}|${day}`);
    if (count && count.requests > 0) count.requests--;
  }

  addTokens(attendeeId: string, day: string, tokens: number): void {
    const count = this.counts.get(`${attendeeId}|${day}`);
    if (count) count.tokens += tokens;
  }

  async peek(attendeeId: string, day: string): Promise<DayCount> {
    return { ...(await this.entry(attendeeId, day)) };
  }

  /** Drops days other than those still current somewhere, bounding memory over a long event. */
  prune(keepDays: Set<string>): void {
    for (const key of this.counts.keys()) if (!keepDays.has(key.slice(key.indexOf('|') + 1))) this.counts.delete(key);
  }
}
