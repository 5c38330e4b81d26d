import { chunkText, countTokens, echoReply, sha1Hex, truncateToTokens } from './content';
import { completionFilterCategories, promptFilterResults } from './errors';
import { type JsonObject, chatPromptTexts, isObject, lastRole, lastUserText, positiveInt } from './prompt';
import { DONE, type StreamEvent, type StreamPlan, errorEvent, promptAnnotationChunk, usageOf } from './sse';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatChoice {
  text: string | null;
  toolCall?: ToolCall;
  finishReason: FinishReason;
}

export interface ChatPlan {
  choices: ChatChoice[];
  promptTokens: number;
}

/** What every chat/completions body shares, fixed per request. */
export interface ResponseMeta {
  id: string;
  created: number;
  model: string;
  annotations: boolean;
  chunkWords: number;
}

export function systemFingerprint(model: string): string {
  return `fp_${sha1Hex(model).slice(0, 10)}`;
}

interface FunctionTool {
  name: string;
  parameters?: JsonObject;
}

function functionTools(tools: unknown): FunctionTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool) => {
    const fn = isObject(tool) && tool['type'] === 'function' ? tool['function'] : undefined;
    if (!isObject(fn) || typeof fn['name'] !== 'string') return [];
    return [{ name: fn['name'], parameters: isObject(fn['parameters']) ? fn['parameters'] : undefined }];
  });
}

/** Plausible arguments from the JSON schema: one placeholder per property, so clients can parse them. */
export function placeholderArguments(parameters: JsonObject | undefined): string {
  const properties = isObject(parameters?.['properties']) ? parameters['properties'] : {};
  const args: JsonObject = {};
  for (const [name, schema] of Object.entries(properties)) {
    const s = isObject(schema) ? schema : {};
    if (Array.isArray(s['enum']) && s['enum'].length > 0) args[name] = s['enum'][0];
    else if (s['type'] === 'number' || s['type'] === 'integer') args[name] = 1;
    else if (s['type'] === 'boolean') args[name] = true;
    else if (s['type'] === 'string') args[name] = /location|city|place/i.test(name) ? 'Paris' : 'simulated';
    else args[name] = null;
  }
  return JSON.stringify(args);
}

/** The tool a request asks for: forced by tool_choice, or triggered by a keyword in the last user turn. */
function chosenTool(body: JsonObject, trigger: string): FunctionTool | undefined {
  const tools = functionTools(body['tools']);
  const choice = body['tool_choice'];
  if (tools.length === 0 || choice === 'none' || lastRole(body['messages']) !== 'user') return undefined;
  if (isObject(choice) && isObject(choice['function'])) {
    return tools.find((tool) => tool.name === (choice['function'] as JsonObject)['name']);
  }
  const triggered = lastUserText(body['messages']).toLowerCase().includes(trigger.toLowerCase());
  return choice === 'required' || triggered ? tools[0] : undefined;
}

export function planChat(body: JsonObject, id: string, options: { replyText?: string; toolCallTrigger: string }): ChatPlan {
  const n = positiveInt(body['n']) ?? 1;
  const promptTokens = countTokens(chatPromptTexts(body['messages']));
  const tool = chosenTool(body, options.toolCallTrigger);
  const choice: ChatChoice = tool
    ? {
        text: null,
        toolCall: {
          id: `call_${sha1Hex(id).slice(0, 24)}`,
          type: 'function',
          function: { name: tool.name, arguments: placeholderArguments(tool.parameters) },
        },
        finishReason: 'tool_calls',
      }
    : (() => {
        const max = positiveInt(body['max_completion_tokens']) ?? positiveInt(body['max_tokens']);
        const reply = truncateToTokens(echoReply(lastUserText(body['messages']), options.replyText), max);
        return { text: reply.text, finishReason: reply.truncated ? 'length' : 'stop' };
      })();
  return { choices: Array.from({ length: n }, () => ({ ...choice })), promptTokens };
}

/** Non-stream equivalent of filter_stream_after: keep the first N chunks and report content_filter. */
export function filterChatPlan(plan: ChatPlan, chunkWords: number, after: number): ChatPlan {
  return {
    ...plan,
    choices: plan.choices.map((choice) =>
      choice.text === null
        ? choice
        : { text: chunkText(choice.text, chunkWords).slice(0, after).join(''), finishReason: 'content_filter' },
    ),
  };
}

