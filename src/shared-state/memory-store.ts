import type { AdmitResult, CounterAdjustment, CounterStore, CounterWindow } from './counter-store';

interface Entry {
  value: number;
  /** What this store added on top of the seed: the part a Redis resync must push. */
  delta: number;
  expiresAt: number;
}

export interface LocalEntry {
  key: string;
  value: number;
  delta: number;
  ttlMs: number;
}

/**
 * Counters in this process's memory. Synchronous inside, so each operation is atomic by construction;
 * used alone (one process), by the cluster primary for all workers, and as the fallback while Redis is away.
 */
export class MemoryStore implements CounterStore {
  private readonly entries = new Map<string, Entry>();
  private sweeps = 0;

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string, at: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt <= at) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  admitSync(windows: CounterWindow[]): AdmitResult {
    const at = this.now();
    const current: number[] = [];
    const missing: number[] = [];
    windows.forEach((w, i) => {
      const e = this.live(w.key, at);
      if (e) current.push(e.value);
      else if (w.seed !== undefined) current.push(w.seed);
      else {
        if (w.seeded) missing.push(i);
        current.push(0);
      }
    });
    if (missing.length) return { status: 'missing', indexes: missing };
    for (let i = 0; i < windows.length; i++) {
      const limit = windows[i].limit;
      if (limit !== null && current[i] >= limit) return { status: 'refused', index: i, current: current[i] };
    }
    const values = windows.map((w, i) => {
      const e = this.live(w.key, at);
      const value = current[i] + w.amount;
      this.entries.set(w.key, { value, delta: (e?.delta ?? 0) + w.amount, expiresAt: at + w.ttlMs });
      return value;
    });
    this.maybeSweep(at);
    return { status: 'admitted', values };
  }

  adjustSync(items: CounterAdjustment[]): void {
    const at = this.now();
    for (const { key, delta } of items) {
      // An expired window needs no settling; creating it would also skip its seed from the database.
      const e = this.live(key, at);
      if (!e) continue;
      e.value = Math.max(0, e.value + delta);
      e.delta += delta;
    }
  }

  getSync(keys: string[]): (number | null)[] {
    const at = this.now();
    return keys.map((k) => this.live(k, at)?.value ?? null);
  }

  nextSync(key: string, ttlMs: number): number {
    const at = this.now();
    const e = this.live(key, at);
    const value = (e?.value ?? 0) + 1;
    this.entries.set(key, { value, delta: 0, expiresAt: at + ttlMs });
    return value;
  }

  admit(windows: CounterWindow[]): Promise<AdmitResult> {
    return Promise.resolve(this.admitSync(windows));
  }

  adjust(items: CounterAdjustment[]): Promise<void> {
    this.adjustSync(items);
    return Promise.resolve();
  }

  get(keys: string[]): Promise<(number | null)[]> {
    return Promise.resolve(this.getSync(keys));
  }

  next(key: string, ttlMs: number): Promise<number> {
    return Promise.resolve(this.nextSync(key, ttlMs));
  }

  /** Everything this store changed, for pushing into Redis when it returns; the store is emptied. */
  drain(): LocalEntry[] {
    const at = this.now();
    const out: LocalEntry[] = [];
    for (const [key, e] of this.entries) {
      if (e.expiresAt > at && e.delta !== 0) out.push({ key, value: e.value, delta: e.delta, ttlMs: e.expiresAt - at });
    }
    this.entries.clear();
    return out;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Expired windows are dropped every few thousand writes, so memory stays bounded without a timer. */
  private maybeSweep(at: number): void {
    if (++this.sweeps < 4096) return;
    this.sweeps = 0;
    for (const [key, e] of this.entries) if (e.expiresAt <= at) this.entries.delete(key);
  }
}
