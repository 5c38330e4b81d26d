import { HttpErrorResponse } from '@angular/common/http';
import type { ConnectionTest } from '../../../core/api/api-types';
import { ConnectionTestStore, summarize } from './connection-tests';

const ok = (over: Partial<ConnectionTest> = {}): ConnectionTest => ({
  resourceId: 'r1',
  ok: true,
  testable: true,
  operation: 'chat/completions',
  status: 200,
  latencyMs: 42,
  ...over,
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('ConnectionTestStore', () => {
  it('is running while the request is out, then holds the result', async () => {
    const answer = deferred<ConnectionTest>();
    const store = new ConnectionTestStore(() => answer.promise);
    const done = store.test('r1');
    expect(store.state('r1')).toEqual({ status: 'running' });
    expect(store.running('r1')).toBe(true);
    answer.resolve(ok());
    await done;
    expect(store.state('r1')).toEqual({ status: 'done', result: ok() });
    expect(store.state('r2')).toBeUndefined();
  });

  it('sends one test per resource at a time', async () => {
    const answer = deferred<ConnectionTest>();
    const send = vi.fn(() => answer.promise);
    const store = new ConnectionTestStore(send);
    const first = store.test('r1');
    await store.test('r1');
    expect(send).toHaveBeenCalledTimes(1);
    answer.resolve(ok());
    await first;
  });

  it('keeps resources apart and reports a failed call as a sentence', async () => {
    const store = new ConnectionTestStore(async (id) => {
      if (id === 'bad') throw new HttpErrorResponse({ status: 401, error: { code: 'unauthorized', message: 'Sign in again.' } });
      return ok({ resourceId: id });
    });
    await Promise.all([store.test('good'), store.test('bad')]);
    expect(store.state('good')).toEqual({ status: 'done', result: ok({ resourceId: 'good' }) });
    expect(store.state('bad')).toEqual({ status: 'failed', message: 'Sign in again.' });
  });

  it('drops an answer that arrives after the outcome was cleared', async () => {
    const answer = deferred<ConnectionTest>();
    const store = new ConnectionTestStore(() => answer.promise);
    const done = store.test('r1');
    store.clear('r1');
    answer.resolve(ok());
    await done;
    expect(store.state('r1')).toBeUndefined();
  });
});

describe('summarize', () => {
  it('shows the latency of a success', () => {
    expect(summarize({ status: 'done', result: ok() })).toEqual({ tone: 'ok', text: '42 ms', detail: 'HTTP 200 · chat/completions' });
  });

  it("shows the upstream's status and message", () => {
    const result = ok({ ok: false, status: 401, error: { code: '401', message: 'Access denied due to invalid subscription key.' } });
    expect(summarize({ status: 'done', result })).toEqual({ tone: 'error', text: 'HTTP 401', detail: 'Access denied due to invalid subscription key.' });
    const openai = ok({ ok: false, status: 401, error: { code: 'invalid_api_key', message: 'Incorrect API key provided: [key].' } });
    expect(summarize({ status: 'done', result: openai }).detail).toBe('Incorrect API key provided: [key]. (invalid_api_key)');
  });

  it('names transport failures and untestable classes', () => {
    const unreachable = ok({ ok: false, status: null, error: { code: 'connection_failed', message: 'Could not reach the upstream: the connection was refused.' } });
    expect(summarize({ status: 'done', result: unreachable })).toMatchObject({ tone: 'error', text: 'Unreachable' });
    const images = ok({ ok: false, testable: false, operation: null, status: null, latencyMs: null, error: { code: 'not_testable', message: 'Image deployments are not tested here.' } });
    expect(summarize({ status: 'done', result: images })).toEqual({ tone: 'neutral', text: 'Not testable', detail: 'Image deployments are not tested here.' });
    expect(summarize({ status: 'running' }).tone).toBe('busy');
    expect(summarize({ status: 'failed', message: 'Offline.' })).toEqual({ tone: 'error', text: 'Test failed', detail: 'Offline.' });
  });
});