function choiceTokens(choice: ChatChoice): number {
  return countTokens([choice.text ?? choice.toolCall?.function.arguments ?? '']);
}

export function chatUsage(plan: ChatPlan): ReturnType<typeof usageOf> {
  return usageOf(plan.promptTokens, plan.choices.reduce((sum, c) => sum + choiceTokens(c), 0));
}

export function chatCompletion(plan: ChatPlan, meta: ResponseMeta): JsonObject {
  const choices = plan.choices.map((choice, index) => ({
    index,
    finish_reason: choice.finishReason,
    logprobs: null,
    message: {
      role: 'assistant',
      content: choice.text,
      refusal: null,
      ...(choice.toolCall ? { tool_calls: [choice.toolCall] } : {}),
    },
    ...(meta.annotations ? { content_filter_results: choice.finishReason === 'tool_calls' ? {} : completionFilterCategories() } : {}),
  }));
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: systemFingerprint(meta.model),
    ...(meta.annotations ? { prompt_filter_results: promptFilterResults() } : {}),
    choices,
    usage: chatUsage(plan),
  };
}

type ChoiceDelta = JsonObject;

function chunk(meta: ResponseMeta, index: number, delta: ChoiceDelta, finish: FinishReason | null, filter: JsonObject | undefined): JsonObject {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    system_fingerprint: systemFingerprint(meta.model),
    choices: [
      {
        index,
        delta,
        logprobs: null,
        finish_reason: finish,
        ...(meta.annotations && filter !== undefined ? { content_filter_results: filter } : {}),
      },
    ],
    usage: null,
  };
}

function usageChunk(meta: ResponseMeta, usage: ReturnType<typeof usageOf>): StreamEvent {
  return {
    kind: 'tail',
    data: {
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      system_fingerprint: systemFingerprint(meta.model),
      choices: [],
      usage,
    },
  };
}

/** Content pieces of one choice: words for text, fixed-size slices for tool-call arguments. */
function contentEvents(meta: ResponseMeta, index: number, choice: ChatChoice): StreamEvent[] {
  if (choice.toolCall) {
    const args = choice.toolCall.function.arguments;
    const pieces = args.match(/[\s\S]{1,16}/g) ?? [];
    return pieces.map((piece) => ({
      kind: 'content',
      text: piece,
      data: chunk(meta, index, { tool_calls: [{ index: 0, function: { arguments: piece } }] }, null, undefined),
    }));
  }
  return chunkText(choice.text ?? '', meta.chunkWords).map((piece) => ({
    kind: 'content',
    text: piece,
    data: chunk(meta, index, { content: piece }, null, completionFilterCategories()),
  }));
}

function roleDelta(choice: ChatChoice): ChoiceDelta {
  if (!choice.toolCall) return { role: 'assistant', content: '', refusal: null };
  const { id, type, function: fn } = choice.toolCall;
  return { role: 'assistant', content: null, refusal: null, tool_calls: [{ index: 0, id, type, function: { name: fn.name, arguments: '' } }] };
}

/** Azure wire order (UPSTREAM.md §3): annotations, role, content, finish, optional usage, [DONE]. */
export function chatStream(plan: ChatPlan, meta: ResponseMeta, includeUsage: boolean): StreamPlan {
  const head: StreamEvent[] = meta.annotations ? [promptAnnotationChunk()] : [];
  plan.choices.forEach((choice, index) => head.push({ kind: 'head', data: chunk(meta, index, roleDelta(choice), null, {}) }));
  const content = plan.choices.flatMap((choice, index) => contentEvents(meta, index, choice));
  const finish = (reason: (choice: ChatChoice) => FinishReason, filter: JsonObject): StreamEvent[] =>
    plan.choices.map((choice, index) => ({ kind: 'tail', data: chunk(meta, index, {}, reason(choice), filter) }));
  const usage = (completionTokens: number): StreamEvent[] =>
    includeUsage ? [usageChunk(meta, usageOf(plan.promptTokens, completionTokens))] : [];
  return {
    events: [...head, ...content, ...finish((c) => c.finishReason, {}), ...usage(chatUsage(plan).completion_tokens), DONE],
    filtered: (emitted) => [
      ...finish(() => 'content_filter', { protected_material_text: { filtered: true, detected: true } }),
      ...usage(countTokens([emitted])),
      DONE,
    ],
    failed: () => [errorEvent()],
  };
}
