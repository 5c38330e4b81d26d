import type { Cluster, Worker } from 'node:cluster';
import { callStore, type AdmitResult, type CounterAdjustment, type CounterStore, type CounterWindow, type StoreCall } from './counter-store';
import { MemoryStore } from './memory-store';

/** Messages between cluster workers and the primary; tagged so other IPC traffic passes by. */
export type IpcMessage =
  | { aipShared: 'call'; id: number; call: StoreCall }
  | { aipShared: 'result'; id: number; result?: unknown; error?: string }
  | { aipShared: 'publish'; origin: string; channel: string; data: unknown };

function isIpcMessage(m: unknown): m is IpcMessage {
  return typeof m === 'object' && m !== null && 'aipShared' in m;
}

/**
 * Runs in the cluster primary: one MemoryStore serves every worker, so the workers of one machine share
 * caps, budgets and positions without Redis; published messages are relayed to the other workers.
 */
export function hostSharedState(cluster: Cluster): MemoryStore {
  const store = new MemoryStore();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isIpcMessage(message)) return;
    if (message.aipShared === 'call') {
      const { id, call } = message;
      callStore(store, call).then(
        (result) => worker.isConnected() && worker.send({ aipShared: 'result', id, result } satisfies IpcMessage),
        (err: unknown) => worker.isConnected() && worker.send({ aipShared: 'result', id, error: String(err) } satisfies IpcMessage),
      );
    } else if (message.aipShared === 'publish') {
      for (const other of Object.values(cluster.workers ?? {})) if (other && other !== worker && other.isConnected()) other.send(message);
    }
  });
  return store;
}

/** A worker's view of the primary's store: each operation is one IPC round trip, bounded by a timeout. */
export class IpcStore implements CounterStore {
  private seq = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private readonly listener = (message: unknown) => {
    if (!isIpcMessage(message)) return;
    if (message.aipShared === 'result') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      clearTimeout(p.timer);
      if (message.error !== undefined) p.reject(new Error(message.error));
      else p.resolve(message.result);
    } else if (message.aipShared === 'publish') {
      this.onPublish(message.origin, message.channel, message.data);
    }
  };

  constructor(
    private readonly onPublish: (origin: string, channel: string, data: unknown) => void,
    private readonly timeoutMs = 2_000,
  ) {
    process.on('message', this.listener);
  }

  close(): void {
    process.off('message', this.listener);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('shared state closed'));
    }
    this.pending.clear();
  }

  private call<T>(call: StoreCall): Promise<T> {
    const send = process.send?.bind(process);
    if (!send || !process.connected) return Promise.reject(new Error('not connected to the cluster primary'));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the cluster primary did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      send({ aipShared: 'call', id, call } satisfies IpcMessage);
    });
  }

  publish(origin: string, channel: string, data: unknown): void {
    if (process.send && process.connected) process.send({ aipShared: 'publish', origin, channel, data } satisfies IpcMessage);
  }

  admit(windows: CounterWindow[]): Promise<AdmitResult> {
    return this.call({ op: 'admit', args: [windows] });
  }

  adjust(items: CounterAdjustment[]): Promise<void> {
    return this.call({ op: 'adjust', args: [items] });
  }

  get(keys: string[]): Promise<(number | null)[]> {
    return this.call({ op: 'get', args: [keys] });
  }

  next(key: string, ttlMs: number): Promise<number> {
    return this.call({ op: 'next', args: [key, ttlMs] });
  }
}
