import { SPEECH_CONTENT_TYPES, countTokens, speechBytes, wavDurationSeconds } from '../content';
import { errors } from '../errors';
import { type OperationContext, type OperationHandler, sendBody } from '../pipeline';

const TEXT_FORMATS = new Set(['text', 'srt', 'vtt']);
const FORMATS = new Set(['json', 'verbose_json', ...TEXT_FORMATS]);

function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

/**
 * The usage OpenAI reports with a JSON transcript: tokens for the gpt-4o transcribe models (audio at 10
 * tokens a second, as the realtime simulation counts it), seconds of audio for whisper.
 */
export function transcriptionUsage(model: string, text: string, duration: number): object {
  if (!/transcribe/i.test(model)) return { type: 'duration', seconds: Math.ceil(duration) };
  const audio = Math.ceil(duration * 10);
  const output = countTokens([text]);
  return { type: 'tokens', input_tokens: audio, input_token_details: { audio_tokens: audio, text_tokens: 0 }, output_tokens: output, total_tokens: audio + output };
}

/** The body for each response_format; text, srt and vtt are plain text as on the real API. */
export function transcriptionBody(format: string, text: string, duration: number, task: 'transcribe' | 'translate', usage?: object): string | object {
  switch (format) {
    case 'text':
      return `${text}\n`;
    case 'srt':
      return `1\n${timestamp(0, ',')} --> ${timestamp(duration, ',')}\n${text}\n\n`;
    case 'vtt':
      return `WEBVTT\n\n${timestamp(0, '.')} --> ${timestamp(duration, '.')}\n${text}\n\n`;
    case 'verbose_json':
      return {
        task,
        language: 'english',
        duration,
        text,
        segments: [
          { id: 0, seek: 0, start: 0, end: duration, text, tokens: [], temperature: 0, avg_logprob: -0.1, compression_ratio: 1, no_speech_prob: 0 },
        ],
        ...(usage ? { usage } : {}),
      };
    default:
      return usage ? { text, usage } : { text };
  }
}

function transcriptionHandler(task: 'transcribe' | 'translate'): OperationHandler {
  return {
    multipart: true,
    estimateTokens: () => 0,
    async handle(ctx: OperationContext) {
      const file = ctx.parts.find((part) => part.name === 'file' && part.filename !== undefined) ?? ctx.parts.find((part) => part.name === 'file');
      if (!file) throw errors.badRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
      const requested = ctx.body['response_format'];
      const format = typeof requested === 'string' ? requested : 'json';
      if (!FORMATS.has(format)) throw errors.badRequest(`Invalid response_format: '${format}'.`, 'response_format');
      const prompt = ctx.body['prompt'];
      const text =
        ctx.config.replyText ??
        (typeof prompt === 'string' && prompt !== '' ? `echo: ${prompt}` : `simulated transcription of ${file.filename ?? 'audio'}`);
      const duration = wavDurationSeconds(file.data);
      const body = transcriptionBody(format, text, duration, task, transcriptionUsage(ctx.model, text, duration));
      if (TEXT_FORMATS.has(format)) ctx.headers['content-type'] = 'text/plain; charset=utf-8';
      await sendBody(ctx, body);
    },
  };
}

export const transcriptionsHandler = transcriptionHandler('transcribe');
export const translationsHandler = transcriptionHandler('translate');

export const speechHandler: OperationHandler = {
  estimateTokens: (body) => countTokens([typeof body['input'] === 'string' ? body['input'] : '']),

  async handle(ctx) {
    const input = ctx.body['input'];
    if (typeof input !== 'string' || input === '') {
      throw errors.badRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
    }
    const format = typeof ctx.body['response_format'] === 'string' ? ctx.body['response_format'] : 'wav';
    const contentType = SPEECH_CONTENT_TYPES[format];
    if (contentType === undefined) throw errors.badRequest(`Invalid response_format: '${format}'.`, 'response_format');
    ctx.headers['content-type'] = contentType;
    await sendBody(ctx, speechBytes(format, ctx.config.speechSamples));
  },
};
