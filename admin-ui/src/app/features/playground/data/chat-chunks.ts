import type { SseEvent } from './sse';

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** What one stream event means for the answer being built. */
export type StreamUpdate =
  | { kind: 'delta'; content: string }
  | { kind: 'finish'; reason: string }
  | { kind: 'usage'; usage: TokenUsage }
  | { kind: 'error'; message: string }
  | { kind: 'done' };

interface ChatChunk {
  choices?: { delta?: { content?: string | null; refusal?: string | null }; finish_reason?: string | null }[];
  usage?: TokenUsage | null;
  error?: { message?: string } | string;
}

/**
 * Reads one chat-completions stream event. Handles Azure's annotation chunk (`choices: []` with
 * `prompt_filter_results`), the final usage chunk (`choices: []`, `usage`), `[DONE]`, and an error sent
 * mid-stream (as `event: error` or as a `{"error": …}` data line).
 */
export function interpretEvent(ev: SseEvent): StreamUpdate[] {
  const data = ev.data.trim();
  if (data === '[DONE]') return [{ kind: 'done' }];
  let chunk: ChatChunk;
  try {
    chunk = JSON.parse(data) as ChatChunk;
  } catch {
    return ev.event === 'error' ? [{ kind: 'error', message: data || 'The stream failed.' }] : [];
  }
  if (chunk.error || ev.event === 'error') {
    const message = typeof chunk.error === 'string' ? chunk.error : chunk.error?.message;
    return [{ kind: 'error', message: message || 'The model stopped with an error.' }];
  }
  const out: StreamUpdate[] = [];
  for (const choice of chunk.choices ?? []) {
    const text = choice.delta?.content ?? choice.delta?.refusal;
    if (text) out.push({ kind: 'delta', content: text });
    if (choice.finish_reason) out.push({ kind: 'finish', reason: choice.finish_reason });
  }
  if (chunk.usage) out.push({ kind: 'usage', usage: chunk.usage });
  return out;
}

/** A finish reason worth telling the user about, in plain words. */
export function finishNote(reason: string): string | undefined {
  switch (reason) {
    case 'length':
      return 'The answer was cut off at the max tokens limit.';
    case 'content_filter':
      return 'The answer was stopped by the content filter.';
    default:
      return undefined;
  }
}
