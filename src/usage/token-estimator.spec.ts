import { countTextTokens, estimatePromptTokens } from './token-estimator';

describe('token estimator', () => {
  it('counts text with the GPT-4o encoding', () => {
    expect(countTextTokens('')).toBe(0);
    expect(countTextTokens('hello world')).toBe(2);
  });

  it('estimates chat prompts including per-message framing', () => {
    const body = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'hello world' }] }] };
    expect(estimatePromptTokens(body)).toBe(3 + (3 + countTextTokens('Be brief.')) + (3 + 2));
  });

  it('estimates completions prompts and embedding inputs', () => {
    expect(estimatePromptTokens({ prompt: 'hello world' })).toBe(2);
    expect(estimatePromptTokens({ input: ['hello world', 'hello world'] })).toBe(4);
    expect(estimatePromptTokens({ input: [[1, 2, 3]] })).toBe(3);
  });
});
