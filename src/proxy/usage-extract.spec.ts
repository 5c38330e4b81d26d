import { chunkText, isUsageOnlyChunk, streamEnding, usageFrom } from './usage-extract';

describe('usage extraction', () => {
  it('reads chat, embeddings and Responses API usage', () => {
    expect(usageFrom({ usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    expect(usageFrom({ usage: { prompt_tokens: 5, total_tokens: 5 } })).toEqual({ promptTokens: 5, completionTokens: 0, totalTokens: 5 });
    expect(usageFrom({ usage: { input_tokens: 2, output_tokens: 3 } })).toEqual({ promptTokens: 2, completionTokens: 3, totalTokens: 5 });
    expect(usageFrom({ usage: null })).toBeUndefined();
    expect(usageFrom('x')).toBeUndefined();
  });

  it('collects streamed text from chat deltas, tool calls and completions', () => {
    expect(chunkText({ choices: [{ delta: { content: 'Hel' } }, { delta: { content: 'lo' } }] })).toBe('Hello');
    expect(chunkText({ choices: [{ delta: { tool_calls: [{ function: { arguments: '{"a"' } }] } }] })).toBe('{"a"');
    expect(chunkText({ choices: [{ text: 'abc' }] })).toBe('abc');
    expect(chunkText({ choices: [], prompt_filter_results: [] })).toBe('');
    expect(chunkText({ type: 'response.output_text.delta', delta: 'Hi ' })).toBe('Hi ');
    expect(chunkText({ type: 'response.output_text.done', text: 'Hi there' })).toBe('');
  });

  it('knows the final events of named-event streams and the errors they carry', () => {
    expect(streamEnding({ type: 'response.completed', response: { usage: null } })).toEqual({ final: true });
    expect(streamEnding({ type: 'response.incomplete', response: {} })).toEqual({ final: true });
    expect(streamEnding({ type: 'response.failed', response: { error: { code: 'server_error' } } })).toEqual({ final: true, errorCode: 'server_error' });
    expect(streamEnding({ type: 'response.failed', response: { error: null } })).toEqual({ final: true, errorCode: 'response_failed' });
    expect(streamEnding({ type: 'error', code: 'rate_limit_exceeded', message: 'x' })).toEqual({ final: false, errorCode: 'rate_limit_exceeded' });
    expect(streamEnding({ type: 'transcript.text.done', text: 'x' })).toEqual({ final: true });
    expect(streamEnding({ type: 'response.output_text.delta', delta: 'x' })).toEqual({ final: false });
    expect(streamEnding({ choices: [] })).toEqual({ final: false });
  });

  it('recognises the usage-only chunk but not the Azure annotation chunk', () => {
    expect(isUsageOnlyChunk({ choices: [], usage: { total_tokens: 1 } })).toBe(true);
    expect(isUsageOnlyChunk({ choices: [], usage: null, prompt_filter_results: [] })).toBe(false);
    expect(isUsageOnlyChunk({ choices: [{ delta: {} }], usage: { total_tokens: 1 } })).toBe(false);
  });
});
