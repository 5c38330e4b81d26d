import { responseCreatedId, responseDoneUsage } from './realtime-usage';

const frame = (event: unknown) => Buffer.from(JSON.stringify(event));

describe(responseDoneUsage.name, () => {
  it('reads the tokens of a response.done', () => {
    const sut = responseDoneUsage(
      frame({ type: 'response.done', event_id: 'evt_1', response: { id: 'resp_1', status: 'completed', usage: { total_tokens: 30, input_tokens: 10, output_tokens: 20 } } }),
    );

    expect(sut).toEqual({ responseId: 'resp_1', status: 'completed', inputTokens: 10, outputTokens: 20, totalTokens: 30 });
  });

  it('finds the type wherever it sits in the object', () => {
    expect(responseDoneUsage(frame({ event_id: 'e', response: { usage: { input_tokens: 1, output_tokens: 2 } }, type: 'response.done' }))).toMatchObject({
      inputTokens: 1,
      outputTokens: 2,
      totalTokens: 3,
    });
  });

  it('reports a cancelled response with whatever usage it has, and zeros for missing or bad numbers', () => {
    expect(responseDoneUsage(frame({ type: 'response.done', response: { status: 'cancelled', usage: { input_tokens: -1, output_tokens: 'x' } } }))).toEqual({
      responseId: null,
      status: 'cancelled',
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
    });
  });

  it('ignores other events, including deltas that mention response.done in their text', () => {
    expect(responseDoneUsage(frame({ type: 'response.output_text.delta', delta: 'the "response.done" event' }))).toBeUndefined();
    expect(responseDoneUsage(frame({ type: 'response.created', response: { id: 'r' } }))).toBeUndefined();
    expect(responseDoneUsage(Buffer.from('{"type":"response.done", broken'))).toBeUndefined();
  });
});

describe(responseCreatedId.name, () => {
  it('reads the id of a response.created and nothing else', () => {
    expect(responseCreatedId(frame({ type: 'response.created', response: { id: 'resp_9', status: 'in_progress' } }))).toBe('resp_9');
    expect(responseCreatedId(frame({ type: 'response.done', response: { id: 'resp_9' } }))).toBeUndefined();
    expect(responseCreatedId(frame({ type: 'response.audio.delta', delta: 'A'.repeat(20_000), note: '"response.created"' }))).toBeUndefined();
  });
});
