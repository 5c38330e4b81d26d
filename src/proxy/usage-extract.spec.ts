import { chunkText, isUsageOnlyChunk, usageFrom } from './usage-extract';

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
  });

  it('recognises the usage-only chunk but not the Azure annotation chunk', () => {
    expect(isUsageOnlyChunk({ choices: [], usage: { total_tokens: 1 } })).toBe(true);
    expect(isUsageOnlyChunk({ choices: [], usage: null, prompt_filter_results: [] })).toBe(false);
    expect(isUsageOnlyChunk({ choices: [{ delta: {} }], usage: { total_tokens: 1 } })).toBe(false);
  });
});
