import { errors, promptFilterResults } from './errors';

/**
 * A stream is planned up front as a list of events, then played by the stream writer, which applies the
 * stream faults at content boundaries. `head` events precede the text, `content` events carry it, `tail`
 * events (finish, usage, [DONE]) follow it.
 */
export interface StreamEvent {
  kind: 'head' | 'content' | 'tail';
  /** SSE event name; absent for chat/completions chunks, present for the Responses API. */
  event?: string;
  /** JSON payload, or the literal "[DONE]". */
  data: unknown;
  /** The text a content event adds, so a filtered tail can account for what was already sent. */
  text?: string;
}

export interface StreamPlan {
  events: StreamEvent[];
  /**
   * Replaces the rest of the stream once filter_stream_after fires; `written` counts the events already
   * sent (the Responses API numbers its events).
   */
  filtered(emittedText: string, written: number): StreamEvent[];
  /** Replaces the rest of the stream once stream_error_after fires. */
  failed(written: number): StreamEvent[];
}

export const DONE: StreamEvent = { kind: 'tail', data: '[DONE]' };

export function formatSse(event: StreamEvent): string {
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  return `${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${data}\n\n`;
}

/** Azure's first chunk: prompt annotations with empty choices (clients reading choices[0] blindly break). */
export function promptAnnotationChunk(): StreamEvent {
  return {
    kind: 'head',
    data: { id: '', object: '', created: 0, model: '', prompt_filter_results: promptFilterResults(), choices: [], usage: null },
  };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** The mid-stream error line that makes openai-node throw APIError. */
export function errorEvent(): StreamEvent {
  return { kind: 'tail', data: errors.streamError() };
}
