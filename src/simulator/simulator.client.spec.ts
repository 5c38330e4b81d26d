import { parseSse } from './simulator.client';

describe(parseSse.name, () => {
  it('reads data-only and named events', () => {
    const sut = parseSse('data: {"a":1}\n\nevent: response.created\ndata: {"b":2}\n\ndata: [DONE]\n\n');

    expect(sut).toEqual([{ data: '{"a":1}' }, { event: 'response.created', data: '{"b":2}' }, { data: '[DONE]' }]);
  });
});
