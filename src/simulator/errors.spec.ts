import { errors, maskKey } from './errors';

describe('errors', () => {
  it('answers a rate limit with both retry headers and exhausted remainders', () => {
    const sut = errors.rateLimited('azure', {
      retryAfterMs: 2500,
      reason: 'tokens',
      deployment: 'gpt-4o',
      operation: 'ChatCompletions_Create',
      apiVersion: '2024-10-21',
    });

    expect(sut.status).toBe(429);
    expect(sut.headers).toEqual({
      'retry-after': '3',
      'retry-after-ms': '2500',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-remaining-tokens': '0',
    });
    expect(sut.body).toEqual({
      error: { code: '429', message: expect.stringContaining('ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21') },
    });
  });

  it('uses the wire names innererror/content_filter_result for a filtered prompt', () => {
    expect(errors.contentFilter().body).toMatchObject({
      error: {
        code: 'content_filter',
        param: 'prompt',
        status: 400,
        innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { sexual: { filtered: true, severity: 'medium' } } },
      },
    });
  });

  it('answers injected 500 and 503 in each surface style', () => {
    expect(errors.injected('azure', 500).body).toEqual({
      error: { code: 'InternalServerError', message: 'The server had an error while processing your request.' },
    });
    expect(errors.injected('openai', 503).body).toEqual({
      error: { message: expect.stringContaining('overloaded'), type: 'server_error', param: null, code: null },
    });
  });
});

describe(maskKey.name, () => {
  it('never shows the whole key', () => {
    expect(maskKey('sk-abcdefghijklmnop')).toBe('sk-************mnop');
    expect(maskKey('short')).toBe('*****');
  });
});
