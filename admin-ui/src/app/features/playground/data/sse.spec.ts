import { SseParser } from './sse';

describe(SseParser.name, () => {
  it('yields events as blank lines complete them, across arbitrary chunk splits', () => {
    const sut = new SseParser();
    expect(sut.push('data: {"a"')).toEqual([]);
    expect(sut.push(':1}\n')).toEqual([]);
    expect(sut.push('\ndata: [DO')).toEqual([{ data: '{"a":1}' }]);
    expect(sut.push('NE]\n\n')).toEqual([{ data: '[DONE]' }]);
  });

  it('handles CRLF split between chunks, comments, event names and multi-line data', () => {
    const sut = new SseParser();
    const out = [
      ...sut.push(': keep-alive\r'),
      ...sut.push('\nevent: error\r\ndata: line one\r\ndata: line two\r'),
      ...sut.push('\n\r\n'),
    ];
    expect(out).toEqual([{ event: 'error', data: 'line one\nline two' }]);
  });

  it('keeps an unterminated last event when the stream ends', () => {
    const sut = new SseParser();
    expect(sut.push('data: tail')).toEqual([]);
    expect(sut.end()).toEqual([{ data: 'tail' }]);
  });
});
