import { parseSseEvent, SseEventSplitter } from './sse-parser';

describe(SseEventSplitter.name, () => {
  it('reassembles events split across chunks', () => {
    const sut = new SseEventSplitter();
    expect(sut.push(Buffer.from('data: {"a":'))).toEqual([]);
    const events = sut.push(Buffer.from('1}\n\ndata: [DONE]\n\n'));
    expect(events.map((e) => e.toString())).toEqual(['data: {"a":1}\n\n', 'data: [DONE]\n\n']);
    expect(sut.rest().length).toBe(0);
  });

  it('handles CRLF framing and keeps an unfinished tail', () => {
    const sut = new SseEventSplitter();
    const events = sut.push(Buffer.from('event: x\r\ndata: 1\r\n\r\ndata: 2'));
    expect(events.map((e) => e.toString())).toEqual(['event: x\r\ndata: 1\r\n\r\n']);
    expect(sut.rest().toString()).toBe('data: 2');
  });

  it('does not split a multi-byte character', () => {
    const sut = new SseEventSplitter();
    const bytes = Buffer.from('data: "héllo"\n\n');
    const part1 = sut.push(bytes.subarray(0, 9));
    const part2 = sut.push(bytes.subarray(9));
    expect([...part1, ...part2].map((e) => parseSseEvent(e).data)).toEqual(['"héllo"']);
  });
});

describe('parseSseEvent', () => {
  it('reads the event name and joins data lines', () => {
    expect(parseSseEvent(Buffer.from('event: response.created\ndata: {"x":1}\n\n'))).toEqual({ event: 'response.created', data: '{"x":1}' });
    expect(parseSseEvent(Buffer.from('data:a\ndata:b\n\n')).data).toBe('a\nb');
  });
});
