import type { RunningSimulator } from '../../src/simulator/simulator.app';
import type { LoggedRequest } from '../../src/simulator/request-log';
import type { OpenAiError } from './api';
import type { HttpClient, HttpResult } from './http';

/** Usage report of GET /api/v1/admin/events/{id}/usage, as the tests read it. */
export type { UsageReport } from '../../src/usage/dto/usage.schemas';

/**
 * Polls `probe` until it returns something other than undefined/false, or fails with the last value
 * seen once `timeoutMs` has passed. Tests wait on conditions this way, never on fixed sleeps.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Asserts an OpenAI-shaped error with its status (in the body too), code and a non-empty message; returns the error object. */
export function expectOpenAiError(res: HttpResult, status: number, code: string): OpenAiError['error'] {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { error: { code } } });
  const error = (res.body as OpenAiError).error;
  expect(error).toEqual({ message: expect.any(String), type: expect.any(String), code, param: error.param ?? null, status });
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

/** A resource body pointing at a separately started simulator (so its request log shows what the proxy sent). */
export function simulatedResource(sim: RunningSimulator, apiKey: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Chat (own simulator)', upstream: 'azure', endpointUrl: sim.url, apiKey, modelClass: 'openai-chat', ...overrides };
}

/** A resource body for the app's built-in simulator. */
export function builtinResource(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Built-in simulator', upstream: 'simulator', endpointUrl: undefined, apiKey: undefined, modelClass: 'openai-chat', ...overrides };
}

/** The simulator's logged requests for one path, oldest first. */
export async function upstreamRequests(sim: RunningSimulator, pathEndsWith: string): Promise<LoggedRequest[]> {
  return (await sim.control.requests()).filter((r) => r.path.endsWith(pathEndsWith));
}

/** Headers an attendee sends: Azure style (`api-key`) or OpenAI style (Bearer). */
export function attendeeHeaders(key: string, style: 'azure' | 'openai' = 'openai'): Record<string, string> {
  return style === 'azure' ? { 'api-key': key } : { authorization: `Bearer ${key}` };
}

export const USER_HELLO = [{ role: 'user', content: 'hello there' }];

/** POST a chat request on the OpenAI route as an attendee. */
export function chat(http: HttpClient, key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return http.post('/v1/chat/completions', { messages: USER_HELLO, ...body }, { headers: { ...attendeeHeaders(key), ...headers } });
}
