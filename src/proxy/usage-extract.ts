/** Token usage as reported by an upstream answer (chat, completions, embeddings, Responses API). */
export interface Tokens {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function usageFrom(payload: unknown): Tokens | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const usage = (payload as { usage?: unknown }).usage;
  if (!usage || typeof usage !== 'object') return undefined;
  const u = usage as Record<string, unknown>;
  const prompt = num(u.prompt_tokens ?? u.input_tokens);
  const completion = num(u.completion_tokens ?? u.output_tokens);
  const total = num(u.total_tokens) || prompt + completion;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total };
}

/** Text a streamed chunk adds (chat delta, completions text, Responses text delta), for estimating a broken stream. */
export function chunkText(payload: unknown): string {
  if (!payload || typeof payload !== 'object') return '';
  const event = payload as { type?: unknown; delta?: unknown };
  if (event.type === 'response.output_text.delta' && typeof event.delta === 'string') return event.delta;
  const choices = (payload as { choices?: unknown }).choices;
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const c of choices as Record<string, unknown>[]) {
    const delta = c?.delta as Record<string, unknown> | undefined;
    if (typeof delta?.content === 'string') text += delta.content;
    const calls = delta?.tool_calls;
    if (Array.isArray(calls)) for (const call of calls as { function?: { arguments?: unknown } }[]) if (typeof call?.function?.arguments === 'string') text += call.function.arguments;
    if (typeof c?.text === 'string') text += c.text;
  }
  return text;
}

/** The final usage-only chunk that `stream_options.include_usage` adds: no choices, usage set. */
export function isUsageOnlyChunk(payload: unknown): boolean {
  if (!payload || typeof payload !== 'object') return false;
  const p = payload as { choices?: unknown; usage?: unknown };
  return Array.isArray(p.choices) && p.choices.length === 0 && !!p.usage && typeof p.usage === 'object';
}

/** Named stream events after which nothing more is due: Responses API, streamed transcription and speech. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed', 'transcript.text.done', 'speech.audio.done']);

/**
 * How a named-event stream ends (chat streams end with `[DONE]` instead): whether this event is a final
 * one, and the error code it reports, if any (`response.failed`, or an `error` event).
 */
export function streamEnding(payload: unknown): { final: boolean; errorCode?: string } {
  if (!payload || typeof payload !== 'object') return { final: false };
  const event = payload as { type?: unknown; code?: unknown; response?: { error?: { code?: unknown } | null } };
  const code = (value: unknown, fallback: string) => (typeof value === 'string' && value ? value.slice(0, 64) : fallback);
  if (event.type === 'response.failed') return { final: true, errorCode: code(event.response?.error?.code, 'response_failed') };
  if (event.type === 'error') return { final: false, errorCode: code(event.code, 'stream_error') };
  return { final: typeof event.type === 'string' && FINAL_EVENTS.has(event.type) };
}
