import { approxTextTokens, countTextTokens, estimatePromptTokens } from './token-estimator';

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

  it('approximates reservations from UTF-8 bytes: at or above the tokenizer for English and code, near it for CJK', () => {
    expect(approxTextTokens('')).toBe(0);
    const english = 'The workshop starts at nine; bring a laptop with Node installed and an editor you like.';
    expect(approxTextTokens(english)).toBeGreaterThanOrEqual(countTextTokens(english));
    const code = 'export function add(a: number, b: number): number { return a + b; }';
    expect(approxTextTokens(code)).toBeGreaterThanOrEqual(countTextTokens(code));
    const japanese = '東京で開催されるワークショップへようこそ。';
    expect(approxTextTokens(japanese)).toBe(japanese.length);
    expect(approxTextTokens(japanese)).toBeGreaterThanOrEqual(countTextTokens(japanese) * 0.5);
    expect(estimatePromptTokens({ prompt: english }, approxTextTokens)).toBe(approxTextTokens(english));
  });
});
