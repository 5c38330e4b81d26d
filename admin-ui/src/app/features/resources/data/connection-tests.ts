import { inject, Injectable, signal } from '@angular/core';
import { ApiClient } from '../../../core/api/api-client';
import { errorMessage } from '../../../core/api/api-error';
import type { ConnectionTest } from '../../../core/api/api-types';

export type TestState =
  | { status: 'running' }
  | { status: 'done'; result: ConnectionTest }
  /** Our own call failed (signed out, server unreachable): nothing is known about the upstream. */
  | { status: 'failed'; message: string };

export interface TestSummary {
  tone: 'busy' | 'ok' | 'error' | 'neutral';
  /** Short: "212 ms", "HTTP 401", "Not testable". */
  text: string;
  /** The sentence behind it, if any. */
  detail: string;
}

/**
 * The last test-connection outcome of each resource. One test per resource at a time; a result that
 * arrives after a newer test started for the same resource is dropped.
 */
export class ConnectionTestStore {
  private readonly states = signal<ReadonlyMap<string, TestState>>(new Map());
  private readonly generation = new Map<string, number>();

  constructor(private readonly send: (resourceId: string) => Promise<ConnectionTest>) {}

  state(resourceId: string): TestState | undefined {
    return this.states().get(resourceId);
  }

  running(resourceId: string): boolean {
    return this.state(resourceId)?.status === 'running';
  }

  async test(resourceId: string): Promise<void> {
    if (this.running(resourceId)) return;
    const mine = (this.generation.get(resourceId) ?? 0) + 1;
    this.generation.set(resourceId, mine);
    this.set(resourceId, { status: 'running' });
    let next: TestState;
    try {
      next = { status: 'done', result: await this.send(resourceId) };
    } catch (err) {
      next = { status: 'failed', message: errorMessage(err) };
    }
    if (this.generation.get(resourceId) === mine) this.set(resourceId, next);
  }

  /** Forgets a resource's outcome (e.g. after its settings changed). */
  clear(resourceId: string): void {
    this.generation.set(resourceId, (this.generation.get(resourceId) ?? 0) + 1);
    const map = new Map(this.states());
    map.delete(resourceId);
    this.states.set(map);
  }

  private set(resourceId: string, state: TestState): void {
    const map = new Map(this.states());
    map.set(resourceId, state);
    this.states.set(map);
  }
}

/** The store wired to the API, for pages. */
@Injectable({ providedIn: 'root' })
export class ConnectionTests extends ConnectionTestStore {
  constructor() {
    const api = inject(ApiClient);
    super((id) => api.post('/api/v1/admin/resources/{id}/test', { path: { id } }));
  }
}

/** What to show for a test's state. */
export function summarize(state: TestState): TestSummary {
  if (state.status === 'running') return { tone: 'busy', text: 'Testing…', detail: '' };
  if (state.status === 'failed') return { tone: 'error', text: 'Test failed', detail: state.message };
  const r = state.result;
  if (r.ok) return { tone: 'ok', text: `${r.latencyMs ?? 0} ms`, detail: `HTTP ${r.status}${r.operation ? ` · ${r.operation}` : ''}` };
  if (!r.testable) return { tone: 'neutral', text: 'Not testable', detail: r.error?.message ?? '' };
  const detail = r.error ? `${r.error.message}${r.status !== null && r.error.code !== String(r.status) ? ` (${r.error.code})` : ''}` : '';
  if (r.status !== null) return { tone: 'error', text: `HTTP ${r.status}`, detail };
  const text: Record<string, string> = { timeout: 'Timed out', connection_failed: 'Unreachable', no_endpoint: 'No endpoint' };
  return { tone: 'error', text: text[r.error?.code ?? ''] ?? 'Failed', detail };
}
