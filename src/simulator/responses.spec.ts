import { type ResponseMetaInput, planResponse, responseBody, responseStream } from './responses';

const body = { model: 'gpt-4o', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi there' }] }], instructions: 'be nice' };
const meta: ResponseMetaInput = { id: 'resp_1', created: 1700000000, model: 'gpt-4o-2024-08-06', chunkWords: 1, body };

describe(responseBody.name, () => {
  it('is a completed response with one output_text part and usage', () => {
    const sut = responseBody(planResponse(body, undefined), meta);

    expect(sut).toMatchObject({
      id: 'resp_1',
      object: 'response',
      created_at: 1700000000,
      status: 'completed',
      instructions: 'be nice',
      model: 'gpt-4o-2024-08-06',
      output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'echo: hi there' }] }],
      usage: { input_tokens: 2 + 2, output_tokens: 4, total_tokens: 8 },
    });
  });

  it('is incomplete when max_output_tokens cuts the text', () => {
    const sut = responseBody(planResponse({ ...body, max_output_tokens: 1 }, undefined), meta);

    expect(sut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });
});

describe(responseStream.name, () => {
  const plan = planResponse(body, undefined);

  it('emits the named events in order with increasing sequence numbers and no [DONE]', () => {
    const sut = responseStream(plan, meta).events;

    expect(sut.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(sut.map((e) => (e.data as { sequence_number: number }).sequence_number)).toEqual([...Array(sut.length).keys()]);
    expect(sut.map((e) => (e.data as { type: string }).type)).toEqual(sut.map((e) => e.event));
    expect(sut.filter((e) => e.kind === 'content').map((e) => e.text).join('')).toBe('echo: hi there');
  });

  it('ends a filtered stream as incomplete, numbering on from what was sent', () => {
    const sut = responseStream(plan, meta).filtered('echo: ', 5);

    expect(sut.at(-1)).toMatchObject({
      event: 'response.incomplete',
      data: { sequence_number: 8, response: { status: 'incomplete', incomplete_details: { reason: 'content_filter' } } },
    });
  });
});
