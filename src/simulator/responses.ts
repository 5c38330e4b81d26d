import { chunkText, countTokens, echoReply, sha1Hex, truncateToTokens } from './content';
import { type JsonObject, positiveInt, responsesLastUserText, responsesPromptTexts } from './prompt';
import type { StreamEvent, StreamPlan } from './sse';

/** Responses API (`object: "response"`): one assistant message with one output_text part. */
export interface ResponsePlan {
  text: string;
  incompleteReason?: 'max_output_tokens' | 'content_filter';
  promptTokens: number;
}

export interface ResponseMetaInput {
  id: string;
  created: number;
  model: string;
  chunkWords: number;
  body: JsonObject;
}

export function planResponse(body: JsonObject, replyText: string | undefined): ResponsePlan {
  const reply = truncateToTokens(echoReply(responsesLastUserText(body['input']), replyText), positiveInt(body['max_output_tokens']));
  return {
    text: reply.text,
    incompleteReason: reply.truncated ? 'max_output_tokens' : undefined,
    promptTokens: countTokens(responsesPromptTexts(body['input'], body['instructions'])),
  };
}

export function filterResponsePlan(plan: ResponsePlan, chunkWords: number, after: number): ResponsePlan {
  return { ...plan, text: chunkText(plan.text, chunkWords).slice(0, after).join(''), incompleteReason: 'content_filter' };
}

function messageId(meta: ResponseMetaInput): string {
  return `msg_${sha1Hex(`${meta.id}:message`)}`;
}

function outputPart(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function messageItem(meta: ResponseMetaInput, status: 'in_progress' | 'completed' | 'incomplete', text?: string): JsonObject {
  return { id: messageId(meta), type: 'message', status, role: 'assistant', content: text === undefined ? [] : [outputPart(text)] };
}

type ResponseStatus = 'in_progress' | 'completed' | 'incomplete';

function responseObject(meta: ResponseMetaInput, status: ResponseStatus, plan?: ResponsePlan, text?: string): JsonObject {
  const body = meta.body;
  const outputTokens = text === undefined ? 0 : countTokens([text]);
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.created,
    status,
    error: null,
    incomplete_details: status === 'incomplete' && plan?.incompleteReason ? { reason: plan.incompleteReason } : null,
    instructions: typeof body['instructions'] === 'string' ? body['instructions'] : null,
    max_output_tokens: positiveInt(body['max_output_tokens']) ?? null,
    model: meta.model,
    output: text === undefined ? [] : [messageItem(meta, status === 'incomplete' ? 'incomplete' : 'completed', text)],
    parallel_tool_calls: true,
    previous_response_id: typeof body['previous_response_id'] === 'string' ? body['previous_response_id'] : null,
    reasoning: { effort: null, summary: null },
    store: body['store'] !== false,
    temperature: typeof body['temperature'] === 'number' ? body['temperature'] : 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage:
      plan === undefined || status === 'in_progress'
        ? null
        : {
            input_tokens: plan.promptTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: outputTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: plan.promptTokens + outputTokens,
          },
    user: null,
    metadata: {},
  };
}

export function responseBody(plan: ResponsePlan, meta: ResponseMetaInput): JsonObject {
  return responseObject(meta, plan.incompleteReason ? 'incomplete' : 'completed', plan, plan.text);
}

/** Named events from response.created to response.completed; the Responses API sends no [DONE]. */
export function responseStream(plan: ResponsePlan, meta: ResponseMetaInput): StreamPlan {
  // Built unnumbered; sequence numbers are assigned once the order of the events is known.
  const ev = (kind: StreamEvent['kind'], type: string, fields: JsonObject, text?: string): StreamEvent => ({
    kind,
    event: type,
    data: { type, ...fields },
    text,
  });
  const itemRef = { item_id: messageId(meta), output_index: 0, content_index: 0 };
  const head = [
    ev('head', 'response.created', { response: responseObject(meta, 'in_progress') }),
    ev('head', 'response.in_progress', { response: responseObject(meta, 'in_progress') }),
    ev('head', 'response.output_item.added', { output_index: 0, item: messageItem(meta, 'in_progress') }),
    ev('head', 'response.content_part.added', { ...itemRef, part: outputPart('') }),
  ];
  const content = chunkText(plan.text, meta.chunkWords).map((delta) =>
    ev('content', 'response.output_text.delta', { ...itemRef, delta, logprobs: [] }, delta),
  );
  const tail = (text: string, final: ResponsePlan): StreamEvent[] => {
    const status = final.incompleteReason ? 'incomplete' : 'completed';
    return [
      ev('tail', 'response.output_text.done', { ...itemRef, text, logprobs: [] }),
      ev('tail', 'response.content_part.done', { ...itemRef, part: outputPart(text) }),
      ev('tail', 'response.output_item.done', { output_index: 0, item: messageItem(meta, status, text) }),
      ev('tail', `response.${status}`, { response: responseObject(meta, status, final, text) }),
    ];
  };
  return {
    events: numbered([...head, ...content, ...tail(plan.text, plan)], 0),
    filtered: (emitted, written) => numbered(tail(emitted, { ...plan, text: emitted, incompleteReason: 'content_filter' }), written),
    failed: (written) =>
      numbered(
        [ev('tail', 'error', { code: 'server_error', message: 'The server had an error while processing your request.', param: null })],
        written,
      ),
  };
}

function numbered(events: StreamEvent[], start: number): StreamEvent[] {
  return events.map((event, i) => {
    const { type, ...rest } = event.data as JsonObject;
    return { ...event, data: { type, sequence_number: start + i, ...rest } };
  });
}
