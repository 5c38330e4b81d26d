import type { ResponseMeta } from './chat';
import { completionBody, completionStream, planCompletion } from './completions';

const meta: ResponseMeta = { id: 'cmpl-x', created: 1, model: 'gpt-35-turbo-instruct', annotations: false, chunkWords: 2 };

describe(planCompletion.name, () => {
  it('answers one choice per prompt and defaults max_tokens to 16 like the API', () => {
    const sut = planCompletion({ prompt: ['a', 'x'.repeat(100)] }, undefined);

    expect(sut.choices).toEqual([
      { text: 'echo: a', finishReason: 'stop' },
      { text: `echo: ${'x'.repeat(58)}`, finishReason: 'length' },
    ]);
  });
});

describe(completionBody.name, () => {
  it('is a text_completion with usage', () => {
    expect(completionBody(planCompletion({ prompt: 'hi' }, undefined), meta)).toEqual({
      id: 'cmpl-x',
      object: 'text_completion',
      created: 1,
      model: 'gpt-35-turbo-instruct',
      choices: [{ text: 'echo: hi', index: 0, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });
});

describe(completionStream.name, () => {
  it('streams text pieces then a finish chunk and [DONE]', () => {
    const sut = completionStream(planCompletion({ prompt: 'one two three' }, undefined), meta, false).events;

    const texts = sut.filter((e) => e.kind === 'content').map((e) => e.text);
    expect(texts).toEqual(['echo: one ', 'two three']);
    expect(sut.at(-2)?.data).toMatchObject({ object: 'text_completion', choices: [{ text: '', finish_reason: 'stop' }] });
    expect(sut.at(-1)?.data).toBe('[DONE]');
  });
});
