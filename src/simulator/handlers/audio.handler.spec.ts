import { transcriptionBody, transcriptionUsage } from './audio.handler';

describe(transcriptionUsage.name, () => {
  it('reports tokens for the gpt-4o transcribe models and seconds for whisper, as OpenAI does', () => {
    expect(transcriptionUsage('gpt-4o-mini-transcribe', 'echo: hello', 1.5)).toEqual({
      type: 'tokens',
      input_tokens: 15,
      input_token_details: { audio_tokens: 15, text_tokens: 0 },
      output_tokens: 3,
      total_tokens: 18,
    });
    expect(transcriptionUsage('whisper', 'x', 1.2)).toEqual({ type: 'duration', seconds: 2 });
  });

  it('puts usage on JSON transcripts only', () => {
    const usage = { type: 'duration', seconds: 1 };
    expect(transcriptionBody('json', 't', 1, 'transcribe', usage)).toEqual({ text: 't', usage });
    expect(transcriptionBody('verbose_json', 't', 1, 'transcribe', usage)).toMatchObject({ task: 'transcribe', usage });
    expect(transcriptionBody('text', 't', 1, 'transcribe', usage)).toBe('t\n');
    expect(transcriptionBody('json', 't', 1, 'translate')).toEqual({ text: 't' });
  });
});
