import { OPERATIONS } from '../proxy/proxy-operations';
import { countsTokens, hasTokenLimits, tokenReservation } from './token-budget';

describe('token budget', () => {
  const chat = { messages: [{ role: 'user', content: 'hello there' }] };
  // 3 reply + 3 message framing + ceil(11 bytes / 3): byte-length estimates, no tokenizer on this path.
  const prompt = 10;

  it('reserves the prompt plus the max_tokens asked for, or the event cap when none is', () => {
    expect(tokenReservation({ ...chat, max_tokens: 300 }, OPERATIONS.chat, 4_096)).toBe(prompt + 300);
    expect(tokenReservation({ ...chat, max_completion_tokens: 50 }, OPERATIONS.chat, 4_096)).toBe(prompt + 50);
    expect(tokenReservation(chat, OPERATIONS.chat, 512)).toBe(prompt + 512);
    expect(tokenReservation({ input: 'hi', max_output_tokens: 20 }, OPERATIONS.responses, 512)).toBe(1 + 20);
  });

  it('reserves only the input for embeddings', () => {
    expect(tokenReservation({ input: 'hello there' }, OPERATIONS.embeddings, 512)).toBe(4);
  });

  it('meters text generation and embeddings, not images, audio or search', () => {
    expect(['chat', 'completions', 'responses', 'embeddings', 'inferenceChat'].every((op) => countsTokens(OPERATIONS[op as keyof typeof OPERATIONS]))).toBe(true);
    expect(['images', 'speech', 'transcriptions', 'search'].some((op) => countsTokens(OPERATIONS[op as keyof typeof OPERATIONS]))).toBe(false);
  });

  it('knows when any budget is set', () => {
    const none = { attendeePerMinute: null, attendeePerDay: null, eventPerMinute: null, eventPerDay: null };
    expect(hasTokenLimits(none)).toBe(false);
    expect(hasTokenLimits({ ...none, eventPerDay: 1 })).toBe(true);
  });
});
