import { type ResponseMeta, chatCompletion, chatStream, filterChatPlan, placeholderArguments, planChat } from './chat';
import type { JsonObject } from './prompt';
import type { StreamEvent } from './sse';

const meta: ResponseMeta = { id: 'chatcmpl-x', created: 1700000000, model: 'gpt-4o-2024-08-06', annotations: true, chunkWords: 1 };
const options = { toolCallTrigger: 'weather' };
const user = (content: string): JsonObject => ({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content }] });

type Chunk = { choices: { delta?: { content?: string }; finish_reason?: string | null }[]; usage: unknown };
const chunks = (events: StreamEvent[]): Chunk[] => events.filter((e) => e.data !== '[DONE]').map((e) => e.data as Chunk);
const streamedText = (events: StreamEvent[]): string =>
  chunks(events)
    .flatMap((c) => c.choices.map((choice) => choice.delta?.content ?? ''))
    .join('');

describe(planChat.name, () => {
  it('echoes the last user text and counts tokens by ceil(chars/4)', () => {
    const sut = planChat(user('hello world'), meta.id, options);

    expect(sut.choices).toEqual([{ text: 'echo: hello world', finishReason: 'stop' }]);
    expect(sut.promptTokens).toBe(Math.ceil('be brief'.length / 4) + Math.ceil('hello world'.length / 4));
  });

  it('truncates to max_completion_tokens with finish_reason length, and answers n choices', () => {
    const sut = planChat({ ...user('hello world'), max_completion_tokens: 2, n: 3 }, meta.id, options);

    expect(sut.choices).toEqual(Array(3).fill({ text: 'echo: he', finishReason: 'length' }));
  });

  it('uses the configured reply text', () => {
    expect(planChat(user('x'), meta.id, { ...options, replyText: 'fixed' }).choices[0]?.text).toBe('fixed');
  });

  it('calls a tool when the last user turn mentions the trigger word', () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { properties: { location: { type: 'string' } } } } }];

    const sut = planChat({ ...user('What is the Weather in Paris?'), tools }, meta.id, options);

    expect(sut.choices[0]).toMatchObject({
      text: null,
      finishReason: 'tool_calls',
      toolCall: { type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
    });
    expect(planChat({ ...user('hello'), tools }, meta.id, options).choices[0]?.toolCall).toBeUndefined();
    expect(planChat({ ...user('weather'), tools, tool_choice: 'none' }, meta.id, options).choices[0]?.toolCall).toBeUndefined();
  });
});

describe(placeholderArguments.name, () => {
  it('fills each property by its schema type', () => {
    const parameters = { properties: { unit: { type: 'string', enum: ['c', 'f'] }, days: { type: 'integer' }, exact: { type: 'boolean' } } };

    expect(JSON.parse(placeholderArguments(parameters))).toEqual({ unit: 'c', days: 1, exact: true });
  });
});

describe(chatCompletion.name, () => {
  it('has the Azure wire shape with annotations', () => {
    const sut = chatCompletion(planChat(user('hi'), meta.id, options), meta);

    expect(sut).toMatchObject({
      id: 'chatcmpl-x',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-4o-2024-08-06',
      system_fingerprint: expect.stringMatching(/^fp_/),
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }],
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'echo: hi' }, content_filter_results: expect.any(Object) }],
      usage: { prompt_tokens: 2 + 1, completion_tokens: 2, total_tokens: 5 },
    });
  });

  it('omits the Azure annotations for OpenAI', () => {
    const sut = chatCompletion(planChat(user('hi'), meta.id, options), { ...meta, annotations: false });

    expect(sut).not.toHaveProperty('prompt_filter_results');
    expect(sut['choices']).toEqual([expect.not.objectContaining({ content_filter_results: expect.anything() })]);
  });

  it('reports content_filter with the text up to the filter point', () => {
    const sut = chatCompletion(filterChatPlan(planChat(user('a b c'), meta.id, options), 1, 2), meta);

    expect(sut['choices']).toMatchObject([{ finish_reason: 'content_filter', message: { content: 'echo: a ' } }]);
  });
});

describe(chatStream.name, () => {
  const plan = planChat(user('one two three'), meta.id, options);

  it('follows the Azure order: annotations, role, content, finish, [DONE]', () => {
    const sut = chatStream(plan, meta, false).events;

    expect(sut.map((e) => e.kind)).toEqual(['head', 'head', 'content', 'content', 'content', 'content', 'tail', 'tail']);
    expect(chunks(sut)[0]).toMatchObject({ id: '', object: '', choices: [], usage: null, prompt_filter_results: expect.any(Array) });
    expect(chunks(sut)[1]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks(sut).at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(sut.at(-1)?.data).toBe('[DONE]');
    expect(streamedText(sut)).toBe('echo: one two three');
    expect(chunks(sut).every((c) => c.usage === null)).toBe(true);
  });

  it('adds one usage chunk with empty choices before [DONE] when asked', () => {
    const sut = chunks(chatStream(plan, meta, true).events);

    expect(sut.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: plan.promptTokens, completion_tokens: 5 } });
    expect(sut.filter((c) => c.usage !== null)).toHaveLength(1);
  });

  it('sends no annotation chunk for OpenAI', () => {
    expect(chunks(chatStream(plan, { ...meta, annotations: false }, false).events)[0]?.choices).toHaveLength(1);
  });

  it('ends a filtered stream with content_filter, usage and [DONE]', () => {
    const sut = chatStream(plan, meta, true).filtered('echo: ', 3);

    expect(sut.map((e) => e.data)).toEqual([
      expect.objectContaining({ choices: [expect.objectContaining({ finish_reason: 'content_filter' })] }),
      expect.objectContaining({ usage: { prompt_tokens: plan.promptTokens, completion_tokens: 2, total_tokens: plan.promptTokens + 2 } }),
      '[DONE]',
    ]);
  });

  it('fails with an error line openai-node turns into APIError', () => {
    expect(chatStream(plan, meta, false).failed(3)).toEqual([{ kind: 'tail', data: { error: { code: '500', message: expect.any(String) } } }]);
  });
});
