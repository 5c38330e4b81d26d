/**
 * One counter window touched by an admission: `amount` is added when every limited window still has room.
 * Windows are fixed (a minute, a day) and named by their key, so a TTL only has to clean them up.
 */
export interface CounterWindow {
  key: string;
  amount: number;
  /** Admission needs `current < limit`; null counts without limiting. */
  limit: number | null;
  ttlMs: number;
  /** The key's starting value when absent (loaded from the database); see `seeded`. */
  seed?: number;
  /** An absent key must be seeded before admission: the store answers `missing` when no seed is given. */
  seeded?: boolean;
}

export type AdmitResult =
  | { status: 'admitted'; values: number[] }
  /** `index` names the window that had no room, `current` its value. */
  | { status: 'refused'; index: number; current: number }
  | { status: 'missing'; indexes: number[] };

export interface CounterAdjustment {
  key: string;
  delta: number;
  ttlMs: number;
}

/**
 * The atomic counter operations behind caps, token budgets and round-robin positions. Implemented in
 * memory (one process, or the cluster primary for its workers) and in Redis (any number of replicas).
 * Every operation is atomic across all windows it names.
 */
export interface CounterStore {
  admit(windows: CounterWindow[]): Promise<AdmitResult>;
  /** Adds deltas (settle, release, refund) to existing windows; values never go below zero. */
  adjust(items: CounterAdjustment[]): Promise<void>;
  get(keys: string[]): Promise<(number | null)[]>;
  /** The next value of a sequence (round-robin position), starting at 1. */
  next(key: string, ttlMs: number): Promise<number>;
}

/** Serialised form sent over cluster IPC. */
export type StoreCall =
  | { op: 'admit'; args: [CounterWindow[]] }
  | { op: 'adjust'; args: [CounterAdjustment[]] }
  | { op: 'get'; args: [string[]] }
  | { op: 'next'; args: [string, number] };

export function callStore(store: CounterStore, call: StoreCall): Promise<unknown> {
  switch (call.op) {
    case 'admit':
      return store.admit(...call.args);
    case 'adjust':
      return store.adjust(...call.args);
    case 'get':
      return store.get(...call.args);
    case 'next':
      return store.next(...call.args);
  }
}
