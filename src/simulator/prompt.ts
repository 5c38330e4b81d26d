/**
 * Reads prompt text out of loosely validated request bodies. Only the fields the simulator needs are
 * read; anything else an SDK sends is ignored, as the real upstream would accept it.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** A message `content`: a string, or parts of which the text-bearing ones count. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isObject(part) && typeof part['text'] === 'string' ? part['text'] : ''))
    .join('');
}

function messagesOf(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** Every piece of text that counts towards prompt tokens. */
export function chatPromptTexts(messages: unknown): string[] {
  return messagesOf(messages).map((message) => contentText(message['content']));
}

export function lastUserText(messages: unknown): string {
  const users = messagesOf(messages).filter((message) => message['role'] === 'user');
  const last = users[users.length - 1];
  return last ? contentText(last['content']) : '';
}

export function lastRole(messages: unknown): string | undefined {
  const all = messagesOf(messages);
  const role = all[all.length - 1]?.['role'];
  return typeof role === 'string' ? role : undefined;
}

/** Legacy completions: `prompt` is a string or a list of strings. */
export function completionPrompts(prompt: unknown): string[] {
  if (typeof prompt === 'string') return [prompt];
  if (Array.isArray(prompt) && prompt.every((p) => typeof p === 'string')) return prompt;
  return [];
}

/** Embeddings: a string, strings, or pre-tokenised integer arrays (hashed and counted as given). */
export function embeddingInputs(input: unknown): { key: string; tokens: number }[] | undefined {
  if (typeof input === 'string') return [{ key: input, tokens: Math.ceil(input.length / 4) }];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [{ key: JSON.stringify(input), tokens: input.length }];
  const items = input.map((item) => {
    if (typeof item === 'string') return { key: item, tokens: Math.ceil(item.length / 4) };
    if (Array.isArray(item) && item.every((n) => typeof n === 'number')) {
      return { key: JSON.stringify(item), tokens: item.length };
    }
    return undefined;
  });
  return items.every((item) => item !== undefined) ? items : undefined;
}

/** Responses API: `input` is a string or a list of items; `instructions` counts as prompt text too. */
export function responsesPromptTexts(input: unknown, instructions: unknown): string[] {
  const texts = typeof instructions === 'string' ? [instructions] : [];
  if (typeof input === 'string') return [...texts, input];
  for (const item of messagesOf(input)) {
    if ('content' in item) texts.push(contentText(item['content']));
    else if (typeof item['output'] === 'string') texts.push(item['output']);
  }
  return texts;
}

export function responsesLastUserText(input: unknown): string {
  if (typeof input === 'string') return input;
  return lastUserText(input);
}

/** A positive integer field, or undefined when absent or malformed. */
export function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
