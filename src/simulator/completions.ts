import type { FinishReason, ResponseMeta } from './chat';
import { chunkText, countTokens, echoReply, truncateToTokens } from './content';
import { completionFilterCategories, promptFilterResults } from './errors';
import { type JsonObject, completionPrompts, positiveInt } from './prompt';
import { DONE, type StreamEvent, type StreamPlan, errorEvent, promptAnnotationChunk, usageOf } from './sse';

/** Legacy text completions (`object: "text_completion"`): one choice per prompt × n. */
export interface CompletionPlan {
  choices: { text: string; finishReason: FinishReason }[];
  promptTokens: number;
}

export function planCompletion(body: JsonObject, replyText: string | undefined): CompletionPlan {
  const prompts = completionPrompts(body['prompt']);
  const n = positiveInt(body['n']) ?? 1;
  // The completions API defaults max_tokens to 16, which is also the rate-limit estimate.
  const max = positiveInt(body['max_tokens']) ?? 16;
  const choices = prompts.flatMap((prompt) => {
    const reply = truncateToTokens(echoReply(prompt, replyText), max);
    return Array.from({ length: n }, () => ({ text: reply.text, finishReason: (reply.truncated ? 'length' : 'stop') as FinishReason }));
  });
  return { choices, promptTokens: countTokens(prompts) };
}

export function filterCompletionPlan(plan: CompletionPlan, chunkWords: number, after: number): CompletionPlan {
  return {
    ...plan,
    choices: plan.choices.map((c) => ({ text: chunkText(c.text, chunkWords).slice(0, after).join(''), finishReason: 'content_filter' })),
  };
}

function completionTokens(plan: CompletionPlan): number {
  return plan.choices.reduce((sum, c) => sum + countTokens([c.text]), 0);
}

export function completionBody(plan: CompletionPlan, meta: ResponseMeta): JsonObject {
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    ...(meta.annotations ? { prompt_filter_results: promptFilterResults() } : {}),
    choices: plan.choices.map((choice, index) => ({
      text: choice.text,
      index,
      finish_reason: choice.finishReason,
      logprobs: null,
      ...(meta.annotations ? { content_filter_results: completionFilterCategories() } : {}),
    })),
    usage: usageOf(plan.promptTokens, completionTokens(plan)),
  };
}

function chunk(meta: ResponseMeta, index: number, text: string, finish: FinishReason | null, usage: unknown = null): JsonObject {
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    choices: [{ text, index, finish_reason: finish, logprobs: null }],
    usage,
  };
}

export function completionStream(plan: CompletionPlan, meta: ResponseMeta, includeUsage: boolean): StreamPlan {
  const head: StreamEvent[] = meta.annotations ? [promptAnnotationChunk()] : [];
  const content: StreamEvent[] = plan.choices.flatMap((choice, index) =>
    chunkText(choice.text, meta.chunkWords).map((piece): StreamEvent => ({ kind: 'content', text: piece, data: chunk(meta, index, piece, null) })),
  );
  const finish = (reason: (index: number) => FinishReason): StreamEvent[] =>
    plan.choices.map((_, index) => ({ kind: 'tail', data: chunk(meta, index, '', reason(index)) }));
  const usage = (tokens: number): StreamEvent[] =>
    includeUsage ? [{ kind: 'tail', data: { ...chunk(meta, 0, '', null), choices: [], usage: usageOf(plan.promptTokens, tokens) } }] : [];
  return {
    events: [...head, ...content, ...finish((i) => plan.choices[i]?.finishReason ?? 'stop'), ...usage(completionTokens(plan)), DONE],
    filtered: (emitted) => [...finish(() => 'content_filter'), ...usage(countTokens([emitted])), DONE],
    failed: () => [errorEvent()],
  };
}
