import { authorize } from './auth';
import { SimulatedError } from './errors';
import { resolveConfig } from './simulator.config';

const config = resolveConfig({ apiKey: 'k', bearerTokens: ['entra-token'], search: { apiKey: 'search-key' } });

function statusOf(run: () => void): number | 'ok' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof SimulatedError) return error.status;
    throw error;
  }
}

describe(authorize.name, () => {
  it.each([
    ['azure', { 'api-key': 'k' }, 'ok'],
    ['azure', { authorization: 'Bearer entra-token' }, 'ok'],
    ['azure', { authorization: 'Bearer k' }, 'ok'],
    ['azure', { 'api-key': 'nope' }, 401],
    ['azure', {}, 401],
    ['azure-v1', { 'api-key': 'k' }, 'ok'],
    ['azure-v1', { authorization: 'Bearer k' }, 'ok'],
    ['openai', { authorization: 'Bearer k' }, 'ok'],
    ['openai', { 'api-key': 'k' }, 401],
    ['openai', { authorization: 'Bearer entra-token' }, 401],
    ['search', { 'api-key': 'search-key' }, 'ok'],
    ['search', { authorization: 'Bearer entra-token' }, 'ok'],
    ['search', { 'api-key': 'k' }, 403],
    ['search', {}, 401],
  ] as const)('%s with %j → %s', (surface, headers, expected) => {
    expect(statusOf(() => authorize(surface, headers, config))).toBe(expected);
  });

  it('answers OpenAI auth failures with invalid_api_key', () => {
    try {
      authorize('openai', { authorization: 'Bearer sk-wrong-key-123456' }, config);
      throw new Error('expected a failure');
    } catch (error) {
      expect((error as SimulatedError).body).toEqual({
        error: { message: expect.stringContaining('sk-'), type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
      });
      expect(JSON.stringify((error as SimulatedError).body)).not.toContain('sk-wrong-key-123456');
    }
  });
});
