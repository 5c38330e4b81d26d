import { finishNote, interpretEvent } from './chat-chunks';

const ev = (data: unknown, event?: string) => ({ data: typeof data === 'string' ? data : JSON.stringify(data), ...(event ? { event } : {}) });

describe('interpretEvent', () => {
  it('ignores Azure\'s annotation chunk (choices: [], prompt_filter_results)', () => {
    const annotation = { id: '', object: '', created: 0, model: '', prompt_filter_results: [{ prompt_index: 0 }], choices: [], usage: null };
    expect(interpretEvent(ev(annotation))).toEqual([]);
  });

  it('reads content deltas and the finish reason', () => {
    expect(interpretEvent(ev({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] }))).toEqual([
      { kind: 'delta', content: 'Hel' },
    ]);
    expect(interpretEvent(ev({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }))).toEqual([{ kind: 'finish', reason: 'stop' }]);
  });

  it('reads the usage chunk sent for stream_options.include_usage', () => {
    const usage = { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 };
    expect(interpretEvent(ev({ choices: [], usage }))).toEqual([{ kind: 'usage', usage }]);
  });

  it('turns an error sent mid-stream into its message, however it is framed', () => {
    expect(interpretEvent(ev({ error: { message: 'Upstream failed', type: 'server_error' } }))).toEqual([{ kind: 'error', message: 'Upstream failed' }]);
    expect(interpretEvent(ev({ error: { message: 'Boom' } }, 'error'))).toEqual([{ kind: 'error', message: 'Boom' }]);
    expect(interpretEvent(ev('not json', 'error'))).toEqual([{ kind: 'error', message: 'not json' }]);
  });

  it('ends on [DONE] and skips junk', () => {
    expect(interpretEvent(ev('[DONE]'))).toEqual([{ kind: 'done' }]);
    expect(interpretEvent(ev('garbage'))).toEqual([]);
  });

  it('explains cut-off and filtered answers', () => {
    expect(finishNote('length')).toContain('max tokens');
    expect(finishNote('content_filter')).toContain('content filter');
    expect(finishNote('stop')).toBeUndefined();
  });
});
